// UsageStore, ServerIdStore and SpaceRequestStore conformance on every dialect.
import { beforeEach, expect, it } from 'vitest'
import { cidToString, CODEC_DAG_CBOR, identityCid } from '../../../src/codec/cid.ts'
import { ServerIdStore } from '../../../src/server/db/server-id-store.ts'
import { SpaceRequestStore } from '../../../src/server/db/space-request-store.ts'
import type { Database } from '../../../src/server/db/sql.ts'
import { UsageStore } from '../../../src/server/db/usage-store.ts'
import { describeDialects } from './dialects.ts'
import { writer } from './helpers.ts'

const root = (i: number) => identityCid(CODEC_DAG_CBOR, new Uint8Array([i]))
const names = (ks: { bytes: Uint8Array }[]) => ks.map((k) => Buffer.from(k.bytes).toString('hex'))

describeDialects('UsageStore', (d) => {
  let db: Database
  let store: UsageStore
  beforeEach(async () => {
    db = await d.open()
    store = await UsageStore.open(db)
  })

  it('registers users and writers idempotently and tracks pending and confirmed usage', async () => {
    const [id, w2] = [writer(1), writer(2)]
    await store.addUserIfAbsent('alice')
    await store.addUserIfAbsent('alice')
    await store.addWriter('alice', id)
    await store.addWriter('alice', id)
    await store.addWriter('alice', w2)
    await expect(store.addWriter('nobody', writer(3))).rejects.toThrow(/Unknown user/)
    expect(await store.getOwner(w2)).toBe('alice')
    expect(await store.getOwner(writer(3))).toBeUndefined()
    expect(names(await store.getWriters('alice'))).toEqual(names([id, w2]))
    expect(names(await store.getAllWriters())).toEqual(names([id, w2]))
    expect(await store.addPendingUsage(w2, 100)).toBe(true)
    expect(await store.addPendingUsage(w2, 50)).toBe(true)
    expect(await store.addPendingUsage(writer(3), 50)).toBe(false)
    let usage = await store.getUserUsage('alice')
    expect(usage.totalBytes).toBe(0)
    expect(usage.pending.map((p) => [cidToString(p.writer), p.bytes])).toEqual([[cidToString(w2), 150]])
    expect(await store.confirmUsage('alice', w2, 150, false)).toBe(true)
    usage = await store.getUserUsage('alice')
    expect(usage).toEqual({ totalBytes: 150, errored: false, pending: [] })
    expect(await store.getAllUsage()).toEqual(new Map([['alice', 150]]))
    expect(await store.getUserUsage('nobody')).toEqual({ totalBytes: 0, errored: false, pending: [] })
    const [row] = await db.query('SELECT key_hash FROM writers WHERE id = (SELECT MIN(id) FROM writers);')
    expect(Buffer.from(row.key_hash as Uint8Array).toString('hex')).toBe(Buffer.from(id.bytes).toString('hex'))
  })

  it('updates a writer usage by CAS on its target, with owned keys', async () => {
    const [id, child] = [writer(1), writer(2)]
    await store.addUserIfAbsent('alice')
    await store.addWriter('alice', id)
    await store.addWriter('alice', child)
    await store.addPendingUsage(id, 10)
    const base = { writer: id, removedOwned: [], directSize: 1000, delta: 1000, errored: false }
    expect(await store.updateWriterUsage({ ...base, oldTarget: root(9), newTarget: root(1), addedOwned: [] })).toBe(false)
    expect(await store.updateWriterUsage({ ...base, oldTarget: undefined, newTarget: root(1), addedOwned: [child] })).toBe(true)
    expect(await store.updateWriterUsage({ ...base, oldTarget: undefined, newTarget: root(2), addedOwned: [] })).toBe(false)
    let wu = (await store.getWriterUsage(id))!
    expect(wu.owner).toBe('alice')
    expect(cidToString(wu.target!)).toBe(cidToString(root(1)))
    expect(wu.directSize).toBe(1000)
    expect(names(wu.owned)).toEqual(names([child]))
    expect(await store.updateWriterUsage({ ...base, oldTarget: root(1), newTarget: root(2), addedOwned: [], removedOwned: [child], directSize: 400, delta: -600 })).toBe(true)
    wu = (await store.getWriterUsage(id))!
    expect(wu.owned).toEqual([])
    expect(wu.directSize).toBe(400)
    expect((await store.getUserUsage('alice')).totalBytes).toBe(400)
    expect((await store.getWriterUsage(child))!.target).toBeUndefined()
    expect(await store.getWriterUsage(writer(7))).toBeUndefined()
  })

  it('removes a user with their owned writers', async () => {
    const [id, child] = [writer(1), writer(2)]
    await store.addUserIfAbsent('alice')
    await store.addWriter('alice', id)
    await store.addWriter('alice', child)
    await store.updateWriterUsage({ writer: id, oldTarget: undefined, newTarget: root(1), addedOwned: [child], removedOwned: [], directSize: 1, delta: 1, errored: false })
    await store.removeUser('alice')
    expect(await store.getAllUsage()).toEqual(new Map())
    expect(await store.getOwner(id)).toBeUndefined()
    expect(names(await store.getAllWriters())).toEqual(names([id]))
    await store.removeUser('alice')
  })
})

describeDialects('ServerIdStore', (d) => {
  let store: ServerIdStore
  beforeEach(async () => { store = await ServerIdStore.open(await d.open()) })

  it('keeps the history of server identities with keys and records', async () => {
    const [p1, p2] = [new Uint8Array([0, 36, 8, 1]), new Uint8Array([0, 36, 8, 2])]
    expect(await store.addIdentity(p1, new Uint8Array([1]))).toBe(true)
    expect(await store.addIdentity(p1, new Uint8Array([9]))).toBe(false)
    expect(await store.addIdentity(p2, new Uint8Array([2]))).toBe(true)
    expect(await store.getIdentities()).toEqual([p1, p2])
    expect(await store.getPrivateKey(p1)).toBeUndefined()
    expect(await store.setPrivateKey(p1, new Uint8Array([7, 7]))).toBe(true)
    expect(await store.getPrivateKey(p1)).toEqual(new Uint8Array([7, 7]))
    expect(await store.getRecord(p2)).toEqual(new Uint8Array([2]))
    expect(await store.setRecord(p2, new Uint8Array([3]), new Uint8Array([9]))).toBe(false)
    expect(await store.setRecord(p2, new Uint8Array([3]), new Uint8Array([2]))).toBe(true)
    expect(await store.setRecord(p2, new Uint8Array([4]))).toBe(true)
    expect(await store.getRecord(p2)).toEqual(new Uint8Array([4]))
    expect(await store.getRecord(new Uint8Array([5]))).toBeUndefined()
  })
})

describeDialects('SpaceRequestStore', (d) => {
  let store: SpaceRequestStore
  beforeEach(async () => { store = await SpaceRequestStore.open(await d.open()) })

  it('adds one request per user, lists and removes exact bytes', async () => {
    expect(await store.add('bob', new Uint8Array([1]))).toBe(true)
    expect(await store.add('bob', new Uint8Array([2]))).toBe(false)
    expect(await store.add('alice', new Uint8Array([3]))).toBe(true)
    expect(await store.list()).toEqual([{ name: 'alice', request: new Uint8Array([3]) }, { name: 'bob', request: new Uint8Array([1]) }])
    expect(await store.remove('bob', new Uint8Array([2]))).toBe(false)
    expect(await store.remove('bob', new Uint8Array([1]))).toBe(true)
    expect(await store.list()).toHaveLength(1)
  })
})
