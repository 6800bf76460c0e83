// LinkCountStore, TransactionStore and QuotaStore conformance on every dialect, including the
// atomic max-uses increment and single-use signup tokens under concurrency.
import { beforeEach, expect, it } from 'vitest'
import { cidToString, CODEC_RAW, identityCid } from '../../../src/codec/cid.ts'
import { LinkCountStore } from '../../../src/server/db/link-count-store.ts'
import { DEFAULT_QUOTA, QuotaStore } from '../../../src/server/db/quota-store.ts'
import type { Database } from '../../../src/server/db/sql.ts'
import { TransactionStore } from '../../../src/server/db/transaction-store.ts'
import { describeDialects } from './dialects.ts'
import { writer } from './helpers.ts'

const block = (i: number) => identityCid(CODEC_RAW, new Uint8Array([i, i, i]))

describeDialects('LinkCountStore', (d) => {
  let store: LinkCountStore
  beforeEach(async () => { store = await LinkCountStore.open(await d.open()) })

  it('increments, reads, sets and lists after a time', async () => {
    expect(await store.get('alice', 7)).toBe(0)
    expect(await store.increment('alice', 7, undefined, 100)).toBe(1)
    expect(await store.increment('alice', 7, undefined, 105)).toBe(2)
    expect(await store.increment('alice', 1959756740, undefined, 110)).toBe(1)
    expect(await store.get('alice', 7)).toBe(2)
    expect(await store.listAfter('alice', 104)).toEqual([{ label: 7, count: 2, modified: 105 }, { label: 1959756740, count: 1, modified: 110 }])
    expect(await store.latestModified('alice')).toBe(110)
    expect(await store.latestModified('nobody')).toBeUndefined()
    await store.set('bob', [{ label: 3, count: 9, modified: 50 }, { label: 4, count: 1, modified: 60 }])
    expect(await store.listAfter('bob', 0)).toEqual([{ label: 3, count: 9, modified: 50 }, { label: 4, count: 1, modified: 60 }])
    expect(await store.latestModified()).toBe(110)
  })

  it('never counts past max uses, even concurrently', async () => {
    const results = await Promise.all(Array.from({ length: 20 }, () => store.increment('alice', 42, 5)))
    expect(results.filter((r) => r !== undefined).sort()).toEqual([1, 2, 3, 4, 5])
    expect(await store.get('alice', 42)).toBe(5)
    expect(await store.increment('alice', 43, 0)).toBeUndefined()
    expect(await store.get('alice', 43)).toBe(0)
  })
})

describeDialects('TransactionStore', (d) => {
  let db: Database
  let store: TransactionStore
  beforeEach(async () => {
    db = await d.open()
    store = await TransactionStore.open(db)
  })

  it('tracks open-transaction blocks until closed or expired', async () => {
    const [alice, bob] = [writer(1), writer(2)]
    const t1 = store.startTransaction()
    const t2 = store.startTransaction()
    expect(t1).not.toBe(t2)
    await store.addBlocks(alice, t1, [block(1), block(2)], 1000)
    await store.addBlocks(alice, t2, [block(3)], 5000)
    await store.addBlocks(bob, t1, [block(4)], 1000)
    expect((await store.openBlocks(alice)).map(cidToString).sort()).toEqual([block(1), block(2), block(3)].map(cidToString).sort())
    expect((await store.allOpenBlocks()).length).toBe(4)
    await store.closeTransaction(alice, t1)
    expect((await store.openBlocks(alice)).map(cidToString)).toEqual([cidToString(block(3))])
    expect((await store.openBlocks(bob)).map(cidToString)).toEqual([cidToString(block(4))])
    expect(await store.clearOld(6000, alice)).toBe(1)
    expect(await store.openBlocks(alice)).toEqual([])
    expect(await store.clearOld(6000)).toBe(1)
    expect(await store.allOpenBlocks()).toEqual([])
    const rows = await db.query('SELECT tid, owner, hash FROM transactions;')
    expect(rows).toEqual([])
  })

  it('records every block of a large put (several multi-row INSERTs in one database transaction)', async () => {
    const sizes = [1, 31, 32, 33, 100]
    let next = 0
    for (const [i, n] of sizes.entries()) {
      const cids = Array.from({ length: n }, () => identityCid(CODEC_RAW, new Uint8Array([next >> 8, next++ & 0xff, 7])))
      await store.addBlocks(writer(1), `tid-${i}`, cids, 100 + i)
      const rows = await db.query<{ tid: string; hash: string; time: unknown }>('SELECT tid, hash, time FROM transactions WHERE tid = ?;', [`tid-${i}`])
      expect(rows.map((r) => r.hash).sort()).toEqual(cids.map(cidToString).sort())
      expect(rows.every((r) => Number(r.time) === 100 + i)).toBe(true)
    }
    expect((await store.openBlocks(writer(1))).length).toBe(sizes.reduce((a, b) => a + b))
  })

  it('stores Peergos string forms', async () => {
    await store.addBlocks(writer(1), 'tid-1', [block(9)], 77)
    const [row] = await db.query('SELECT tid, owner, hash, time FROM transactions;')
    expect(row.tid).toBe('tid-1')
    expect(row.owner).toBe(cidToString(writer(1)))
    expect(row.hash).toBe(cidToString(block(9)))
    expect(Number(row.time)).toBe(77)
  })
})

describeDialects('QuotaStore', (d) => {
  let store: QuotaStore
  beforeEach(async () => { store = await QuotaStore.open(await d.open()) })

  it('keeps per-user quotas over a default', async () => {
    expect(store.defaultQuota).toBe(DEFAULT_QUOTA)
    expect(await store.getQuota('alice')).toBe(DEFAULT_QUOTA)
    expect(await store.hasUser('alice')).toBe(false)
    await store.setQuota('alice', 50 * 2 ** 30)
    await store.setQuota('bob', 5)
    await store.setQuota('bob', 6)
    expect(await store.getQuota('alice')).toBe(50 * 2 ** 30)
    expect(await store.getStoredQuota('bob')).toBe(6)
    expect(await store.listQuotas()).toEqual(new Map([['alice', 50 * 2 ** 30], ['bob', 6]]))
    expect(await store.numberOfUsers()).toBe(2)
    await store.removeUser('bob')
    expect(await store.getStoredQuota('bob')).toBeUndefined()
  })

  it('adds tokens once and lets exactly one concurrent consumer use each', async () => {
    expect(await store.addToken('t1')).toBe(true)
    expect(await store.addToken('t1')).toBe(false)
    expect(await store.addToken('t2')).toBe(true)
    expect(await store.listTokens()).toEqual(['t1', 't2'])
    expect(await store.hasToken('t1')).toBe(true)
    const uses = await Promise.all(Array.from({ length: 8 }, () => store.consumeToken('t1')))
    expect(uses.filter(Boolean)).toHaveLength(1)
    expect(await store.hasToken('t1')).toBe(false)
    expect(await store.listTokens()).toEqual(['t2'])
  })
})
