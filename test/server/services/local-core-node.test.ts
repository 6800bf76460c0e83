// LocalCoreNode (reference §4.3, §5.3): proof of work in Peergos' reply shape, free key changes,
// signup tokens and the home-server rule, persistence of the PKI CHAMP under its signed pointer, and
// a signup's OpLog leaving nothing behind when any step fails.
import { afterEach, describe, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { CasFailedError, InvalidClaimChainError } from '../../../src/model/errors.ts'
import { openSignedPointerUpdate } from '../../../src/model/pointer-update.ts'
import { emptyProofOfWork, proofOfWorkSatisfies } from '../../../src/model/proof-of-work.ts'
import { publicKeyFromHash } from '../../../src/model/signing-keys.ts'
import { createKeyChangeChain, encodeChain, type UserPublicKeyLink } from '../../../src/model/user-public-key-link.ts'
import { DifficultyGenerator, fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'
import { InvalidSignupTokenError, SignupRefusedError } from '../../../src/server/services/pki/errors.ts'
import { keyPair, newUser, signUp, signupOpLog, updateChain } from '../../conformance/pki-users.ts'
import { fakePeerId } from './local-bundle.ts'
import { pkiEnv, SERVER_ID, type PkiEnv } from './pki-env.ts'

/** A fresh value whose chain an empty proof of work does not already satisfy at `difficulty`. */
function untilNeedsWork<T>(env: PkiEnv, difficulty: number, make: () => T, chainOf: (x: T) => UserPublicKeyLink[]): T {
  for (;;) {
    const x = make()
    if (!proofOfWorkSatisfies(env.c, emptyProofOfWork(), encodeChain(chainOf(x)), difficulty)) return x
  }
}

describe('LocalCoreNode', () => {
  let env: PkiEnv
  afterEach(async () => {
    await env?.close()
  })

  it('asks for proof of work with the required difficulty, and accepts it', async () => {
    env = await pkiEnv({ difficulty: fixedDifficulty(10) })
    // An empty proof meets difficulty 10 for one chain in 1,024: pick one it does not.
    const u = untilNeedsWork(env, 10, () => newUser(env.c, 'alice', SERVER_ID), (x) => x.chain)
    expect(await env.core.signup('alice', u.chain[0], await signupOpLog(env.c, u), emptyProofOfWork(), '')).toEqual({ difficulty: 10 })
    expect(await env.core.getChain('alice')).toEqual([])
    expect(await env.stores.logins.get('alice')).toBeUndefined()
    await signUp(env.c, env.core, u)
    expect(await env.core.getUsername(u.identity.hash)).toBe('alice')
  })

  it("uses Peergos' rate-based difficulty: free under the rate, harder in a burst", async () => {
    let now = Date.now()
    env = await pkiEnv({ difficulty: new DifficultyGenerator(now, 20_000), now: () => now })
    const a = newUser(env.c, 'alice', SERVER_ID)
    expect(await env.core.signup('alice', a.chain[0], await signupOpLog(env.c, a), emptyProofOfWork(), '')).toBeUndefined()
    now += 50
    const b = newUser(env.c, 'bob', SERVER_ID)
    expect(await env.core.signup('bob', b.chain[0], await signupOpLog(env.c, b), emptyProofOfWork(), '')).toEqual({ difficulty: 19 })
  })

  it('lets key changes through without work up to the free limit, then asks for work', async () => {
    env = await pkiEnv({ difficulty: fixedDifficulty(6), maxFreeIdentityChanges: 1 })
    const u = newUser(env.c, 'alice', SERVER_ID)
    await signUp(env.c, env.core, u)
    const k2 = keyPair(env.c)
    const expiry = u.chain[0].claim.expiry
    const c1 = createKeyChangeChain(env.c, u.identity.signer, k2.signer, 'alice', expiry, [SERVER_ID])
    expect(await env.core.updateChain('alice', c1, emptyProofOfWork(), '')).toBeUndefined()
    const c2 = untilNeedsWork(env, 6, () => [c1[0], ...createKeyChangeChain(env.c, k2.signer, keyPair(env.c).signer, 'alice', expiry, [SERVER_ID])], (x) => x)
    expect(await env.core.updateChain('alice', c2, emptyProofOfWork(), '')).toEqual({ difficulty: 6 })
    await updateChain(env.c, env.core, 'alice', c2)
    expect(await env.core.getChain('alice')).toHaveLength(3)
  })

  it('applies the signup policy: closed, invalid token, one-use token, free places', async () => {
    env = await pkiEnv()
    const node = await env.open({ signups: { quotas: env.stores.quotas, maxUsers: 0 } })
    const u = (n: string) => newUser(env.c, n, SERVER_ID)
    await expect(signUp(env.c, node, u('alice'))).rejects.toThrow(SignupRefusedError)
    await expect(signUp(env.c, node, u('alice'))).rejects.toThrow('This server is not currently accepting new sign ups. Please try again later')
    await expect(signUp(env.c, node, u('alice'), undefined, 'bogus')).rejects.toThrow(InvalidSignupTokenError)
    await expect(signUp(env.c, node, u('alice'), undefined, 'bogus')).rejects.toThrow('Invalid signup token.')
    await env.stores.quotas.addToken('t1')
    await signUp(env.c, node, u('alice'), undefined, 't1')
    expect(await env.stores.quotas.hasToken('t1')).toBe(false)
    expect(await env.stores.quotas.getStoredQuota('alice')).toBe(env.stores.quotas.defaultQuota)
    await expect(signUp(env.c, node, u('bob'), undefined, 't1')).rejects.toThrow('Invalid signup token.')
    expect(await node.getChain('bob')).toEqual([])
    const open = await env.open({ signups: { quotas: env.stores.quotas, maxUsers: 2 } })
    await signUp(env.c, open, u('carol'))
    expect(await env.stores.quotas.getStoredQuota('carol')).toBe(env.stores.quotas.defaultQuota)
    await expect(signUp(env.c, open, u('dave'))).rejects.toThrow(SignupRefusedError)
  })

  it('refuses a signup for another home server', async () => {
    env = await pkiEnv({ serverIds: [SERVER_ID] })
    const u = newUser(env.c, 'alice', fakePeerId(env.c))
    await expect(signUp(env.c, env.core, u)).rejects.toThrow(/^Trying to signup to wrong host! /)
    expect(await env.core.getChain('alice')).toEqual([])
  })

  it('refuses to give one identity key two usernames, and a repeated signup changes nothing', async () => {
    env = await pkiEnv()
    const u = newUser(env.c, 'alice', SERVER_ID)
    await signUp(env.c, env.core, u)
    const twin = newUser(env.c, 'alice2', SERVER_ID, u.identity)
    await expect(signUp(env.c, env.core, twin)).rejects.toThrow(InvalidClaimChainError)
    const login = await env.stores.logins.get('alice')
    await expect(signUp(env.c, env.core, u)).rejects.toThrow(CasFailedError)
    expect(await env.stores.logins.get('alice')).toEqual(login)
    expect(await env.core.getUsernames('')).toEqual(['alice'])
  })

  it('refuses a chain whose claims name another user', async () => {
    env = await pkiEnv()
    const alice = newUser(env.c, 'alice', SERVER_ID)
    await signUp(env.c, env.core, alice)
    const renamed = newUser(env.c, 'bob', SERVER_ID, alice.identity).chain
    await expect(env.core.updateChain('alice', renamed, emptyProofOfWork(), '')).rejects.toThrow('Claim chain is not for alice')
    await expect(env.core.updateChain('carol', newUser(env.c, 'dave', SERVER_ID).chain, emptyProofOfWork(), '')).rejects.toThrow(InvalidClaimChainError)
    expect(Buffer.from(encodeChain(await env.core.getChain('alice')))).toEqual(Buffer.from(encodeChain(alice.chain)))
  })

  it('persists the PKI: a new node over the same pointer serves the same chains; sequences start at 2', async () => {
    env = await pkiEnv()
    const pkiPointer = async () => openSignedPointerUpdate(env.c, publicKeyFromHash(env.pki.writer)!, (await env.pointers.getPointer(env.pki.owner, env.pki.writer))!)
    expect((await pkiPointer()).sequence).toBe(2)
    const names = ['alice', 'bob', 'carol', 'a-b', '0_0']
    for (const n of names) await signUp(env.c, env.core, newUser(env.c, n, SERVER_ID))
    expect((await pkiPointer()).sequence).toBe(2 + names.length)
    const again = await env.open()
    expect(await again.getUsernames('')).toEqual(expect.arrayContaining(names))
    for (const n of names) expect(Buffer.from(encodeChain(await again.getChain(n)))).toEqual(Buffer.from(encodeChain(await env.core.getChain(n))))
    expect(cidToString(again.treeRoot!)).toBe(cidToString(env.core.treeRoot!))
    expect(again.skipped).toEqual([])
    expect(await env.core.getUsernames('a')).toEqual(['alice', 'a-b'])
  })

  it('leaves nothing visible when a block write, the pointers or the PKI write fails', async () => {
    env = await pkiEnv()
    await signUp(env.c, env.core, newUser(env.c, 'alice', SERVER_ID))
    const pki = await env.pointers.getPointer(env.pki.owner, env.pki.writer)
    const u = newUser(env.c, 'bob', SERVER_ID)
    const nothing = async (): Promise<void> => {
      expect(await env.core.getChain('bob')).toEqual([])
      expect(env.core.usernameForWrites(u.identity.hash)).toBeUndefined()
      expect(await env.pointers.getPointer(u.identity.hash, u.identity.hash)).toBeUndefined()
      expect(await env.pointers.getPointer(u.identity.hash, u.rootWriter.hash)).toBeUndefined()
      expect(await env.stores.logins.get('bob')).toBeUndefined()
      expect(await env.stores.bats.getOwner(u.batId)).toBeUndefined()
      expect(await env.pointers.getPointer(env.pki.owner, env.pki.writer)).toEqual(pki)
      expect(await env.openTransactionBlocks()).toBe(0)
    }
    env.faults.put = (w) => (w.equals(u.rootWriter.hash) ? new Error('disk full') : undefined)
    await expect(signUp(env.c, env.core, u)).rejects.toThrow('disk full')
    await nothing()
    env.faults.put = undefined
    // The login row and the mirror BAT are written by then: both are undone.
    env.faults.setPointers = new Error('database gone')
    await expect(signUp(env.c, env.core, u)).rejects.toThrow('database gone')
    await nothing()
    env.faults.setPointers = undefined
    env.faults.put = (w) => (w.equals(env.pki.writer) ? new Error('pki disk full') : undefined)
    await expect(signUp(env.c, env.core, u)).rejects.toThrow('pki disk full')
    await nothing()
    env.faults.put = undefined
    await signUp(env.c, env.core, u)
    expect(await env.core.getUsername(u.identity.hash)).toBe('bob')
    expect(await env.stores.bats.getOwner(u.batId)).toBe('bob')
  })

  it("commits the OpLog's pointers and the PKI's claim in one pointer transaction", async () => {
    env = await pkiEnv()
    const store = env.services.context.pointerStore
    const setMany = store.setMany.bind(store)
    const calls: string[][] = []
    store.setMany = async (updates) => {
      calls.push(updates.map((x) => cidToString(x.writer)).sort())
      return setMany(updates)
    }
    const u = newUser(env.c, 'alice', SERVER_ID)
    await signUp(env.c, env.core, u)
    expect(calls).toEqual([[u.identity.hash, u.rootWriter.hash, env.pki.writer].map(cidToString).sort()])
    // When that transaction does not apply, neither the claim nor any pointer is visible.
    const pki = await env.pointers.getPointer(env.pki.owner, env.pki.writer)
    store.setMany = async () => false
    const v = newUser(env.c, 'bob', SERVER_ID)
    await expect(signUp(env.c, env.core, v)).rejects.toThrow('Pointer updates refused')
    expect(await env.core.getChain('bob')).toEqual([])
    expect(await env.pointers.getPointer(env.pki.owner, env.pki.writer)).toEqual(pki)
    expect(await env.pointers.getPointer(v.identity.hash, v.identity.hash)).toBeUndefined()
    expect(await env.stores.logins.get('bob')).toBeUndefined()
    expect(await env.stores.bats.getOwner(v.batId)).toBeUndefined()
    store.setMany = setMany
    await signUp(env.c, env.core, v)
    expect(await env.core.getUsername(v.identity.hash)).toBe('bob')
  })
})
