// Block-write bodies placed for O_DIRECT in place: an aligned BufferPool's leases (units of shared
// slabs, each leased and released on its own), readBody placing the byte alignAt names page-aligned,
// firstBlockOffset on every BlockWriteGroup shape encodeBlockWriteGroup writes, and the block store
// writing a block straight from such a body (junk after it cut off) and reading into an aligned reply buffer.
import type { IncomingMessage } from 'node:http'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeBlockWriteGroup } from '../../../src/http/wire.ts'
import { DIRECT_ALIGNMENT, directView } from '../../../src/server/blocks/aligned-buffers.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { BufferPool } from '../../../src/server/buffer-pool.ts'
import { readBody } from '../../../src/server/http/body.ts'
import { firstBlockOffset } from '../../../src/server/http/block-write-alignment.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import { FaultyFs } from '../blocks/faulty-fs.ts'
import { crypto, expectBytes, makeBlock } from '../blocks/helpers.ts'

const isAligned = (v: Uint8Array): boolean => directView(v, v.length) !== undefined

describe('an aligned BufferPool', () => {
  it('leases units of page-aligned slabs one by one, placing the requested byte on a page boundary', () => {
    const pool = new BufferPool({ bufferSize: 10_000, maxFree: 10, minSize: 1, aligned: true })
    const views = Array.from({ length: 10 }, (_, i) => pool.acquire(10_000, i * 1001))
    views.forEach((v, i) => {
      expect(v.length).toBe(10_000)
      expect(isAligned(v.subarray(i * 1001))).toBe(true)
      expect(pool.isLeased(v)).toBe(true)
      expect(pool.isLeased(v.subarray(9_000))).toBe(true)
    })
    // Units of one slab share its ArrayBuffer but never overlap.
    const ranges = views.map((v) => [v.buffer, v.byteOffset, v.byteOffset + v.length] as const).sort((a, b) => a[1] - b[1])
    for (let i = 1; i < ranges.length; i++) if (ranges[i][0] === ranges[i - 1][0]) expect(ranges[i][1]).toBeGreaterThanOrEqual(ranges[i - 1][2])
    pool.release(views[3])
    pool.release(views[3])
    expect(pool.isLeased(views[3])).toBe(false)
    expect(pool.isLeased(views[4])).toBe(true)
    // Released units come back (maxFree does not apply to slabs); others stay leased.
    for (const v of views) pool.release(v)
    expect(pool.freeCount).toBeGreaterThanOrEqual(10)
    const again = pool.acquire(5000)
    expect(isAligned(again)).toBe(true)
    expect(pool.isLeased(new Uint8Array(again.buffer, again.byteOffset, 1))).toBe(true)
    // Outside [minSize, bufferSize]: a buffer of its own, not leased, not aligned memory.
    const big = pool.acquire(10_001)
    expect([pool.isLeased(big), isAligned(big)]).toEqual([false, false])
  })

  it('makes at most maxFree buffers (whole slabs of 8), then hands out buffers of their own', () => {
    const pool = new BufferPool({ bufferSize: 10_000, maxFree: 9, minSize: 1, aligned: true })
    const views = Array.from({ length: 17 }, () => pool.acquire(10_000))
    expect(views.map((v) => pool.isLeased(v) && isAligned(v))).toEqual([...Array(16).fill(true), false])
    pool.release(views[16]) // not leased: ignored
    pool.release(views[0])
    const again = pool.acquire(10_000)
    expect([pool.isLeased(again), isAligned(again), again.byteOffset]).toEqual([true, true, views[0].byteOffset])
  })

  it('leaves room after each placed view for the padding of a direct write, zeroed', () => {
    const pool = new BufferPool({ bufferSize: 10_000, maxFree: 1, minSize: 1, aligned: true })
    for (const at of [0, 1, 9, 4095, 4096, 9_999]) {
      const v = pool.acquire(10_000, at)
      const block = v.subarray(at)
      const padded = directView(block, Math.ceil(block.length / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT)
      expect(padded).toBeDefined()
      expect(padded!.subarray(block.length).every((b) => b === 0)).toBe(true)
      new Uint8Array(v.buffer).fill(0xee) // an earlier request's bytes, everywhere
      pool.release(v)
    }
  })
})

describe('firstBlockOffset', () => {
  it('finds the first block of every BlockWriteGroup encodeBlockWriteGroup writes', () => {
    for (const sizes of [[0], [1], [23], [24], [255], [256], [65_535], [65_536], [MAX_BLOCK_SIZE], [10, 20], Array.from({ length: 30 }, () => 5)]) {
      const blocks = sizes.map((n, i) => new Uint8Array(n).fill(i + 1))
      const body = encodeBlockWriteGroup({ blocks, signatures: blocks.map(() => new Uint8Array(96)) })
      const at = firstBlockOffset(body)
      expectBytes(body.subarray(at, at + sizes[0]), blocks[0])
      expect(at).toBeGreaterThan(0)
      // Only the head needs to be in the first chunk.
      expect(firstBlockOffset(body.subarray(0, at))).toBe(at)
      expect(firstBlockOffset(body.subarray(0, at - 1))).toBe(0)
    }
  })

  it('is 0 for anything else', () => {
    for (const bytes of [[], [0xa2], [0xa2, 0x61, 0x73, 0x81, 0x41, 0], [0xa1, 0x61, 0x62, 0x81, 0x41, 0], [0xa2, 0x61, 0x62, 0x41, 0], [0xa2, 0x61, 0x62, 0x81, 0x61, 0]]) {
      expect(firstBlockOffset(new Uint8Array(bytes))).toBe(0)
    }
  })
})

describe('a block write body read for O_DIRECT', () => {
  let base: string
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'peergos-aligned-'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('lands with its first block page-aligned, whatever the chunking', async () => {
    const block = new Uint8Array(300_000).map((_, i) => i % 253)
    const body = Buffer.from(encodeBlockWriteGroup({ blocks: [block], signatures: [new Uint8Array(96)] }))
    const pool = new BufferPool({ bufferSize: 400_000, maxFree: 4, minSize: 1, aligned: true })
    for (const cut of [1, 9, 65_536]) {
      const chunks = [body.subarray(0, cut), body.subarray(cut)]
      const req = Object.assign(Readable.from(chunks), { headers: { 'content-length': String(body.length) } }) as unknown as IncomingMessage
      const r = await readBody(req, 400_000, pool, firstBlockOffset)
      expect(r.ok).toBe(true)
      if (!r.ok) return
      expect(Buffer.from(r.body).equals(body)).toBe(true)
      const at = firstBlockOffset(body)
      // A first chunk too short to show the head places nothing (the block is then copied for O_DIRECT).
      expect(isAligned(r.body.subarray(at))).toBe(cut >= at)
      pool.release(r.body)
    }
  })

  it('is written from the body itself: the bytes after the block are cut off, the file is exactly the block', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const readPool = new BufferPool({ bufferSize: MAX_BLOCK_SIZE, maxFree: 4, minSize: 1, aligned: true })
    const store = await FileBlockStore.open({ root: join(base, 'store'), crypto: await crypto(), fs: ffs, readPool })
    const pool = new BufferPool({ bufferSize: 2 * MAX_BLOCK_SIZE, maxFree: 4, minSize: 1, aligned: true })
    for (const size of [DIRECT_ALIGNMENT * 40, MAX_BLOCK_SIZE, 200_001]) {
      const b = await makeBlock(size)
      const body = pool.acquire(size + 5000, 7)
      body.fill(0xff) // junk around the block, as a body's signatures and a reused buffer's old bytes
      body.set(b.bytes, 7)
      const inBody = body.subarray(7, 7 + size)
      expect(isAligned(inBody)).toBe(true)
      ffs.reset()
      await store.put('alice', b.cid, inBody)
      expect(ffs.trace.map((t) => t.split(' ')[0])).toContain('truncate')
      pool.release(body)
      expect(statSync(store.pathOf('alice', b.cid)).size).toBe(size)
      expectBytes(new Uint8Array(readFileSync(store.pathOf('alice', b.cid))), b.bytes)
      // Read back into a pooled, aligned reply buffer.
      const got = await store.get(b.cid)
      expect(got).toBeDefined()
      expectBytes(got, b.bytes)
      expect([readPool.isLeased(got!), isAligned(got!)]).toEqual([true, true])
      readPool.release(got!)
    }
    await store.close()
  })
})
