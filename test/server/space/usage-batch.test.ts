// UsageStore.updateWriterUsages, the batch the accounting writes (reference §7.5; JdbcUsageStore
// updateWriterUsageAtomically, several in one transaction) on every dialect: each CAS on its own, pending
// bytes kept as given, the errored flag, owned keys added and removed.
import { beforeEach, expect, it } from 'vitest'
import { CODEC_DAG_CBOR, identityCid } from '../../../src/codec/cid.ts'
import type { Database } from '../../../src/server/db/sql.ts'
import { UsageStore } from '../../../src/server/db/usage-store.ts'
import { describeDialects } from '../db/dialects.ts'
import { writer } from '../db/helpers.ts'

const root = (i: number) => identityCid(CODEC_DAG_CBOR, new Uint8Array([i]))

describeDialects('UsageStore batches', (d) => {
  let db: Database
  let store: UsageStore
  beforeEach(async () => {
    db = await d.open()
    store = await UsageStore.open(db)
    await store.addUserIfAbsent('alice')
    for (const i of [1, 2, 3]) await store.addWriter('alice', writer(i))
  })

  it('applies every update whose CAS holds, in one call, and keeps the pending bytes given', async () => {
    const common = { removedOwned: [], addedOwned: [], errored: false }
    const applied = await store.updateWriterUsages([
      { ...common, writer: writer(1), oldTarget: undefined, newTarget: root(1), directSize: 100, delta: 100, addedOwned: [writer(2)] },
      { ...common, writer: writer(2), oldTarget: root(9), newTarget: root(2), directSize: 50, delta: 50 },
      { ...common, writer: writer(3), oldTarget: undefined, newTarget: root(3), directSize: 30, delta: 30, pendingBytes: 700, errored: true },
    ])
    expect(applied).toEqual([true, false, true])
    expect(await store.getUserUsage('alice')).toEqual({ totalBytes: 130, errored: true, pending: [{ writer: writer(3), bytes: 700 }] })
    expect(await store.getWriterUsage(writer(1))).toMatchObject({ directSize: 100, owned: [writer(2)] })
    expect((await store.getWriterUsage(writer(2)))?.target).toBeUndefined()

    // an update that changes nothing but pending and errored (a refused write)
    expect(await store.updateWriterUsages([{ ...common, writer: writer(3), oldTarget: root(3), newTarget: root(3), directSize: 30, delta: 0, pendingBytes: 0, errored: false }])).toEqual([true])
    expect(await store.getUserUsage('alice')).toEqual({ totalBytes: 130, errored: false, pending: [] })
    expect(await store.updateWriterUsages([{ ...common, writer: writer(1), oldTarget: root(1), newTarget: undefined, directSize: 0, delta: -100, removedOwned: [writer(2)] }])).toEqual([true])
    expect(await store.getWriterUsage(writer(1))).toMatchObject({ target: undefined, directSize: 0, owned: [] })
    expect((await store.getUserUsage('alice')).totalBytes).toBe(30)
    expect(await store.updateWriterUsages([])).toEqual([])
  })
})
