// FileBlockStore's O_DIRECT path for fragments (durable-io.ts): large blocks are written padded
// from an aligned buffer, cut back with ftruncate and fdatasynced before the rename, and read back
// without the page cache; small blocks keep the page cache. Each step of a direct put fails in turn
// with a typed error and leaves nothing partial; a file system that refuses O_DIRECT (EINVAL, as
// tmpfs does) turns it off and the store carries on through the page cache.
import { constants, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AlignedBuffers, DIRECT_ALIGNMENT, alignUp } from '../../../src/server/blocks/aligned-buffers.ts'
import { DIRECT_MIN_SIZE } from '../../../src/server/blocks/durable-io.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import { REPO } from '../crash/daemon-process.ts'
import { FaultyFs } from './faulty-fs.ts'
import { crypto, expectBytes, expectInOrder, expectNothingPartial, failEachStepInTurn, listFiles, makeBlock, opsOf } from './helpers.ts'

/** A temp dir on a file system with O_DIRECT: the OS temp dir, or (tmpfs there) one beside the checkout. */
async function directCapableDir(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'peergos-direct-'))
  try {
    const fh = await open(join(dir, 'probe'), constants.O_CREAT | constants.O_WRONLY | constants.O_DIRECT)
    await fh.close()
    return dir
  } catch {
    rmSync(dir, { recursive: true, force: true })
    return mkdtempSync(join(REPO, 'node_modules', '.peergos-direct-'))
  }
}

describe('FileBlockStore with O_DIRECT', () => {
  let base: string
  let n = 0
  beforeAll(async () => {
    base = await directCapableDir()
  })
  afterAll(() => rmSync(base, { recursive: true, force: true }))

  const openStore = async (ffs: FaultyFs, root = join(base, `r${n++}`)) => FileBlockStore.open({ root, crypto: await crypto(), fs: ffs })

  it('aligned buffers are page-aligned slots of WebAssembly memory, reused once released, at most maxSlots', () => {
    const a = new AlignedBuffers(MAX_BLOCK_SIZE, 2, 4)
    expect(a.slotSize).toBe(alignUp(MAX_BLOCK_SIZE))
    expect(a.slotSize % DIRECT_ALIGNMENT).toBe(0)
    const [x, y, z] = [a.acquire()!, a.acquire()!, a.acquire()!]
    for (const s of [x, y, z]) {
      expect(s.byteOffset % DIRECT_ALIGNMENT).toBe(0)
      expect(s.length).toBe(a.slotSize)
    }
    expect(new Set([x, y, z]).size).toBe(3)
    expect(x.buffer).toBe(y.buffer) // two slots to a slab, the third in a new one
    expect(z.buffer).not.toBe(x.buffer)
    expect(a.leasedCount).toBe(3)
    a.release(y)
    a.release(y)
    expect(a.leasedCount).toBe(2)
    expect(a.acquire()).toBe(y)
    expect(a.acquire()).toBeDefined() // the fourth and last
    expect(a.acquire()).toBeUndefined()
    a.release(x)
    expect(a.acquire()).toBe(x)
  })

  it('with every aligned buffer busy, a write or read goes through the page cache and direct I/O stays on', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    const io = (store as unknown as { io: { aligned: AlignedBuffers } }).io
    const held: Uint8Array[] = []
    for (let s = io.aligned.acquire(); s !== undefined; s = io.aligned.acquire()) held.push(s)
    const b = await makeBlock(300_000)
    ffs.reset()
    await store.put('alice', b.cid, b.bytes)
    expect(opsOf(ffs.trace)).not.toContain('openDirect')
    ffs.reset()
    // Opened with O_DIRECT (a raw block), no aligned buffer to read into: read through the page cache.
    expectBytes(await store.get(b.cid), b.bytes)
    expect(opsOf(ffs.trace)).toEqual(['openDirect', 'fstat', 'open', 'read', 'close', 'close'])
    for (const s of held) io.aligned.release(s)
    const c = await makeBlock(300_000)
    ffs.reset()
    await store.put('alice', c.cid, c.bytes)
    expectBytes(await store.get(c.cid), c.bytes)
    expectBytes(await store.get(b.cid), b.bytes)
    expect(opsOf(ffs.trace).filter((o) => o === 'openDirect')).toHaveLength(3)
    await store.close()
  })

  it('writes a fragment padded, cut back and synced before the rename; reads it back directly', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    const b = await makeBlock(MAX_BLOCK_SIZE)
    ffs.reset()
    await store.put('alice', b.cid, b.bytes)
    // the directory handles stay open for later fsyncs (dir-syncs.ts): closed with the store
    expect(opsOf(ffs.trace).sort()).toEqual([
      'mkdir', 'open', 'sync', 'mkdir', 'open', 'sync',
      'openDirect', 'write', 'truncate', 'datasync', 'close', 'rename', 'open', 'sync',
    ].sort())
    const shard = dirname(store.pathOf('alice', b.cid))
    // the new directories: each made before anything goes into it, and then fsynced into its parent
    expectInOrder(ffs.trace, [['mkdir', '/alice'], ['sync', '/blocks']])
    expectInOrder(ffs.trace, [['mkdir', shard], ['sync', '/alice']])
    // the block: written, cut back and synced before the rename, then its directory synced
    expectInOrder(ffs.trace, [['mkdir', '/alice'], ['mkdir', shard], ['openDirect', '.tmp'], ['write', '.tmp'], ['truncate', '.tmp'], ['datasync', '.tmp'], ['close', '.tmp'], ['rename', '.data'], ['sync', shard]])
    expect(statSync(store.pathOf('alice', b.cid)).size).toBe(b.bytes.length)
    expectBytes(new Uint8Array(readFileSync(store.pathOf('alice', b.cid))), b.bytes)
    ffs.reset()
    expectBytes(await store.get(b.cid), b.bytes)
    expect(opsOf(ffs.trace)).toEqual(['openDirect', 'fstat', 'read', 'close'])
    await store.close()
  })

  it('keeps blocks under DIRECT_MIN_SIZE in the page cache, and reads dag-cbor blocks through it', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    const b = await makeBlock(DIRECT_MIN_SIZE - 1)
    await store.put('alice', b.cid, b.bytes)
    ffs.reset()
    expectBytes(await store.get(b.cid), b.bytes)
    // A raw block is opened with O_DIRECT in case it is a fragment; this one is small: read cached.
    expect(opsOf(ffs.trace)).toEqual(['openDirect', 'fstat', 'close', 'open', 'fstat', 'read', 'close'])
    const cbor = await makeBlock(DIRECT_MIN_SIZE + 1, false)
    await store.put('alice', cbor.cid, cbor.bytes)
    ffs.reset()
    expectBytes(await store.get(cbor.cid), cbor.bytes)
    expect(opsOf(ffs.trace)).toEqual(['open', 'fstat', 'read', 'close'])
    const big = await makeBlock(DIRECT_MIN_SIZE)
    ffs.reset()
    await store.put('alice', big.cid, big.bytes)
    expect(opsOf(ffs.trace)).toContain('openDirect')
    expectBytes(await store.get(big.cid), big.bytes)
    await store.close()
  })

  for (const [code, errorName] of [['EIO', 'BlockStoreIOError'], ['ENOSPC', 'BlockStoreFullError']] as const) {
    it(`fails each step of a direct put in turn with ${code}: ${errorName}, nothing partial, then works`, async () => {
      const ffs = new FaultyFs(undefined, { direct: true })
      // the steps of a put into a store that wrote before (its blocks directory's handle kept open), as below
      const probeStore = await openStore(ffs)
      const first = await makeBlock(400_000)
      await probeStore.put('bob', first.cid, first.bytes)
      const probe = await makeBlock(300_000)
      ffs.reset()
      await probeStore.put('alice', probe.cid, probe.bytes)
      const steps = [...ffs.trace]
      await probeStore.close()
      expect(opsOf(steps)).toContain('truncate')
      await failEachStepInTurn({ open: () => openStore(ffs), fs: ffs, steps, code, errorName, otherSize: 400_000, size: 300_000 })
    })
  }

  it('a torn direct write (part of the padded bytes reach the disk, then ENOSPC) leaves no partial block', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const root = join(base, 'torn')
    let store = await openStore(ffs, root)
    const b = await makeBlock(MAX_BLOCK_SIZE)
    ffs.fault = { op: 'write', nth: 1, code: 'ENOSPC', torn: true }
    await expect(store.put('alice', b.cid, b.bytes)).rejects.toMatchObject({ name: 'BlockStoreFullError' })
    await expectNothingPartial(store, b)
    await store.close()
    store = await openStore(ffs, root)
    await expectNothingPartial(store, b)
    await store.put('alice', b.cid, b.bytes)
    expectBytes(await store.get(b.cid), b.bytes)
    await store.close()
  })

  it('completes short direct writes', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    ffs.shortWrites = 65_536
    const b = await makeBlock(1 << 20)
    await store.put('alice', b.cid, b.bytes)
    ffs.shortWrites = undefined
    expect(ffs.trace.filter((t) => t.startsWith('write')).length).toBe(16)
    expectBytes(new Uint8Array(readFileSync(store.pathOf('alice', b.cid))), b.bytes)
    await store.close()
  })

  it('a file system refusing O_DIRECT (EINVAL) turns it off: the put and later ones go through the page cache', async () => {
    for (const op of ['openDirect', 'write'] as const) {
      const ffs = new FaultyFs(undefined, { direct: true })
      const store = await openStore(ffs)
      const b = await makeBlock(500_000)
      ffs.reset()
      ffs.fault = { op, nth: 1, code: 'EINVAL' }
      await store.put('alice', b.cid, b.bytes)
      expect(opsOf(ffs.trace).filter((o) => o === 'openDirect')).toHaveLength(1)
      expect(opsOf(ffs.trace)).toContain('open')
      expect(listFiles(store.blocksDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
      const again = await makeBlock(500_000)
      ffs.reset()
      await store.put('alice', again.cid, again.bytes)
      expectBytes(await store.get(b.cid), b.bytes)
      expectBytes(await store.get(again.cid), again.bytes)
      expect(opsOf(ffs.trace)).not.toContain('openDirect')
      await store.close()
    }
  })

  it('an EIO while reading directly is a BlockStoreIOError, never a quarantine', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    const b = await makeBlock(600_000)
    await store.put('alice', b.cid, b.bytes)
    ffs.reset()
    await store.get(b.cid)
    const steps = ffs.trace.length
    for (let nth = 1; nth <= steps; nth++) {
      ffs.reset()
      ffs.fault = { nth, code: 'EIO' }
      const r = await store.get(b.cid).catch((e: Error) => e)
      if (r instanceof Error) expect(r.name, `read step ${nth}`).toBe('BlockStoreIOError')
      else expectBytes(r, b.bytes) // a failed close after a full read is harmless
      expect(await store.has(b.cid)).toBe(true)
      expect(existsSync(store.quarantineDir)).toBe(false)
    }
    expectBytes(await store.get(b.cid), b.bytes)
    await store.close()
  })

  it('a corrupt fragment read directly is quarantined like any other', async () => {
    const ffs = new FaultyFs(undefined, { direct: true })
    const store = await openStore(ffs)
    const b = await makeBlock(700_000)
    await store.put('alice', b.cid, b.bytes)
    const path = store.pathOf('alice', b.cid)
    const fh = await open(path, 'r+')
    await fh.write(new Uint8Array([b.bytes[1000] ^ 1]), 0, 1, 1000)
    await fh.close()
    await expect(store.get(b.cid)).rejects.toMatchObject({ name: 'CorruptBlockError' })
    expect(existsSync(path)).toBe(false)
    await store.put('alice', b.cid, b.bytes)
    expectBytes(await store.get(b.cid), b.bytes)
    await store.close()
  })
})
