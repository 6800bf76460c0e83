// The garbage collector on real stores (reference §8.1; checklist B3.6, B4.2, B4.7): unreachable blocks
// go, blocks reachable from any pointer (through every merkle link) stay, blocks of open transactions
// are never deleted, and neither are blocks written while a collection runs, even under load.
import { utimes } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { CID } from '../../../src/codec/cid.ts'
import { encodeWriterData } from '../../../src/model/writer-data.ts'
import { GarbageCollector, MIN_BLOCK_AGE_MS, type GcPhase } from '../../../src/server/services/garbage-collector.ts'
import { openLocalBundle, type LocalBundle } from './local-bundle.ts'
import { cborBlock, randomBlock, TestUser, uniqueName, type WriterState } from './storage-fixtures.ts'

const HOUR = 3600_000

describe('GarbageCollector', () => {
  let b: LocalBundle
  let user: TestUser

  beforeEach(async () => {
    b = await openLocalBundle()
    user = await TestUser.create(b, uniqueName('gc'))
  })
  afterEach(async () => {
    await b.close()
  })

  /** A collector that sees every block as old, so only reachability and transactions protect them. */
  const gcAtFutureClock = (onPhase?: (p: GcPhase) => Promise<void>): GarbageCollector =>
    new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions, now: () => Date.now() + HOUR, onPhase })

  /** Backdates a stored block's write time, as if written long ago. */
  const age = async (cid: CID): Promise<void> => {
    const then = new Date(Date.now() - HOUR)
    await utimes(b.blocks.pathOf(user.username, cid), then, then)
  }

  /** Commits `w` to a tree that links the given blocks (and the previous tree), all in one open transaction. */
  const commitTree = async (w: WriterState, links: CID[], tid: string): Promise<CID> => {
    const prev = w.wd.tree
    const [tree] = await user.put(w.signer, [cborBlock(b.crypto, { f: prev === undefined ? links : [...links, prev] })], false, tid)
    const wd = { ...w.wd, tree }
    const [wdCid] = await user.put(w.signer, [encodeWriterData(wd)], false, tid)
    expect(await b.pointers.setPointer(user.owner, w.hash, user.nextUpdate(w, wdCid))).toBe(true)
    w.target = wdCid
    w.sequence = (w.sequence ?? 0) + 1
    w.wd = wd
    return tree
  }

  it('deletes unreachable blocks and keeps everything reachable through merkle links', async () => {
    const w = await user.addWriter()
    const tid = await b.storage.startTransaction(user.owner)
    const kept = await user.put(w.signer, [randomBlock(b.crypto, 3000), randomBlock(b.crypto, 5000)], true, tid)
    await commitTree(w, kept, tid)
    const garbage = [...(await user.put(w.signer, [randomBlock(b.crypto, 100)], true, tid)), ...(await user.put(w.signer, [cborBlock(b.crypto)], false, tid))]
    await b.storage.closeTransaction(user.owner, tid)

    const report = await gcAtFutureClock().collect()
    expect(report.deleted).toBeGreaterThanOrEqual(2)
    expect(report.missing).toBe(0)
    for (const cid of garbage) expect(await b.blocks.has(cid)).toBe(false)
    for (const cid of [...kept, w.wd.tree!, w.target!, user.identity.target!, user.identity.wd.ownedKeys!]) expect(await b.blocks.has(cid)).toBe(true)
    expect((await gcAtFutureClock().collect()).deleted).toBe(0)
  })

  it('never deletes blocks of an open transaction; deletes them once it is closed unreferenced', async () => {
    const tid = await b.storage.startTransaction(user.owner)
    const blocks = await user.put(user.identity.signer, [cborBlock(b.crypto), cborBlock(b.crypto)], false, tid)
    const gc = gcAtFutureClock()
    expect((await gc.collect()).pending).toBe(2)
    for (const cid of blocks) expect(await b.blocks.has(cid)).toBe(true)
    await b.storage.closeTransaction(user.owner, tid)
    await gc.collect()
    for (const cid of blocks) expect(await b.blocks.has(cid)).toBe(false)
  })

  it('drops transactions older than a day (an abandoned upload) and then their blocks', async () => {
    const tid = await b.storage.startTransaction(user.owner)
    const [cid] = await user.put(user.identity.signer, [randomBlock(b.crypto, 1000)], true, tid)
    const gc = new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions, now: () => Date.now() + 25 * HOUR })
    expect((await gc.collect()).pending).toBe(0)
    expect(await b.blocks.has(cid)).toBe(false)
  })

  it('keeps unreachable blocks written since the collection started (write-time guard)', async () => {
    const [recent] = await user.put(user.identity.signer, [randomBlock(b.crypto, 1000)], true)
    const [old] = await user.put(user.identity.signer, [randomBlock(b.crypto, 1000)], true)
    await age(old)
    const gc = new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions })
    const report = await gc.collect()
    expect(await b.blocks.has(recent)).toBe(true)
    expect(await b.blocks.has(old)).toBe(false)
    expect(report.kept).toBeGreaterThanOrEqual(1)
  })

  it('keeps unreachable blocks younger than the minimum block age, whose transaction rows a power loss may have lost', async () => {
    const at = async (cid: CID, agoMs: number): Promise<void> => {
      const then = new Date(Date.now() - agoMs)
      await utimes(b.blocks.pathOf(user.username, cid), then, then)
    }
    const [young, old] = await user.put(user.identity.signer, [randomBlock(b.crypto, 900), randomBlock(b.crypto, 901)], true)
    await at(young, MIN_BLOCK_AGE_MS - 60_000)
    await at(old, MIN_BLOCK_AGE_MS + 60_000)
    const gc = new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions })
    const report = await gc.collect()
    expect(await b.blocks.has(young)).toBe(true)
    expect(await b.blocks.has(old)).toBe(false)
    expect(report.kept).toBeGreaterThanOrEqual(1)
    // minBlockAgeMs: 0 leaves only the collection's own start as the guard
    await new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions, minBlockAgeMs: 0 }).collect()
    expect(await b.blocks.has(young)).toBe(false)
  })

  it('keeps blocks written or re-written at every phase of a running collection', async () => {
    const old = [] as CID[]
    const oldBytes = [randomBlock(b.crypto, 500), randomBlock(b.crypto, 600), randomBlock(b.crypto, 700)]
    for (const blk of oldBytes) old.push(...(await user.put(user.identity.signer, [blk], true)))
    const [control] = await user.put(user.identity.signer, [randomBlock(b.crypto, 800)], true)
    for (const cid of [...old, control]) await age(cid)
    const tid = await b.storage.startTransaction(user.owner)
    const written: CID[] = []
    const phases: GcPhase[] = ['listed', 'pending', 'marked']
    const gc = new GarbageCollector({
      blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions,
      onPhase: async (p) => {
        const i = phases.indexOf(p)
        // an upload that re-uses an old unreachable block (dedup) and adds a new one
        await user.put(user.identity.signer, [oldBytes[i]], true, tid)
        written.push(...(await user.put(user.identity.signer, [randomBlock(b.crypto, 900)], true, tid)))
      },
    })
    await gc.collect()
    for (const cid of [...old, ...written]) expect(await b.blocks.has(cid)).toBe(true)
    expect(await b.blocks.has(control)).toBe(false)
  })

  it('loses nothing committed while uploads and collections run concurrently', async () => {
    const writers = [await user.addWriter(), await user.addWriter(), await user.addWriter()]
    const gc = gcAtFutureClock()
    let stop = false
    let runs = 0
    const loop = (async () => {
      while (!stop) {
        await gc.collect()
        runs++
        await new Promise((r) => setImmediate(r))
      }
    })()
    const all: CID[] = []
    await Promise.all(writers.map(async (w) => {
      for (let round = 0; round < 8; round++) {
        const tid = await b.storage.startTransaction(user.owner)
        const raws = await user.put(w.signer, [randomBlock(b.crypto, 2000), randomBlock(b.crypto, 3000)], true, tid)
        all.push(...raws)
        all.push(await commitTree(w, raws, tid))
        await b.storage.closeTransaction(user.owner, tid)
      }
    }))
    stop = true
    await loop
    const final = await gc.collect()
    expect(runs).toBeGreaterThan(1)
    expect(final.missing).toBe(0)
    for (const cid of all) expect(await b.blocks.has(cid)).toBe(true)
    for (const w of writers) expect(await b.blocks.has(w.target!)).toBe(true)
  })
})
