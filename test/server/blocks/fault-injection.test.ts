// FileBlockStore under injected I/O faults (security checklist B4 items 5-6): each step of a put
// fails in turn with EIO and with ENOSPC, writes are torn or short, reads fail; every time the
// error is typed, no partial block or temp file is left, and the store works again afterwards.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { FaultyFs } from './faulty-fs.ts'
import { crypto, expectBytes, expectInOrder, expectNothingPartial, failEachStepInTurn, makeBlock, opsOf } from './helpers.ts'

describe('FileBlockStore under injected I/O faults', () => {
  let base: string
  let ffs: FaultyFs
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'peergos-faults-'))
    ffs = new FaultyFs()
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  let n = 0
  const open = async (root = join(base, `r${n++}`)) => FileBlockStore.open({ root, crypto: await crypto(), fs: ffs })

  /** The calls of a put into a store that wrote before (its blocks directory's handle kept open), as in the loop below. */
  async function putSteps(): Promise<string[]> {
    const store = await open()
    const first = await makeBlock(1000)
    await store.put('bob', first.cid, first.bytes)
    const probe = await makeBlock(200_000)
    ffs.reset()
    await store.put('alice', probe.cid, probe.bytes)
    const steps = [...ffs.trace]
    await store.close()
    return steps
  }

  for (const [code, errorName] of [['EIO', 'BlockStoreIOError'], ['ENOSPC', 'BlockStoreFullError']] as const) {
    it(`fails each step of a put in turn with ${code}: ${errorName}, nothing partial, then works`, async () => {
      const steps = await putSteps()
      // mkdir+fsync of the owner and shard dirs (the shard's fsync into its parent alongside the block's
      // write), temp open/write/datasync/close, rename, dir fsync; the directory handles stay open for
      // later fsyncs (the blocks directory's since bob's put).
      expect(opsOf(steps).sort()).toEqual([
        'mkdir', 'sync', 'mkdir', 'open', 'sync',
        'open', 'write', 'datasync', 'close', 'rename', 'open', 'sync',
      ].sort())
      const shard = dirname(steps.find((s) => s.startsWith('rename '))!.slice('rename '.length))
      expectInOrder(steps, [['mkdir', '/alice'], ['sync', '/blocks']])
      expectInOrder(steps, [['mkdir', '/alice'], ['mkdir', shard], ['sync', '/alice']])
      expectInOrder(steps, [['mkdir', shard], ['open', '.tmp'], ['write', '.tmp'], ['datasync', '.tmp'], ['close', '.tmp'], ['rename', '.data'], ['sync', shard]])
      await failEachStepInTurn({ open: () => open(), fs: ffs, steps, code, errorName, otherSize: 1000, size: 200_000 })
    })
  }

  it('a torn write (half the bytes reach the disk, then ENOSPC) leaves no partial block', async () => {
    const root = join(base, 'torn')
    let store = await open(root)
    const b = await makeBlock(1 << 20)
    ffs.fault = { op: 'write', nth: 1, code: 'ENOSPC', torn: true }
    await expect(store.put('alice', b.cid, b.bytes)).rejects.toMatchObject({ name: 'BlockStoreFullError' })
    await expectNothingPartial(store, b)
    await store.close()
    store = await open(root)
    await expectNothingPartial(store, b)
    await store.put('alice', b.cid, b.bytes)
    expectBytes(await store.get(b.cid), b.bytes)
  })

  it('completes short writes', async () => {
    const store = await open()
    ffs.shortWrites = 65_536
    const b = await makeBlock(1 << 20)
    await store.put('alice', b.cid, b.bytes)
    ffs.shortWrites = undefined
    expect(ffs.trace.filter((t) => t.startsWith('write')).length).toBe(16)
    expectBytes(new Uint8Array(readFileSync(store.pathOf('alice', b.cid))), b.bytes)
  })

  it('an EIO while reading is a BlockStoreIOError, never a quarantine', async () => {
    const store = await open()
    const b = await makeBlock(300_000)
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
  })

  it('an EIO while deleting leaves the block indexed and readable', async () => {
    const store = await open()
    const b = await makeBlock(1000)
    await store.put('alice', b.cid, b.bytes)
    ffs.fault = { op: 'unlink', nth: 1, code: 'EIO' }
    await expect(store.delete(b.cid)).rejects.toMatchObject({ name: 'BlockStoreIOError' })
    expectBytes(await store.get(b.cid), b.bytes)
    expect(await store.delete(b.cid)).toBe(true)
  })

  it('an EIO while scanning at open is a BlockStoreIOError; the next open succeeds', async () => {
    const root = join(base, 'scan')
    let store = await open(root)
    const b = await makeBlock(1000)
    await store.put('alice', b.cid, b.bytes)
    await store.close()
    ffs.fault = { op: 'readdir', nth: 2, code: 'EIO' }
    await expect(open(root)).rejects.toMatchObject({ name: 'BlockStoreIOError' })
    store = await open(root)
    expectBytes(await store.get(b.cid), b.bytes)
  })
})
