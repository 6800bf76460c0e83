// CoreNode (PKI) conformance (reference §4.1-§4.3, §5.3, security checklist 30-32): registration
// and lookups, username rules, first come first served, append-only chains, and signups whose
// OpLog is applied all or nothing.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cidToString } from '../../src/codec/cid.ts'
import { emptyProofOfWork } from '../../src/model/proof-of-work.ts'
import { buildClaim } from '../../src/model/claim.ts'
import { createKeyChangeChain, encodeChain, type UserPublicKeyLink } from '../../src/model/user-public-key-link.ts'
import { keyPair, loginDataFor, newUser, signUp, signupOpLog, signedTime, updateChain, type TestUser } from './pki-users.ts'
import { expectRefused, type ServicesFactory, type ServicesFixture } from './services-fixture.ts'

const HOSTILE = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'admin', 'a--b', '-a', 'a-', 'Alice', 'a_b', '', 'a'.repeat(33), 'al ice', 'alice\n']

export function runCoreNodeSuite(name: string, factory: ServicesFactory): void {
  describe(`CoreNode conformance: ${name}`, () => {
    let f: ServicesFixture
    const user = (n: string): TestUser => newUser(f.crypto, n, f.serverId)
    const chainBytes = async (n: string): Promise<string> => Buffer.from(encodeChain(await f.coreNode.getChain(n))).toString('hex')
    beforeEach(async () => {
      f = await factory()
    })
    afterEach(async () => {
      await f.close()
    })

    it('registers a user and answers every lookup', async () => {
      const alice = user('alice')
      await signUp(f.crypto, f.coreNode, alice)
      expect(await chainBytes('alice')).toBe(Buffer.from(encodeChain(alice.chain)).toString('hex'))
      expect(cidToString((await f.coreNode.getPublicKeyHash('alice'))!)).toBe(cidToString(alice.identity.hash))
      expect(cidToString((await f.coreNode.getHomeServer('alice'))!)).toBe(cidToString(f.serverId))
      expect(await f.coreNode.getUsername(alice.identity.hash)).toBe('alice')
      expect(await f.coreNode.getUsernames('al')).toContain('alice')
      expect(await f.coreNode.getUsernames('bo')).not.toContain('alice')
      expect(await f.coreNode.getChain('bob')).toEqual([])
      expect(await f.coreNode.getPublicKeyHash('bob')).toBeUndefined()
      await expectRefused(f, f.coreNode.getUsername(keyPair(f.crypto).hash), /Unknown identity key/, 'UnknownIdentityKeyError')
    })

    it('refuses hostile and reserved usernames with "Invalid username", and looks them up safely', async () => {
      for (const n of HOSTILE) {
        const u = newUser(f.crypto, 'valid', f.serverId)
        await expectRefused(f, f.coreNode.signup(n, u.chain[0], await signupOpLog(f.crypto, u), emptyProofOfWork(), ''), /^Invalid username$/, 'InvalidUsernameError')
        await expectRefused(f, f.coreNode.updateChain(n, u.chain, emptyProofOfWork(), ''), /^Invalid username$/, 'InvalidUsernameError')
        expect(await f.coreNode.getChain(n)).toEqual([])
        expect(await f.coreNode.getPublicKeyHash(n)).toBeUndefined()
        expect(await f.coreNode.getHomeServer(n)).toBeUndefined()
      }
      expect(await f.coreNode.getUsernames('')).toEqual(expect.not.arrayContaining(['constructor', '__proto__', 'toString']))
    })

    it('is first come, first served: a second signup of a taken name is refused and changes nothing', async () => {
      const alice = user('alice')
      await signUp(f.crypto, f.coreNode, alice)
      const before = await chainBytes('alice')
      const mallory = user('alice')
      await expectRefused(f, signUp(f.crypto, f.coreNode, mallory), /User already exists: Invalid key change attempt!/, 'InvalidClaimChainError')
      expect(await chainBytes('alice')).toBe(before)
      expect(await f.pointers.getPointer(mallory.identity.hash, mallory.identity.hash)).toBeUndefined()
      await expectRefused(f, f.account.getLoginData('alice', mallory.login.publicKey, signedTime(f.crypto, mallory.login)), /Incorrect username or password/, 'IncorrectPasswordError')
    })

    it('lets exactly one of two concurrent signups of the same name win', async () => {
      const a = user('race')
      const b = user('race')
      const results = await Promise.allSettled([signUp(f.crypto, f.coreNode, a), signUp(f.crypto, f.coreNode, b)])
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      const winner = results[0].status === 'fulfilled' ? a : b
      expect(cidToString((await f.coreNode.getPublicKeyHash('race'))!)).toBe(cidToString(winner.identity.hash))
    })

    it('keeps chains append-only: a different key, a reused key and an earlier expiry are refused', async () => {
      const alice = user('alice')
      await signUp(f.crypto, f.coreNode, alice)
      const other = keyPair(f.crypto)
      const foreign = newUser(f.crypto, 'alice', f.serverId, other).chain
      await expectRefused(f, f.coreNode.updateChain('alice', foreign, emptyProofOfWork(), ''), /User already exists: Invalid key change attempt!/, 'InvalidClaimChainError')
      // A key change signed by the current key is accepted...
      const expiry = alice.chain[0].claim.expiry
      const changed = createKeyChangeChain(f.crypto, alice.identity.signer, other.signer, 'alice', expiry, [f.serverId])
      await updateChain(f.crypto, f.coreNode, 'alice', changed)
      expect(cidToString((await f.coreNode.getPublicKeyHash('alice'))!)).toBe(cidToString(other.hash))
      expect(await f.coreNode.getUsername(other.hash)).toBe('alice')
      // ...but changing back to the old key is not.
      const back = createKeyChangeChain(f.crypto, other.signer, alice.identity.signer, 'alice', expiry, [f.serverId])
      await expectRefused(f, f.coreNode.updateChain('alice', [changed[0], ...back], emptyProofOfWork(), ''), /You cannot reuse a previous password!/, 'InvalidClaimChainError')
      // An expiry earlier than the current one is a rollback.
      const last = changed[1]
      const earlier: UserPublicKeyLink = { owner: other.hash, claim: buildClaim(f.crypto, 'alice', other.secretKey, { ...expiry, year: expiry.year - 1 }, [f.serverId]) }
      await expectRefused(f, f.coreNode.updateChain('alice', [changed[0], earlier], emptyProofOfWork(), ''), /New claim chain expiry before existing!/, 'InvalidClaimChainError')
      expect((await f.coreNode.getChain('alice')).at(-1)?.claim.signedContents).toEqual(last.claim.signedContents)
    })

    it('refuses a first claim whose signature does not verify', async () => {
      const u = user('forged')
      const sc = u.chain[0].claim.signedContents.slice()
      sc[5] ^= 1
      const forged = { ...u.chain[0], claim: { ...u.chain[0].claim, signedContents: sc } }
      await expectRefused(f, f.coreNode.signup('forged', forged, await signupOpLog(f.crypto, u), emptyProofOfWork(), ''), /Invalid/, 'InvalidClaimChainError')
      expect(await f.coreNode.getChain('forged')).toEqual([])
    })

    it('leaves nothing behind when one block of the OpLog has a bad signature', async () => {
      const u = user('carol')
      await expectRefused(f, signUp(f.crypto, f.coreNode, u, await signupOpLog(f.crypto, u, { badBlockSignature: 1 })), /signature/i, 'InvalidSignatureError')
      expect(await f.coreNode.getChain('carol')).toEqual([])
      await expectRefused(f, f.coreNode.getUsername(u.identity.hash), /Unknown identity key/)
      expect(await f.pointers.getPointer(u.identity.hash, u.identity.hash)).toBeUndefined()
      expect(await f.pointers.getPointer(u.identity.hash, u.rootWriter.hash)).toBeUndefined()
      await expectRefused(f, f.account.getLoginData('carol', u.login.publicKey, signedTime(f.crypto, u.login)), /Incorrect username or password/, 'IncorrectPasswordError')
      // The same name, keys and BAT then sign up cleanly.
      await signUp(f.crypto, f.coreNode, u)
      expect(await f.account.getLoginData('carol', u.login.publicKey, signedTime(f.crypto, u.login))).toBeDefined()
    })

    it('refuses an OpLog whose login data is for another username, or not signed by the identity', async () => {
      const u = user('dave')
      const wrongName = { ...loginDataFor(f.crypto, u), username: 'eve' }
      await expectRefused(f, signUp(f.crypto, f.coreNode, u, await signupOpLog(f.crypto, u, { login: wrongName })), /Invalid signup data!/, 'InvalidOpLogError')
      const log = await signupOpLog(f.crypto, u)
      const badAuth = { ...log, login: { data: log.login!.data, auth: f.crypto.signDetached(new Uint8Array([1]), u.identity.secretKey) } }
      await expectRefused(f, signUp(f.crypto, f.coreNode, u, badAuth), /signature/i, 'InvalidSignatureError')
      expect(await f.coreNode.getChain('dave')).toEqual([])
      expect(await f.pointers.getPointer(u.identity.hash, u.identity.hash)).toBeUndefined()
    })
  })
}
