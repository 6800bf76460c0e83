// LoginStore (login, pendinglogin) and MfaStore (mfa, mfa_challenge) conformance on every dialect.
import { beforeEach, expect, it } from 'vitest'
import { cidToString, CODEC_DAG_CBOR, identityCid } from '../../../src/codec/cid.ts'
import { StoreLimitError } from '../../../src/server/db/errors.ts'
import { LoginStore } from '../../../src/server/db/login-store.ts'
import { MfaStore, MfaType } from '../../../src/server/db/mfa-store.ts'
import { toBase64, type Database } from '../../../src/server/db/sql.ts'
import { describeDialects } from './dialects.ts'
import { signed, text, writer } from './helpers.ts'

const reader = (i: number): Uint8Array => new Uint8Array([0x82, 0x01, 0x58, 0x20, ...new Uint8Array(32).fill(i)])
const target = (i: number) => identityCid(CODEC_DAG_CBOR, new Uint8Array([i]))

describeDialects('LoginStore', (d) => {
  let db: Database
  let store: LoginStore
  beforeEach(async () => {
    db = await d.open()
    store = await LoginStore.open(db)
  })

  it('sets, replaces and reads login rows, matching the reader', async () => {
    const e1 = signed('e1')
    await store.set({ username: 'alice', entry: e1, reader: reader(1) })
    expect(await store.get('alice')).toEqual({ username: 'alice', entry: e1, reader: reader(1) })
    expect(text(await store.getEntry('alice', reader(1)))).toBe(text(e1))
    expect(await store.getEntry('alice', reader(2))).toBeUndefined()
    const e2 = signed('e2')
    await store.set({ username: 'alice', entry: e2, reader: reader(2) })
    expect(text(await store.getEntry('alice', reader(2)))).toBe(text(e2))
    expect(await store.getEntry('alice', reader(1))).toBeUndefined()
    expect(await db.query('SELECT username, entry, reader FROM login;')).toEqual([{ username: 'alice', entry: toBase64(e2), reader: toBase64(reader(2)) }])
    await store.remove('alice')
    expect(await store.get('alice')).toBeUndefined()
  })

  it('stages password changes per (username, reader), retries in place, and clears them on set', async () => {
    await store.set({ username: 'bob', entry: signed('live'), reader: reader(1) })
    await store.setPending({ username: 'bob', entry: signed('p2'), reader: reader(2), writer: writer(1), target: target(1), created: 1000 })
    const retry = signed('p2 retry')
    await store.setPending({ username: 'bob', entry: retry, reader: reader(2), writer: writer(1), target: target(2), created: 2000 })
    await store.setPending({ username: 'bob', entry: signed('p3'), reader: reader(3), writer: writer(1), target: target(3), created: 3000 })
    const pending = await store.listPending('bob')
    expect(pending.map((p) => p.created)).toEqual([2000, 3000])
    const p2 = (await store.getPending('bob', reader(2)))!
    expect(text(p2.entry)).toBe(text(retry))
    expect(cidToString(p2.writer)).toBe(cidToString(writer(1)))
    expect(cidToString(p2.target)).toBe(cidToString(target(2)))
    const [row] = await db.query('SELECT writer, target FROM pendinglogin WHERE reader = ?;', [toBase64(reader(3))])
    expect(row.target).toBe(cidToString(target(3)))
    expect(row.writer).toBe(toBase64(new Uint8Array([0xd8, 0x2a, 0x58, writer(1).bytes.length + 1, 0, ...writer(1).bytes])))
    expect(text((await store.get('bob'))!.entry)).not.toBe(text(retry)) // the live login is untouched
    await store.set({ username: 'bob', entry: signed('new live'), reader: reader(4) })
    expect(await store.listPending('bob')).toEqual([])
  })

  it('promotes a staged change atomically', async () => {
    await store.set({ username: 'carol', entry: signed('live'), reader: reader(1) })
    const staged = signed('staged')
    await store.setPending({ username: 'carol', entry: staged, reader: reader(2), writer: writer(2), target: target(1) })
    expect(await store.promotePending('carol', reader(9))).toBe(false)
    expect(await store.promotePending('carol', reader(2))).toBe(true)
    expect(text(await store.getEntry('carol', reader(2)))).toBe(text(staged))
    expect(await store.listPending('carol')).toEqual([])
  })

  it('limits staged changes per user', async () => {
    for (let i = 0; i < 3; i++) await store.setPending({ username: 'dave', entry: signed(), reader: reader(i), writer: writer(1), target: target(i) }, 3)
    await expect(store.setPending({ username: 'dave', entry: signed(), reader: reader(7), writer: writer(1), target: target(7) }, 3)).rejects.toBeInstanceOf(StoreLimitError)
    await store.setPending({ username: 'dave', entry: signed(), reader: reader(1), writer: writer(1), target: target(1) }, 3) // a retry is fine
    await store.clearPending('dave')
    expect(await store.listPending('dave')).toEqual([])
  })
})

describeDialects('MfaStore', (d) => {
  let store: MfaStore
  beforeEach(async () => {
    const db = await d.open()
    await LoginStore.open(db)
    store = await MfaStore.open(db)
  })

  const cred = (i: number) => new Uint8Array(32).fill(i)
  const row = (i: number, type: number = MfaType.TOTP, enabled = false) =>
    ({ username: 'alice', name: `key${i}`, credentialId: cred(i), type, enabled, created: 20_000 + i, value: new Uint8Array([i, i]) })

  it('adds, lists, updates, enables and removes factors', async () => {
    expect(await store.add(row(1))).toBe(true)
    expect(await store.add(row(2, MfaType.WEBAUTHN, true))).toBe(true)
    expect(await store.count('alice')).toBe(2)
    expect(await store.get('alice', cred(2))).toEqual(row(2, MfaType.WEBAUTHN, true))
    expect(await store.setEnabled('alice', cred(1), true)).toBe(true)
    expect((await store.get('alice', cred(1)))!.enabled).toBe(true)
    expect(await store.setValue('alice', cred(2), new Uint8Array([9]))).toBe(true)
    expect((await store.get('alice', cred(2)))!.value).toEqual(new Uint8Array([9]))
    expect(await store.compareAndSetValue('alice', cred(2), new Uint8Array([8]), new Uint8Array([7]), '3')).toBe(false)
    expect(await store.compareAndSetValue('alice', cred(2), new Uint8Array([9]), new Uint8Array([7]), '3')).toBe(true)
    expect((await store.get('alice', cred(2)))!.name).toBe('3')
    expect(await store.remove('alice', cred(1))).toBe(true)
    expect((await store.list('alice')).map((r) => r.name)).toEqual(['3'])
  })

  it('drops unverified factors of a type and enforces the maximum', async () => {
    for (let i = 0; i < 3; i++) expect(await store.add(row(i))).toBe(true)
    expect(await store.add(row(3), 3)).toBe(false)
    await store.setEnabled('alice', cred(0), true)
    expect(await store.removeUnverified('alice', MfaType.TOTP)).toBe(2)
    expect((await store.list('alice')).map((r) => r.name)).toEqual(['key0'])
  })

  it('upserts challenges', async () => {
    expect(await store.getChallenge('alice')).toBeUndefined()
    await store.setChallenge('alice', new Uint8Array([1]))
    await store.setChallenge('alice', new Uint8Array([2]))
    expect(await store.getChallenge('alice')).toEqual(new Uint8Array([2]))
  })
})
