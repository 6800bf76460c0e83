// Account conformance (reference §5.2, §7.2): login data written with the identity's signature of
// the LoginData, read with the login key's signed time (24 h window) by the stored reader only, and
// password changes that carry the identity WriterData update; second factors in second-factor.suite.ts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid } from '../../src/codec/cid.ts'
import type { LoginData } from '../../src/model/login-data.ts'
import { openSignedPointerUpdate, pointerUpdate, signPointerUpdate } from '../../src/model/pointer-update.ts'
import { userStaticDataToCbor } from '../../src/model/user-static-data.ts'
import { encodeWriterData } from '../../src/model/writer-data.ts'
import { keyPair, loginAuth, loginDataFor, newUser, signUp, signedBlock, signedTime, type KeyPair, type TestUser } from './pki-users.ts'
import { runSecondFactorSuite } from './second-factor.suite.ts'
import { expectRefused, type ServicesFactory, type ServicesFixture } from './services-fixture.ts'

const HOUR = 3600_000
const INCORRECT = /^Incorrect username or password$/

export function runAccountSuite(name: string, factory: ServicesFactory): void {
  describe(`Account conformance: ${name}`, () => {
    let f: ServicesFixture
    let alice: TestUser
    let login: LoginData
    const entry = (l: LoginData): string => Buffer.from(encodeCbor(userStaticDataToCbor(l.entryPoints))).toString('hex')
    const get = async (reader: KeyPair, auth: Uint8Array, username = 'alice'): Promise<string> =>
      Buffer.from(encodeCbor(userStaticDataToCbor(await f.account.getLoginData(username, reader.publicKey, auth)))).toString('hex')

    beforeEach(async () => {
      f = await factory()
      alice = newUser(f.crypto, 'alice', f.serverId)
      login = loginDataFor(f.crypto, alice)
      await signUp(f.crypto, f.coreNode, alice, undefined)
      await f.account.setLoginData(login, loginAuth(f.crypto, alice.identity, login), false)
    })
    afterEach(async () => {
      await f.close()
    })

    it('returns the login data to the stored reader with a fresh signed time', async () => {
      expect(await get(alice.login, signedTime(f.crypto, alice.login))).toBe(entry(login))
      // Anywhere within 24 hours either side of the server's clock.
      expect(await get(alice.login, signedTime(f.crypto, alice.login, Date.now() - 23 * HOUR))).toBe(entry(login))
      expect(await get(alice.login, signedTime(f.crypto, alice.login, Date.now() + 23 * HOUR))).toBe(entry(login))
    })

    it('refuses a wrong reader, an unknown user and hostile names with "Incorrect username or password"', async () => {
      const wrong = keyPair(f.crypto)
      await expectRefused(f, get(wrong, signedTime(f.crypto, wrong)), INCORRECT, 'IncorrectPasswordError')
      for (const n of ['bob', 'constructor', '__proto__', 'toString']) {
        await expectRefused(f, get(alice.login, signedTime(f.crypto, alice.login), n), INCORRECT, 'IncorrectPasswordError')
      }
    })

    it('refuses a stale, a future, a foreign or a malformed signed time', async () => {
      await expectRefused(f, get(alice.login, signedTime(f.crypto, alice.login, Date.now() - 25 * HOUR)), /Stale auth time/, 'AuthExpiredError')
      await expectRefused(f, get(alice.login, signedTime(f.crypto, alice.login, Date.now() + 25 * HOUR)), /Stale auth time/, 'AuthExpiredError')
      // Signed by the identity, presented as the login key's.
      await expectRefused(f, get(alice.login, signedTime(f.crypto, alice.identity)), /signature/i, 'InvalidSignatureError')
      const notALong = f.crypto.signAttached(encodeCbor(String(Date.now())), alice.login.secretKey)
      await expectRefused(f, get(alice.login, notALong), /Invalid cbor for time/, 'InvalidAuthError')
      await expectRefused(f, get(alice.login, new Uint8Array(10)), /./, ['InvalidSignatureError', 'InvalidAuthError'])
    })

    it('replaces login data only with the identity signature of exactly that login data', async () => {
      const next = { ...loginDataFor(f.crypto, alice), authorisedReader: keyPair(f.crypto).publicKey }
      await expectRefused(f, f.account.setLoginData(next, loginAuth(f.crypto, alice.login, next), false), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, f.account.setLoginData(next, loginAuth(f.crypto, alice.identity, login), false), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, f.account.setLoginData(next, loginAuth(f.crypto, alice.identity, next).subarray(0, 63), false), /signature/i, 'InvalidSignatureError')
      const ghost = { ...next, username: 'ghost' }
      await expectRefused(f, f.account.setLoginData(ghost, loginAuth(f.crypto, alice.identity, ghost), false), /./)
      expect(await get(alice.login, signedTime(f.crypto, alice.login))).toBe(entry(login))
    })

    it('changes the password with the identity WriterData update: the new reader works, the old one no longer', async () => {
      const newLogin = keyPair(f.crypto)
      const signupPointer = await f.pointers.getPointer(alice.identity.hash, alice.identity.hash)
      const oldWd = openSignedPointerUpdate(f.crypto, alice.identity.publicKey, signupPointer!).updated
      const wdBytes = encodeWriterData({ controller: alice.identity.hash, followRequestReceiver: keyPair(f.crypto).hash })
      const pointer = { writer: alice.identity.hash, signedUpdate: signPointerUpdate(f.crypto, alice.identity.secretKey, pointerUpdate(oldWd, blockCid(f.crypto, wdBytes, false), 2)) }
      const changed: LoginData = { ...loginDataFor(f.crypto, alice), authorisedReader: newLogin.publicKey, identityUpdate: { block: signedBlock(f.crypto, alice.identity, wdBytes), pointer } }
      expect(await f.account.setLoginData(changed, loginAuth(f.crypto, alice.identity, changed), false)).toBe(true)
      expect(await get(newLogin, signedTime(f.crypto, newLogin))).toBe(entry(changed))
      await expectRefused(f, get(alice.login, signedTime(f.crypto, alice.login)), INCORRECT, 'IncorrectPasswordError')
      expect(await f.pointers.getPointer(alice.identity.hash, alice.identity.hash)).toEqual(pointer.signedUpdate)
    })
  })
  runSecondFactorSuite(name, factory)
}
