// LocalAccount beyond the conformance suite (Peergos AccountWithStorage / JdbcAccount semantics): a
// staged password change is served from `pendinglogin` until its pointer is published, then promoted;
// malformed identity updates are refused before anything is staged; the second-factor hook.
import { beforeEach, afterEach, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { blockCid } from '../../../src/codec/cid.ts'
import { InvalidObjectError } from '../../../src/model/errors.ts'
import type { LoginData } from '../../../src/model/login-data.ts'
import { openSignedPointerUpdate, pointerUpdate, signPointerUpdate } from '../../../src/model/pointer-update.ts'
import { userStaticDataToCbor } from '../../../src/model/user-static-data.ts'
import { encodeWriterData } from '../../../src/model/writer-data.ts'
import { MfaRequiredError } from '../../../src/services/errors.ts'
import { LocalAccount, readerColumn, UnknownUserError } from '../../../src/server/services/local-account.ts'
import { keyPair, loginAuth, loginDataFor, newUser, signUp, signedBlock, signedTime, type KeyPair, type TestUser } from '../../conformance/pki-users.ts'
import { pkiEnv, SERVER_ID, type PkiEnv } from './pki-env.ts'

describe('LocalAccount', () => {
  let env: PkiEnv
  let alice: TestUser
  let account: LocalAccount
  const hexEntry = (l: LoginData): string => Buffer.from(encodeCbor(userStaticDataToCbor(l.entryPoints))).toString('hex')
  const get = async (a: LocalAccount, k: KeyPair): Promise<string> =>
    Buffer.from(encodeCbor(userStaticDataToCbor(await a.getLoginData('alice', k.publicKey, signedTime(env.c, k))))).toString('hex')
  const newWd = async () => {
    const bytes = encodeWriterData({ controller: alice.identity.hash, followRequestReceiver: keyPair(env.c).hash })
    const signup = await env.pointers.getPointer(alice.identity.hash, alice.identity.hash)
    return { bytes, cid: blockCid(env.c, bytes, false), old: openSignedPointerUpdate(env.c, alice.identity.publicKey, signup!).updated }
  }

  beforeEach(async () => {
    env = await pkiEnv()
    alice = newUser(env.c, 'alice', SERVER_ID)
    await signUp(env.c, env.core, alice)
    account = new LocalAccount({ crypto: env.c, logins: env.stores.logins, core: env.core, storage: env.storage, pointers: env.pointers })
  })
  afterEach(async () => {
    await env.close()
  })

  it('serves a staged password change until its pointer is published, then promotes it', async () => {
    const before = await get(account, alice.login)
    const next = keyPair(env.c)
    const staged = { ...loginDataFor(env.c, alice), authorisedReader: next.publicKey }
    const wd = await newWd()
    const tid = await env.storage.startTransaction(alice.identity.hash)
    const b = signedBlock(env.c, alice.identity, wd.bytes)
    await env.storage.put(alice.identity.hash, alice.identity.hash, [b.signature], [b.block], tid, false)
    await env.stores.logins.setPending({ username: 'alice', entry: encodeCbor(userStaticDataToCbor(staged.entryPoints)), reader: readerColumn(next.publicKey), writer: alice.identity.hash, target: wd.cid })
    // Interrupted before the pointer: both logins work; the live row is unchanged.
    expect(await get(account, next)).toBe(hexEntry(staged))
    expect(await get(account, alice.login)).toBe(before)
    expect(await env.stores.logins.listPending('alice')).toHaveLength(1)
    // The pointer is published: the next login with the new key completes the change.
    await env.pointers.setPointer(alice.identity.hash, alice.identity.hash, signPointerUpdate(env.c, alice.identity.secretKey, pointerUpdate(wd.old, wd.cid, 2)))
    expect(await get(account, next)).toBe(hexEntry(staged))
    expect((await env.stores.logins.get('alice'))?.reader).toEqual(readerColumn(next.publicKey))
    expect(await env.stores.logins.listPending('alice')).toEqual([])
    await expect(get(account, alice.login)).rejects.toThrow('Incorrect username or password')
  })

  it('refuses identity updates that are not the identity WriterData, before staging anything', async () => {
    const wd = await newWd()
    const other = keyPair(env.c)
    const pointer = { writer: alice.identity.hash, signedUpdate: signPointerUpdate(env.c, alice.identity.secretKey, pointerUpdate(wd.old, blockCid(env.c, new Uint8Array([0xa0]), false), 2)) }
    const wrongTarget: LoginData = { ...loginDataFor(env.c, alice), identityUpdate: { block: signedBlock(env.c, alice.identity, wd.bytes), pointer } }
    await expect(account.setLoginData(wrongTarget, loginAuth(env.c, alice.identity, wrongTarget), false)).rejects.toThrow(InvalidObjectError)
    const wrongWriter: LoginData = { ...loginDataFor(env.c, alice), identityUpdate: { block: signedBlock(env.c, other, wd.bytes), pointer: { ...pointer, writer: other.hash } } }
    await expect(account.setLoginData(wrongWriter, loginAuth(env.c, alice.identity, wrongWriter), false)).rejects.toThrow(InvalidObjectError)
    expect(await env.stores.logins.listPending('alice')).toEqual([])
    expect(await env.openTransactionBlocks()).toBe(0)
  })

  it('refuses login data for a username without a claim', async () => {
    const ghost = { ...loginDataFor(env.c, alice), username: 'ghost' }
    await expect(account.setLoginData(ghost, loginAuth(env.c, alice.identity, ghost), false)).rejects.toThrow(UnknownUserError)
  })

  it('asks the second-factor hook only once the reader matched', async () => {
    const seen: Array<Uint8Array | undefined> = []
    const gated = new LocalAccount({
      crypto: env.c, logins: env.stores.logins, core: env.core, storage: env.storage, pointers: env.pointers,
      secondFactor: async (_u, mfa) => {
        seen.push(mfa)
        if (mfa === undefined) throw new MfaRequiredError(new Uint8Array([1]))
      },
    })
    await expect(get(gated, alice.login)).rejects.toThrow(MfaRequiredError)
    const wrong = keyPair(env.c)
    await expect(get(gated, wrong)).rejects.toThrow('Incorrect username or password')
    expect(seen).toHaveLength(1)
    await gated.getLoginData('alice', alice.login.publicKey, signedTime(env.c, alice.login), new Uint8Array([9]))
    expect(seen).toHaveLength(2)
  })
})
