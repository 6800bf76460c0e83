// Fragments in shared memory (the daemon's request bodies), hashed and durably written by worker threads
// (fragment-workers.ts, DurableIO.writeInWorker): the hash is OpenSSL's, the file is exactly the block
// (the rest of its buffer cut off), nothing is left behind when a step fails, a file system without
// O_DIRECT gets the page-cache path, a worker that dies fails only its own call, a put's hash check in the
// write's own message makes nothing on a mismatch, and a FileBlockStore stores and serves such fragments,
// refusing one that does not hash to its CID.
import { createHash } from 'node:crypto'
import { constants, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockCid } from '../../../src/codec/cid.ts'
import { BlockHashMismatchError } from '../../../src/codec/errors.ts'
import { DIRECT_ALIGNMENT, alignUp, alignedSlab } from '../../../src/server/blocks/aligned-buffers.ts'
import { DurableIO } from '../../../src/server/blocks/durable-io.ts'
import { BlockStoreIOError } from '../../../src/server/blocks/errors.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { FragmentWorkers, fragmentWorkers, isShared } from '../../../src/server/blocks/fragment-workers.ts'
import { nodeFsOps } from '../../../src/server/blocks/fs-ops.ts'
import { sha256Of } from '../../../src/server/blocks/verify.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import { REPO } from '../crash/daemon-process.ts'
import { crypto, listFiles } from './helpers.ts'

const UNIT = alignUp(MAX_BLOCK_SIZE + DIRECT_ALIGNMENT)

/** A temp dir on a file system with O_DIRECT: the OS temp dir, or (tmpfs there) one beside the checkout. */
async function directCapableDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'peergos-fragment-workers-'))
  try {
    const fh = await open(join(dir, 'probe'), constants.O_CREAT | constants.O_WRONLY | constants.O_DIRECT)
    await fh.close()
    rmSync(join(dir, 'probe'))
    return dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return mkdtempSync(join(REPO, 'node_modules', '.peergos-fragment-workers-'))
  }
}

/** `size` random-looking bytes at page-aligned unit `unit` of a shared slab, followed by junk up to the unit's end. */
function sharedFragment(slab: ArrayBuffer, unit: number, size: number, seed: number): Uint8Array {
  const all = new Uint8Array(slab, unit * UNIT, UNIT)
  for (let i = 0; i < all.length; i++) all[i] = (i * 31 + seed * 7 + (i >> 9)) & 0xff
  return all.subarray(0, size)
}

describe('fragment workers', () => {
  let base: string
  let slab: ArrayBuffer
  let n = 0
  beforeAll(async () => {
    base = await directCapableDir()
    slab = alignedSlab(UNIT, 4, true)
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))
  const freshDir = (): string => {
    const d = join(base, `d${n++}`)
    mkdirSync(d)
    return d
  }

  it('hash shared memory to what OpenSSL gives, with no copy; sha256Of sends fragments in shared memory to them', async () => {
    const bytes = sharedFragment(slab, 0, 300_001, 1)
    expect(isShared(bytes)).toBe(true)
    const expected = createHash('sha256').update(bytes).digest()
    const workers = new FragmentWorkers(1)
    try {
      expect(Buffer.from(await workers.sha256(bytes)).equals(expected)).toBe(true)
      expect(workers.workerCount).toBe(1)
    } finally {
      await workers.close()
    }
    expect(Buffer.from(await sha256Of(await crypto(), bytes)).equals(expected)).toBe(true)
    // Unshared memory still goes to WebCrypto (which refuses shared memory).
    expect(Buffer.from(await sha256Of(await crypto(), bytes.slice())).equals(expected)).toBe(true)
  })

  it('write a fragment in one call: the file is exactly the block, durable, no temp file left', async () => {
    const dir = freshDir()
    const io = new DurableIO(nodeFsOps, base, { directMaxSize: MAX_BLOCK_SIZE })
    const before = fragmentWorkers('writing').workerCount
    const bytes = sharedFragment(slab, 1, MAX_BLOCK_SIZE, 2) // the rest of the unit is junk: cut off by the ftruncate
    await io.writeFile(dir, 'block.data', bytes)
    expect(Buffer.from(readFileSync(join(dir, 'block.data'))).equals(Buffer.from(bytes))).toBe(true)
    expect(readdirSync(dir)).toEqual(['block.data'])
    expect(fragmentWorkers('writing').workerCount).toBeGreaterThanOrEqual(Math.max(before, 1))
    expect(io.usesDirectIO(bytes.length)).toBe(true)
    // Not aligned in its buffer: the in-process path, same result.
    const unaligned = sharedFragment(slab, 2, 200_000 + 1, 3).subarray(1)
    await io.writeFile(dir, 'other.data', unaligned)
    expect(Buffer.from(readFileSync(join(dir, 'other.data'))).equals(Buffer.from(unaligned))).toBe(true)
    expect(readdirSync(dir).sort()).toEqual(['block.data', 'other.data'])
  })

  it('leave nothing behind when a step fails, with a typed error', async () => {
    const dir = freshDir()
    const io = new DurableIO(nodeFsOps, base, { directMaxSize: MAX_BLOCK_SIZE })
    // The final name is taken by a directory: the rename fails after the temp file was written and synced.
    mkdirSync(join(dir, 'taken.data'))
    const bytes = sharedFragment(slab, 1, 500_000, 4)
    const err = await io.writeFile(dir, 'taken.data', bytes).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(BlockStoreIOError)
    expect((err as BlockStoreIOError).code).toMatch(/^(EISDIR|ENOTEMPTY|EEXIST)$/)
    expect((err as Error).message).toContain('taken.data')
    expect(readdirSync(dir)).toEqual(['taken.data'])
    expect(readdirSync(join(dir, 'taken.data'))).toEqual([])
    // The directory cannot be made (a file is in the way): refused, nothing made.
    const blocked = join(dir, 'file')
    await io.writeFile(dir, 'file', new Uint8Array(10))
    const err2 = await io.writeFile(join(blocked, 'sub'), 'x.data', bytes).catch((e: unknown) => e)
    expect(err2).toBeInstanceOf(BlockStoreIOError)
    expect(readdirSync(dir).sort()).toEqual(['file', 'taken.data'])
  })

  it('make a new shard directory in the same call, with several writers into it at once', async () => {
    const owner = freshDir()
    const io = new DurableIO(nodeFsOps, base, { directMaxSize: MAX_BLOCK_SIZE })
    const fragments = [0, 1, 2, 3].map((u) => sharedFragment(slab, u, 200_000 + 4096 * u, 20 + u))
    await Promise.all(fragments.map((f, i) => io.writeFile(join(owner, `S${i % 2}`), `K${i}.data`, f)))
    expect(readdirSync(owner).sort()).toEqual(['S0', 'S1'])
    expect(readdirSync(join(owner, 'S0')).sort()).toEqual(['K0.data', 'K2.data'])
    expect(readdirSync(join(owner, 'S1')).sort()).toEqual(['K1.data', 'K3.data'])
    fragments.forEach((f, i) => expect(Buffer.from(readFileSync(join(owner, `S${i % 2}`, `K${i}.data`))).equals(Buffer.from(f))).toBe(true))
    // A directory it now knows, and one that exists on disk but not yet here (a reopened store).
    await io.writeFile(join(owner, 'S0'), 'again.data', fragments[1])
    mkdirSync(join(owner, 'S2'))
    await new DurableIO(nodeFsOps, base, { directMaxSize: MAX_BLOCK_SIZE }).writeFile(join(owner, 'S2'), 'K.data', fragments[2])
    expect(readFileSync(join(owner, 'S0', 'again.data'))).toHaveLength(fragments[1].length)
    expect(readdirSync(join(owner, 'S2'))).toEqual(['K.data'])
    expect(io.usesDirectIO(fragments[0].length)).toBe(true)
  })

  it('check the hash in the write\'s own message: a mismatch makes and writes nothing, not even a new shard directory', async () => {
    const owner = freshDir()
    const io = new DurableIO(nodeFsOps, base, { directMaxSize: MAX_BLOCK_SIZE })
    const bytes = sharedFragment(slab, 1, 300_000, 30)
    expect(io.writesInWorker(bytes)).toBe(true)
    const digest = createHash('sha256').update(bytes).digest()
    const wrong = Uint8Array.from(digest)
    wrong[31] ^= 1
    expect(await io.writeFile(join(owner, 'S0'), 'K.data', bytes, wrong)).toBe(false)
    expect(readdirSync(owner)).toEqual([])
    expect(await io.writeFile(join(owner, 'S0'), 'K.data', bytes, digest)).toBe(true)
    expect(Buffer.from(readFileSync(join(owner, 'S0', 'K.data'))).equals(Buffer.from(bytes))).toBe(true)
    // Off the worker path (not aligned in its buffer) the check is made before the write all the same.
    const unaligned = sharedFragment(slab, 2, 200_000 + 1, 31).subarray(1)
    expect(io.writesInWorker(unaligned)).toBe(false)
    const unalignedDigest = createHash('sha256').update(unaligned).digest()
    expect(await io.writeFile(join(owner, 'S0'), 'U.data', unaligned, digest)).toBe(false)
    expect(await io.writeFile(join(owner, 'S0'), 'U.data', unaligned, unalignedDigest)).toBe(true)
    expect(readdirSync(join(owner, 'S0')).sort()).toEqual(['K.data', 'U.data'])
  })

  it('answer "refused" when the file system refuses the O_DIRECT transfer (EINVAL), leaving nothing behind', async () => {
    // Memory one byte off the alignment: the kernel refuses the direct write as tmpfs-like file systems refuse the open.
    const dir = freshDir()
    const view = new Uint8Array(slab, 1, alignUp(300_000))
    const workers = new FragmentWorkers(1)
    try {
      expect(await workers.writeDurably({ view, size: 300_000, dir, tmp: join(dir, 'b.data-1.tmp'), target: join(dir, 'b.data') })).toBe('refused')
      expect(readdirSync(dir)).toEqual([])
      const aligned = sharedFragment(slab, 2, 300_000, 5)
      const padded = new Uint8Array(slab, aligned.byteOffset, alignUp(aligned.length))
      expect(await workers.writeDurably({ view: padded, size: aligned.length, dir, tmp: join(dir, 'b.data-2.tmp'), target: join(dir, 'b.data') })).toBe('written')
      expect(readdirSync(dir)).toEqual(['b.data'])
      expect(Buffer.from(readFileSync(join(dir, 'b.data'))).equals(Buffer.from(aligned))).toBe(true)
    } finally {
      await workers.close()
    }
  })

  it('a worker that dies fails its own call only; the next call starts another', async () => {
    const workers = new FragmentWorkers(1)
    const bytes = sharedFragment(slab, 0, 300_000, 6)
    const expected = createHash('sha256').update(bytes).digest()
    const inFlight = workers.sha256(bytes).then(() => 'done', (e: unknown) => e)
    const queued = workers.sha256(bytes)
    await workers.close()
    const first = await inFlight
    // Either it finished before the worker stopped, or it failed with a typed error.
    if (first !== 'done') expect(first).toBeInstanceOf(BlockStoreIOError)
    expect(Buffer.from(await queued).equals(expected)).toBe(true)
    expect(Buffer.from(await workers.sha256(bytes)).equals(expected)).toBe(true)
    await workers.close()
  })

  it('FileBlockStore stores and serves fragments in shared memory, and refuses one that does not hash to its CID', async () => {
    const c = await crypto()
    const store = await FileBlockStore.open({ root: join(base, `store${n++}`), crypto: c })
    try {
      const good = sharedFragment(slab, 0, MAX_BLOCK_SIZE, 7)
      const cid = blockCid(c, good.slice(), true)
      await store.putMany('alice', [{ cid, bytes: good }])
      expect(Buffer.from((await store.get(cid))!).equals(Buffer.from(good))).toBe(true)
      expect(readFileSync(store.pathOf('alice', cid)).length).toBe(MAX_BLOCK_SIZE)

      const other = sharedFragment(slab, 1, 600_000, 8)
      const wrong = blockCid(c, other.slice(1), true)
      await expect(store.putMany('alice', [{ cid: wrong, bytes: other }])).rejects.toBeInstanceOf(BlockHashMismatchError)
      await expect(store.put('alice', wrong, other)).rejects.toBeInstanceOf(BlockHashMismatchError)
      expect(existsSync(store.pathOf('alice', wrong))).toBe(false)
      expect(listFiles(store.blocksDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
      expect(await store.has(wrong)).toBe(false)
      // Other bytes offered for a stored CID (the refresh path): refused, the stored copy untouched.
      await expect(store.put('alice', cid, other)).rejects.toBeInstanceOf(BlockHashMismatchError)
      await expect(store.putMany('alice', [{ cid, bytes: other }])).rejects.toBeInstanceOf(BlockHashMismatchError)
      expect(Buffer.from(readFileSync(store.pathOf('alice', cid))).equals(Buffer.from(good))).toBe(true)
      // The same bytes again: a refresh, still served.
      await store.put('alice', cid, good)
      expect(Buffer.from((await store.get(cid))!).equals(Buffer.from(good))).toBe(true)
    } finally {
      await store.close()
    }
  })
})
