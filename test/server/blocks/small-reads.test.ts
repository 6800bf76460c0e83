// Small files read by worker threads in batches (small-reads.ts, DurableIO.readFile on the real file
// system): many reads asked for at once come back right, each in memory of its own; a missing file is
// 'absent', a file over the limit is not read (its size is), errors come back as the store's typed errors,
// a worker that stops fails only its batch, and DurableIO and FileBlockStore keep their contracts
// (larger files by the page-cache path, a corrupt small copy quarantined).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DurableIO } from '../../../src/server/blocks/durable-io.ts'
import { BlockStoreIOError, CorruptBlockError } from '../../../src/server/blocks/errors.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { nodeFsOps } from '../../../src/server/blocks/fs-ops.ts'
import { SMALL_READ_MAX, SmallFileReaders, type SmallRead } from '../../../src/server/blocks/small-reads.ts'
import { crypto, makeBlock } from './helpers.ts'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peergos-small-reads-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function bytesOf(size: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: size }, (_, i) => (i * 31 + seed) & 0xff)
}

/** A file `name` in the test directory holding bytesOf(size, seed); its path. */
function fileOf(name: string, size: number, seed: number): string {
  const p = join(dir, name)
  writeFileSync(p, bytesOf(size, seed))
  return p
}

/** Runs `fn` with readers of at most `workers` workers, closed after. */
async function withReaders(workers: number, fn: (readers: SmallFileReaders) => Promise<void>): Promise<void> {
  const readers = new SmallFileReaders(workers)
  try {
    await fn(readers)
  } finally {
    await readers.close()
  }
}

function okBytes(r: SmallRead): Uint8Array {
  if (r.kind !== 'ok') throw new Error(`expected bytes, got ${r.kind}`)
  return r.bytes
}

describe('SmallFileReaders', () => {
  it('reads many files asked for at once, each into a buffer of its own, in few messages', () =>
    withReaders(2, async (readers) => {
      const sizes = Array.from({ length: 300 }, (_, i) => [0, 1, 4096, 4400, SMALL_READ_MAX][i % 5] + (i % 5 === 4 ? 0 : i))
      const paths = sizes.map((size, i) => fileOf(`f${i}`, size, i))
      const got = await Promise.all(paths.map((p) => readers.read(p, SMALL_READ_MAX)))
      got.forEach((r, i) => {
        const b = okBytes(r)
        expect(b.length).toBe(sizes[i])
        expect(Buffer.from(b).equals(Buffer.from(bytesOf(sizes[i], i)))).toBe(true)
        expect(b.byteOffset).toBe(0)
        expect(b.buffer.byteLength).toBe(sizes[i]) // nothing else shares its memory
      })
      expect(readers.workerCount).toBeLessThanOrEqual(2)
    }))

  it('answers absent for a missing file and only the size for one over the limit', () =>
    withReaders(1, async (readers) => {
      const big = fileOf('big', SMALL_READ_MAX + 1, 3)
      const mid = fileOf('mid', 1000, 4)
      const [absent, large, limited] = await Promise.all([
        readers.read(join(dir, 'no-such-file'), SMALL_READ_MAX),
        readers.read(big, 10 * SMALL_READ_MAX), // the limit is capped at SMALL_READ_MAX
        readers.read(mid, 999),
      ])
      expect(absent).toEqual({ kind: 'absent' })
      expect(large).toEqual({ kind: 'large', size: SMALL_READ_MAX + 1 })
      expect(limited).toEqual({ kind: 'large', size: 1000 })
    }))

  it('turns errors into typed store errors, without failing the other reads of the batch', () =>
    withReaders(1, async (readers) => {
      const sub = join(dir, 'a-directory')
      mkdirSync(sub, { recursive: true })
      const ok = fileOf('ok', 10, 5)
      const [asDir, notDir, fine] = await Promise.allSettled([
        readers.read(sub, SMALL_READ_MAX),
        readers.read(join(ok, 'below-a-file'), SMALL_READ_MAX),
        readers.read(ok, SMALL_READ_MAX),
      ])
      expect(asDir.status === 'rejected' && asDir.reason).toBeInstanceOf(BlockStoreIOError)
      expect(asDir.status === 'rejected' && (asDir.reason as BlockStoreIOError).code).toBe('EISDIR')
      expect(notDir.status === 'rejected' && (notDir.reason as BlockStoreIOError).code).toBe('ENOTDIR')
      expect(fine.status === 'fulfilled' && okBytes(fine.value).length).toBe(10)
    }))

  it('fails the reads of a worker that stops, then starts another', () =>
    withReaders(1, async (readers) => {
      const p = fileOf('again', 100, 6)
      await readers.read(p, SMALL_READ_MAX) // a worker is up
      const inFlight = Array.from({ length: 50 }, () => readers.read(p, SMALL_READ_MAX))
      await new Promise((r) => setImmediate(r)) // sent to the worker
      await readers.close()
      const settled = await Promise.allSettled(inFlight)
      for (const s of settled) {
        if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(BlockStoreIOError)
        else expect(okBytes(s.value).length).toBe(100) // answered before it stopped
      }
      expect(okBytes(await readers.read(p, SMALL_READ_MAX)).length).toBe(100)
    }))
})

describe('DurableIO.readFile on the real file system', () => {
  it('reads small files through the workers and larger ones as before, within maxSize', async () => {
    const io = new DurableIO(nodeFsOps, dir)
    const small = fileOf('small.data', 4400, 7)
    const large = fileOf('large.data', 3 * SMALL_READ_MAX, 8)
    const s = await io.readFile(small, 1 << 20)
    expect(s?.size).toBe(4400)
    expect(Buffer.from(s!.bytes!).equals(Buffer.from(bytesOf(4400, 7)))).toBe(true)
    let allocated = 0
    const l = await io.readFile(large, 1 << 20, (size) => {
      allocated = size
      return new Uint8Array(size)
    })
    expect(allocated).toBe(3 * SMALL_READ_MAX) // the caller's memory, as before
    expect(Buffer.from(l!.bytes!).equals(Buffer.from(bytesOf(3 * SMALL_READ_MAX, 8)))).toBe(true)
    expect(await io.readFile(small, 4000)).toEqual({ size: 4400 })
    expect(await io.readFile(large, SMALL_READ_MAX * 2)).toEqual({ size: 3 * SMALL_READ_MAX })
    expect(await io.readFile(join(dir, 'missing.data'), 1 << 20)).toBeUndefined()
  })

  it('FileBlockStore serves small blocks read this way and quarantines a corrupt one', async () => {
    const root = mkdtempSync(join(dir, 'store-'))
    const store = await FileBlockStore.open({ root, crypto: await crypto() })
    try {
      const blocks = await Promise.all(Array.from({ length: 40 }, (_, i) => makeBlock(100 + i * 97, i % 2 === 0)))
      for (const b of blocks) await store.put('alice', b.cid, b.bytes)
      const got = await Promise.all(blocks.map((b) => store.get(b.cid)))
      got.forEach((g, i) => expect(Buffer.from(g!).equals(Buffer.from(blocks[i].bytes))).toBe(true))
      const bad = blocks[3]
      const flipped = new Uint8Array(bad.bytes)
      flipped[7] ^= 1
      writeFileSync(store.pathOf('alice', bad.cid), flipped)
      await expect(store.get(bad.cid)).rejects.toBeInstanceOf(CorruptBlockError)
      expect(await store.get(bad.cid)).toBeUndefined()
    } finally {
      await store.close()
    }
  })
})
