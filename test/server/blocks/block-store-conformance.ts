// One conformance suite for every ServerBlockStore (file, S3): round trips, idempotence, hash and
// size checks, owner directories, identity CIDs, per-owner copies, GC listing and its write-time
// guard, reopening, corruption detection and healing, concurrency, close.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import { sha512 } from 'multiformats/hashes/sha2'
import { CODEC_DAG_CBOR, CODEC_RAW, cidToString, identityCid } from '../../../src/codec/cid.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import type { ServerBlockStore } from '../../../src/server/blocks/server-block-store.ts'
import { expectBytes, flipBit, gate, makeBlock } from './helpers.ts'

export interface StoreHarness {
  /** The store under test, over a fresh, empty backend. */
  readonly store: ServerBlockStore
  /** Closes `store` and opens a new instance over the same backend (index rebuilt from it). */
  reopen(): Promise<ServerBlockStore>
  /** Rewrites a stored copy behind the store's back. */
  tamper(ownerDir: string, cid: CID, mutate: (bytes: Uint8Array) => Uint8Array): Promise<void>
  cleanup(): Promise<void>
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

const strs = (cids: CID[]): string[] => cids.map(cidToString).sort()

export function runBlockStoreConformance(name: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(`ServerBlockStore conformance: ${name}`, () => {
    let h: StoreHarness
    let store: ServerBlockStore
    beforeEach(async () => {
      h = await makeHarness()
      store = h.store
    })
    afterEach(async () => {
      await store.close().catch(() => undefined)
      await h.cleanup()
    })

    it('round-trips raw and dag-cbor blocks of 0 bytes up to MAX_BLOCK_SIZE', async () => {
      const blocks = [await makeBlock(0), await makeBlock(1, false), await makeBlock(4096), await makeBlock(MAX_BLOCK_SIZE)]
      for (const b of blocks) await store.put('alice', b.cid, b.bytes)
      for (const b of blocks) {
        expectBytes(await store.get(b.cid), b.bytes)
        expect(await store.has(b.cid)).toBe(true)
        expect(await store.size(b.cid)).toBe(b.bytes.length)
      }
    })

    it('putBlock computes the CIDv1 sha2-256 (raw or dag-cbor) and stores the block', async () => {
      const raw = await makeBlock(5000, true)
      const cbor = await makeBlock(70, false)
      expect(cidToString(await store.putBlock('alice', raw.bytes, true))).toBe(cidToString(raw.cid))
      expect(cidToString(await store.putBlock('alice', cbor.bytes, false))).toBe(cidToString(cbor.cid))
      expectBytes(await store.get(raw.cid), raw.bytes)
      expectBytes(await store.get(cbor.cid), cbor.bytes)
      await expect(store.putBlock('alice', new Uint8Array(MAX_BLOCK_SIZE + 1), true)).rejects.toMatchObject({ name: 'BlockTooLargeError' })
      await expect(store.putBlock('../x', raw.bytes, true)).rejects.toMatchObject({ name: 'InvalidOwnerDirError' })
    })

    it('answers absent blocks with undefined / false', async () => {
      const b = await makeBlock(100)
      expect(await store.get(b.cid)).toBeUndefined()
      expect(await store.has(b.cid)).toBe(false)
      expect(await store.size(b.cid)).toBeUndefined()
      expect(await store.delete(b.cid)).toBe(false)
      expect(await collect(store.list())).toEqual([])
    })

    it('is idempotent, also under concurrent duplicate puts', async () => {
      const b = await makeBlock(50_000)
      await store.put('alice', b.cid, b.bytes)
      await Promise.all(Array.from({ length: 6 }, () => store.put('alice', b.cid, b.bytes)))
      expectBytes(await store.get(b.cid), b.bytes)
      expect(strs(await collect(store.list()))).toEqual([cidToString(b.cid)])
      expect(await collect(store.entries())).toHaveLength(1)
    })

    // 300,000 bytes: at least OFFLOADED_HASH_MIN, so hashed on the threadpool
    for (const size of [1000, 300_000]) {
      it(`rejects bytes that do not hash to the CID and stores nothing (${size} bytes)`, async () => {
        const b = await makeBlock(size)
        const other = await makeBlock(size)
        await expect(store.put('alice', b.cid, other.bytes)).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
        await expect(store.put('alice', b.cid, flipBit(b.bytes, 500))).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
        await expect(store.putMany('alice', [{ cid: other.cid, bytes: other.bytes }, { cid: b.cid, bytes: flipBit(b.bytes, size - 1) }])).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
        expect(await store.has(b.cid)).toBe(false)
        expect(await store.has(other.cid)).toBe(false)
        expect(await store.get(b.cid)).toBeUndefined()
        expect(await collect(store.list())).toEqual([])
      })
    }

    it('rejects a block over MAX_BLOCK_SIZE (1 MiB + 100) even when its CID matches', async () => {
      const b = await makeBlock(MAX_BLOCK_SIZE + 1)
      await expect(store.put('alice', b.cid, b.bytes)).rejects.toMatchObject({ name: 'BlockTooLargeError' })
      expect(await store.has(b.cid)).toBe(false)
    })

    it('rejects owner directories that are not safe usernames', async () => {
      const b = await makeBlock(10)
      for (const bad of ['', '.', '..', '../x', 'a/b', 'a\\b', '.hidden', '-x', 'Alice', 'AB', 'a\0b', 'a'.repeat(65), 'a..b']) {
        await expect(store.put(bad, b.cid, b.bytes), bad).rejects.toMatchObject({ name: 'InvalidOwnerDirError' })
      }
      expect(await collect(store.list())).toEqual([])
      await store.put('peergos', b.cid, b.bytes)
      await store.put('a_b-c.d9', b.cid, b.bytes)
      expect(await collect(store.entries())).toHaveLength(2)
    })

    it('answers identity CIDs from the CID itself and never stores them', async () => {
      const content = new Uint8Array([1, 2, 3, 4, 5])
      const cid = identityCid(CODEC_DAG_CBOR, content)
      await store.put('alice', cid, content)
      await expect(store.put('alice', cid, new Uint8Array([9]))).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
      expectBytes(await store.get(cid), content)
      expect(await store.has(cid)).toBe(true)
      expect(await store.size(cid)).toBe(5)
      expect(await collect(store.list())).toEqual([])
    })

    it('refuses multihashes other than sha2-256', async () => {
      const bytes = new Uint8Array([1, 2, 3])
      const cid = CID.createV1(CODEC_RAW, Digest.create(sha512.code, (await sha512.digest(bytes)).digest))
      await expect(store.put('alice', cid, bytes)).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
      expect(await store.get(cid)).toBeUndefined()
      expect(await store.has(cid)).toBe(false)
    })

    it('files a block once per owner; delete removes one owner copy or all', async () => {
      const b = await makeBlock(3000)
      await store.put('alice', b.cid, b.bytes)
      await store.put('bob', b.cid, b.bytes)
      const copies = (await collect(store.entries())).map((e) => `${e.ownerDir}:${cidToString(e.cid)}`).sort()
      expect(copies).toEqual([`alice:${cidToString(b.cid)}`, `bob:${cidToString(b.cid)}`])
      expect((await collect(store.entries('bob'))).map((e) => e.ownerDir)).toEqual(['bob'])
      expect(await collect(store.entries('carol'))).toEqual([])
      expect(await collect(store.list())).toHaveLength(1)
      expect(await store.delete(b.cid, { ownerDir: 'alice' })).toBe(true)
      expect(await store.delete(b.cid, { ownerDir: 'alice' })).toBe(false)
      expectBytes(await store.get(b.cid), b.bytes)
      expect((await collect(store.entries())).map((e) => e.ownerDir)).toEqual(['bob'])
      await store.put('alice', b.cid, b.bytes)
      expect(await store.delete(b.cid)).toBe(true)
      expect(await store.has(b.cid)).toBe(false)
      expect(await store.get(b.cid)).toBeUndefined()
      expect(await collect(store.entries())).toEqual([])
    })

    it('lists every distinct block for GC, and forgets deleted ones', async () => {
      const blocks = await Promise.all(Array.from({ length: 12 }, (_, i) => makeBlock(100 + i, i % 2 === 0)))
      for (const [i, b] of blocks.entries()) await store.put(i < 6 ? 'alice' : 'bob', b.cid, b.bytes)
      expect(strs(await collect(store.list()))).toEqual(strs(blocks.map((b) => b.cid)))
      expect(await collect(store.entries('alice'))).toHaveLength(6)
      await store.delete(blocks[0].cid)
      expect(strs(await collect(store.list()))).toEqual(strs(blocks.slice(1).map((b) => b.cid)))
    })

    it('putMany stores a batch, and stores nothing when one block is bad', async () => {
      const blocks = await Promise.all(Array.from({ length: 10 }, () => makeBlock(20_000)))
      await store.putMany('alice', blocks)
      for (const b of blocks) expectBytes(await store.get(b.cid), b.bytes)
      const more = await Promise.all(Array.from({ length: 3 }, () => makeBlock(100)))
      const bad = { cid: more[2].cid, bytes: more[1].bytes }
      await expect(store.putMany('alice', [more[0], more[1], bad])).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
      for (const b of more) expect(await store.has(b.cid)).toBe(false)
    })

    it('putMany makes its blocks visible only once visibleAfter resolves; when it rejects, none, and its error is thrown', async () => {
      for (const n of [1, 3]) {
        const blocks = await Promise.all(Array.from({ length: n }, (_, i) => makeBlock(i === 0 ? 100 : 20_000, i % 2 === 0)))
        const rows = gate()
        let settled = false
        const put = store.putMany('alice', blocks, { visibleAfter: rows.promise }).finally(() => (settled = true))
        await new Promise((r) => setTimeout(r, 50))
        expect(settled).toBe(false)
        for (const b of blocks) expect([await store.has(b.cid), await store.get(b.cid)]).toEqual([false, undefined])
        expect(strs(await collect(store.list()))).not.toContain(cidToString(blocks[0].cid))
        rows.open()
        await put
        for (const b of blocks) expectBytes(await store.get(b.cid), b.bytes)

        const refused = await Promise.all(Array.from({ length: n }, () => makeBlock(300)))
        const rowsFailed = new Error('the rows could not be committed')
        await expect(store.putMany('alice', refused, { visibleAfter: Promise.reject(rowsFailed) })).rejects.toBe(rowsFailed)
        for (const b of refused) expect(await store.has(b.cid)).toBe(false)
        store = await h.reopen()
        for (const b of refused) expect(await store.has(b.cid)).toBe(false)
        for (const b of blocks) expectBytes(await store.get(b.cid), b.bytes)
      }
    })

    it('keeps everything across a reopen (index rebuilt from the backend)', async () => {
      const blocks = await Promise.all(Array.from({ length: 8 }, (_, i) => makeBlock(1000 * i, i % 2 === 1)))
      for (const [i, b] of blocks.entries()) await store.put(i % 3 === 0 ? 'bob' : 'alice', b.cid, b.bytes)
      await store.put('carol', blocks[1].cid, blocks[1].bytes)
      const before = (await collect(store.entries())).map((e) => `${e.ownerDir}:${cidToString(e.cid)}`).sort()
      store = await h.reopen()
      const after = (await collect(store.entries())).map((e) => `${e.ownerDir}:${cidToString(e.cid)}`).sort()
      expect(after).toEqual(before)
      for (const b of blocks) {
        expectBytes(await store.get(b.cid), b.bytes)
        expect(await store.size(b.cid)).toBe(b.bytes.length)
      }
    })

    it('guards GC: delete with notWrittenSince keeps a recently (re)written copy', async () => {
      const b = await makeBlock(500)
      const before = Date.now()
      await store.put('alice', b.cid, b.bytes)
      expect(await store.delete(b.cid, { notWrittenSince: before })).toBe(false)
      expect(await store.has(b.cid)).toBe(true)
      expect(await store.delete(b.cid, { notWrittenSince: Date.now() + 60_000 })).toBe(true)
      expect(await store.has(b.cid)).toBe(false)
    })

    it('never serves a corrupted copy (bit flip, truncation), and a re-put heals it', async () => {
      for (const [size, mutate] of [10_000, 300_000].flatMap((n) => [(x: Uint8Array) => flipBit(x, 777), (x: Uint8Array) => x.subarray(0, x.length - 1), () => new Uint8Array(0)].map((m) => [n, m] as const))) {
        const b = await makeBlock(size)
        await store.put('alice', b.cid, b.bytes)
        await h.tamper('alice', b.cid, mutate)
        await expect(store.get(b.cid)).rejects.toMatchObject({ name: 'CorruptBlockError' })
        const again = await store.get(b.cid).catch((e: Error) => e)
        expect(again === undefined || (again instanceof Error && again.name === 'CorruptBlockError')).toBe(true)
        await store.put('alice', b.cid, b.bytes)
        expectBytes(await store.get(b.cid), b.bytes)
      }
    })

    it('serves the good copy when another owner\'s copy is corrupt', async () => {
      const b = await makeBlock(2000)
      await store.put('alice', b.cid, b.bytes)
      await store.put('bob', b.cid, b.bytes)
      await h.tamper('alice', b.cid, (x) => flipBit(x, 3))
      await h.tamper('bob', b.cid, (x) => x)
      expectBytes(await store.get(b.cid), b.bytes)
    })

    it('handles many concurrent puts and gets', async () => {
      const blocks = await Promise.all(Array.from({ length: 40 }, (_, i) => makeBlock(1 + ((i * 7919) % 60_000), i % 3 !== 0)))
      await Promise.all(blocks.map((b, i) => store.put(i % 2 === 0 ? 'alice' : 'bob', b.cid, b.bytes)))
      const got = await Promise.all(blocks.map((b) => store.get(b.cid)))
      got.forEach((g, i) => expectBytes(g, blocks[i].bytes))
      expect(await collect(store.list())).toHaveLength(40)
    })

    it('refuses operations after close', async () => {
      const b = await makeBlock(10)
      await store.close()
      await expect(store.put('alice', b.cid, b.bytes)).rejects.toMatchObject({ name: 'BlockStoreClosedError' })
      await expect(store.get(b.cid)).rejects.toMatchObject({ name: 'BlockStoreClosedError' })
    })
  })
}
