// Small blocks written by the writing workers (DurableIO.writeSmallInWorker, FragmentWorkers.
// writeSmallDurably): one message per block, the shard directory made and synced into its parent by
// the worker when new. Blocks land at Peergos' paths with exactly their bytes and no temp file, survive
// a reopen, concurrent writers into one new directory both succeed, only a block's own bytes are sent
// (a view of a larger buffer), and a failed step leaves nothing behind and is a typed error.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockCid } from '../../../src/codec/cid.ts'
import { DurableIO } from '../../../src/server/blocks/durable-io.ts'
import { BlockStoreIOError } from '../../../src/server/blocks/errors.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { FragmentWorkers } from '../../../src/server/blocks/fragment-workers.ts'
import { nodeFsOps } from '../../../src/server/blocks/fs-ops.ts'
import { crypto } from './helpers.ts'

function pattern(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size)
  for (let i = 0; i < size; i++) b[i] = (i * 13 + seed * 101 + (i >> 7)) & 0xff
  return b
}

describe('small blocks through the writing workers', () => {
  let base: string
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'peergos-small-workers-'))
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  it('make a new shard directory and write each block whole, with no temp file left', async () => {
    const io = new DurableIO(nodeFsOps, base)
    const owner = join(base, 'alice')
    const blocks = Array.from({ length: 12 }, (_, i) => ({ dir: join(owner, `S${i % 3}`), name: `K${i}.data`, bytes: pattern(100 + i * 337, i) }))
    // All at once: several writers into each new directory.
    await Promise.all(blocks.map((b) => io.writeFile(b.dir, b.name, b.bytes)))
    for (const b of blocks) expect(Buffer.from(readFileSync(join(b.dir, b.name))).equals(Buffer.from(b.bytes))).toBe(true)
    expect(readdirSync(owner).sort()).toEqual(['S0', 'S1', 'S2'])
    for (const d of ['S0', 'S1', 'S2']) expect(readdirSync(join(owner, d)).every((n) => n.endsWith('.data') && !n.includes('.tmp'))).toBe(true)
    // A directory it now knows: written without making it again.
    await io.writeFile(join(owner, 'S0'), 'again.data', pattern(10, 99))
    expect(readFileSync(join(owner, 'S0', 'again.data'))).toHaveLength(10)
    await io.close()
  })

  it('send only the block when it is a view of a larger buffer', async () => {
    const io = new DurableIO(nodeFsOps, base)
    const big = pattern(200_000, 7)
    const view = big.subarray(5_000, 9_096)
    await io.writeFile(join(base, 'views'), 'v.data', view)
    expect(Buffer.from(readFileSync(join(base, 'views', 'v.data'))).equals(Buffer.from(view))).toBe(true)
    expect(big[5_000]).toBe(view[0]) // the caller's buffer is left as it was
    await io.close()
  })

  it('leave nothing behind when a step fails, with a typed error naming the block', async () => {
    const io = new DurableIO(nodeFsOps, base)
    const dir = join(base, 'failing')
    // The final name is taken by a non-empty directory: the rename fails after the temp file was written and synced.
    await io.writeFile(join(dir, 'taken.data'), 'inner.data', pattern(10, 1))
    const err = await io.writeFile(dir, 'taken.data', pattern(4096, 2)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlockStoreIOError)
    expect((err as BlockStoreIOError).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/)
    expect((err as Error).message).toContain('taken.data')
    expect(readdirSync(dir)).toEqual(['taken.data'])
    // The shard directory's name is taken by a file: no directory can be made there.
    writeFileSync(join(dir, 'XY'), 'not a directory')
    const err2 = await io.writeFile(join(dir, 'XY'), 'b.data', pattern(4096, 3)).catch((e: unknown) => e)
    expect(err2).toBeInstanceOf(BlockStoreIOError)
    expect((err2 as Error).message).toContain('b.data')
    expect(readdirSync(dir).sort()).toEqual(['XY', 'taken.data'])
    await io.close()
  })

  it('report a worker step that fails as a FragmentWriteError with its errno code', async () => {
    const workers = new FragmentWorkers(1)
    try {
      const dir = join(base, 'absent-parent', 'XY')
      const err = await workers.writeSmallDurably({ bytes: pattern(64, 4), dir, tmp: join(dir, 'a.data-1.tmp'), target: join(dir, 'a.data') }).catch((e: unknown) => e)
      expect((err as { code?: string }).code).toBe('ENOENT')
      expect((err as { stage?: string }).stage).toBe('write')
      expect(existsSync(join(base, 'absent-parent'))).toBe(false)
      // With a parent: the directory is made, then the block written in it.
      const dir2 = join(base, 'made-by-worker')
      await workers.writeSmallDurably({ bytes: pattern(64, 5), dir: dir2, parent: base, tmp: join(dir2, 'a.data-1.tmp'), target: join(dir2, 'a.data') })
      expect(readdirSync(dir2)).toEqual(['a.data'])
    } finally {
      await workers.close()
    }
  })

  it('a FileBlockStore stores small blocks that survive a reopen and are served verified', async () => {
    const root = join(base, 'store')
    const c = await crypto()
    const store = await FileBlockStore.open({ root, crypto: c })
    const blocks = await Promise.all(Array.from({ length: 20 }, async (_, i) => {
      const bytes = pattern(500 + i * 211, 40 + i)
      return { cid: await blockCid(c, bytes, i % 2 === 0), bytes }
    }))
    await store.putMany('bob', blocks)
    await store.close()
    const again = await FileBlockStore.open({ root, crypto: c })
    try {
      expect(again.recovery.tempFilesRemoved).toBe(0)
      for (const b of blocks) expect(Buffer.from((await again.get(b.cid))!).equals(Buffer.from(b.bytes))).toBe(true)
    } finally {
      await again.close()
    }
  })
})
