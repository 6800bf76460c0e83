// FileBlockStore: the conformance suite, plus Peergos' exact on-disk layout (checked against the
// account-alice dump of a real Peergos 1.32 server), legacy blocks, crash leftovers, quarantine.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, sep } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { cidToString, parseCid } from '../../../src/codec/cid.ts'
import { LEGACY_OWNER, cidToKey } from '../../../src/server/blocks/block-key.ts'
import { CorruptBlockError } from '../../../src/server/blocks/errors.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { describeVectors, loadVector, vectorPath } from '../../vectors.ts'
import { runBlockStoreConformance } from './block-store-conformance.ts'
import { base32Rfc4648, crypto, expectBytes, flipBit, gate, listFiles, makeBlock } from './helpers.ts'

export async function fileHarness() {
  const root = mkdtempSync(join(tmpdir(), 'peergos-blocks-'))
  const c = await crypto()
  let store = await FileBlockStore.open({ root, crypto: c })
  return {
    root,
    get store() {
      return store
    },
    async reopen() {
      await store.close()
      store = await FileBlockStore.open({ root, crypto: c })
      return store
    },
    async tamper(ownerDir: string, cid: Parameters<FileBlockStore['pathOf']>[1], mutate: (b: Uint8Array) => Uint8Array) {
      const p = store.pathOf(ownerDir, cid)
      writeFileSync(p, mutate(new Uint8Array(readFileSync(p))))
    },
    async cleanup() {
      rmSync(root, { recursive: true, force: true })
    },
  }
}

runBlockStoreConformance('FileBlockStore', fileHarness)

describe('FileBlockStore on disk', () => {
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'peergos-layout-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))
  const open = async () => FileBlockStore.open({ root, crypto: await crypto() })

  it('writes the temp files of a putMany while visibleAfter is pending, renames them after, and removes them when it rejects', async () => {
    const store = await open()
    const blocks = await Promise.all([makeBlock(100, false), makeBlock(5000, true)])
    const rows = gate()
    const put = store.putMany('alice', blocks, { visibleAfter: rows.promise })
    const blocksDir = join(root, '.ipfs', 'blocks')
    const temps = (): string[] => listFiles(blocksDir).filter((f) => f.endsWith('.tmp'))
    for (let i = 0; i < 200 && temps().length < 2; i++) await new Promise((r) => setTimeout(r, 5))
    expect(temps()).toHaveLength(2)
    expect(listFiles(blocksDir).filter((f) => f.endsWith('.data'))).toEqual([])
    rows.open()
    await put
    expect(temps()).toEqual([])
    expect(listFiles(blocksDir).filter((f) => f.endsWith('.data'))).toHaveLength(2)
    const refused = await makeBlock(300, false)
    await expect(store.putMany('alice', [refused], { visibleAfter: Promise.reject(new Error('no rows')) })).rejects.toThrow('no rows')
    expect(temps()).toEqual([])
    expect(existsSync(store.pathOf('alice', refused.cid))).toBe(false)
    await store.close()
  })

  it('writes <root>/.ipfs/blocks/<user>/<XY>/<KEY>.data with KEY = base32 of the CID bytes', async () => {
    const store = await open()
    const raw = await makeBlock(1234, true)
    const cbor = await makeBlock(99, false)
    await store.put('alice', raw.cid, raw.bytes)
    await store.put('bob', cbor.cid, cbor.bytes)
    const kr = base32Rfc4648(raw.cid.bytes)
    const kc = base32Rfc4648(cbor.cid.bytes)
    expect(kr.startsWith('AFKREI')).toBe(true)
    expect(kc.startsWith('AFYREI')).toBe(true)
    expect(cidToKey(raw.cid)).toBe(kr)
    expect(listFiles(join(root, '.ipfs', 'blocks'))).toEqual(
      [join('alice', kr.slice(-3, -1), `${kr}.data`), join('bob', kc.slice(-3, -1), `${kc}.data`)].sort())
    expectBytes(new Uint8Array(readFileSync(store.pathOf('alice', raw.cid))), raw.bytes)
    expect(store.recovery.synced).toBe('syncfs')
  })

  it('creates a missing root, and falls back to fsyncing every directory without `sync -f`', async () => {
    const nested = join(root, 'a', 'b', 'peergos')
    const path = process.env.PATH
    process.env.PATH = join(root, 'no-such-bin')
    try {
      const store = await FileBlockStore.open({ root: nested, crypto: await crypto() })
      expect(store.recovery.synced).toBe('fsync')
      const b = await makeBlock(10)
      await store.put('alice', b.cid, b.bytes)
      expect(existsSync(join(nested, '.ipfs', 'blocks', 'alice'))).toBe(true)
    } finally {
      process.env.PATH = path
    }
  })

  it('reads legacy unpartitioned blocks (<blocks>/<XY>/<KEY>.data) and lists them with owner ""', async () => {
    const b = await makeBlock(500)
    const key = cidToKey(b.cid)
    mkdirSync(join(root, '.ipfs', 'blocks', key.slice(-3, -1)), { recursive: true })
    writeFileSync(join(root, '.ipfs', 'blocks', key.slice(-3, -1), `${key}.data`), b.bytes)
    const store = await open()
    expectBytes(await store.get(b.cid), b.bytes)
    const entries = []
    for await (const e of store.entries()) entries.push(e)
    expect(entries.map((e) => [cidToString(e.cid), e.ownerDir])).toEqual([[cidToString(b.cid), LEGACY_OWNER]])
    expect(await store.delete(b.cid)).toBe(true)
    expect(existsSync(join(root, '.ipfs', 'blocks', key.slice(-3, -1), `${key}.data`))).toBe(false)
  })

  it('removes temp files of interrupted writes at open and ignores foreign files', async () => {
    const b = await makeBlock(500)
    const key = cidToKey(b.cid)
    const shard = join(root, '.ipfs', 'blocks', 'alice', key.slice(-3, -1))
    mkdirSync(shard, { recursive: true })
    writeFileSync(join(shard, `${key}.data-12345.tmp`), b.bytes.subarray(0, 100)) // ours / Peergos' temp name
    writeFileSync(join(shard, 'notes.txt'), 'x')
    // KEY in the wrong XY directory (AAAA belongs in AA: when the block's own shard is AA, ABBB, of BB)
    writeFileSync(join(shard, key.slice(-3, -1) === 'AA' ? 'ABBB.data' : 'AAAA.data'), 'wrong shard')
    writeFileSync(join(root, '.ipfs', 'blocks', 'README'), 'x')
    mkdirSync(join(root, '.ipfs', 'blocks', 'UPPER'))
    const store = await open()
    expect(store.recovery).toMatchObject({ blocks: 0, tempFilesRemoved: 1, ignored: 4 })
    expect(existsSync(join(shard, `${key}.data-12345.tmp`))).toBe(false)
    expect(await store.has(b.cid)).toBe(false)
    expect(existsSync(join(shard, 'notes.txt'))).toBe(true)
  })

  it('moves a corrupt copy to .ipfs/quarantine (outside the blocks Peergos scans)', async () => {
    const store = await open()
    const b = await makeBlock(4000)
    await store.put('alice', b.cid, b.bytes)
    const path = store.pathOf('alice', b.cid)
    writeFileSync(path, flipBit(b.bytes, 10))
    const err = await store.get(b.cid).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(CorruptBlockError)
    const q = (err as CorruptBlockError).quarantinedTo
    expect(q?.startsWith(join(root, '.ipfs', 'quarantine'))).toBe(true)
    expectBytes(new Uint8Array(readFileSync(q as string)), flipBit(b.bytes, 10))
    expect(existsSync(path)).toBe(false)
    expect(await store.has(b.cid)).toBe(false)
    expect(await store.get(b.cid)).toBeUndefined()
  })

  it('refreshes the write time on a re-put and rewrites a truncated copy', async () => {
    const store = await open()
    const b = await makeBlock(4000)
    await store.put('alice', b.cid, b.bytes)
    const path = store.pathOf('alice', b.cid)
    const old = new Date(Date.now() - 3_600_000)
    utimesSync(path, old, old)
    await store.put('alice', b.cid, b.bytes)
    expect(statSync(path).mtimeMs).toBeGreaterThan(Date.now() - 60_000)
    expect(await store.delete(b.cid, { notWrittenSince: Date.now() - 60_000 })).toBe(false)
    writeFileSync(path, b.bytes.subarray(0, 100))
    await store.put('alice', b.cid, b.bytes)
    expectBytes(new Uint8Array(readFileSync(path)), b.bytes)
    utimesSync(path, old, old)
    expect(await store.delete(b.cid, { notWrittenSince: Date.now() - 60_000 })).toBe(true)
  })
})

describeVectors('FileBlockStore and a real Peergos 1.32 data dir (account-alice dump)', () => {
  interface DumpBlock { cid: string; ownerDir: string; diskName: string; size: number }
  let root: string
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'peergos-dump-'))
  })
  afterEach(() => rmSync(root, { recursive: true, force: true }))
  const dump = (): DumpBlock[] => loadVector('account-alice/blocks.json').blocks
  const bin = (cid: string) => new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${cid}.bin`)))

  it('reads every block of a Peergos block dir, filed where Peergos put it', async () => {
    const blocks = dump()
    expect(blocks).toHaveLength(709)
    for (const b of blocks) {
      const p = join(root, '.ipfs', 'blocks', b.diskName)
      mkdirSync(dirname(p), { recursive: true })
      writeFileSync(p, bin(b.cid))
    }
    const store = await FileBlockStore.open({ root, crypto: await crypto() })
    expect(store.recovery).toMatchObject({ blocks: 709, tempFilesRemoved: 0, ignored: 0 })
    for (const b of blocks) {
      const cid = parseCid(b.cid)
      expectBytes(await store.get(cid), bin(b.cid))
      expect(await store.size(cid)).toBe(b.size)
    }
    const owners = new Map<string, string>()
    for await (const e of store.entries()) owners.set(cidToString(e.cid), e.ownerDir)
    for (const b of blocks) expect(owners.get(b.cid)).toBe(b.ownerDir)
  })

  it('writes the same blocks to exactly the paths Peergos used', async () => {
    const blocks = dump()
    const store = await FileBlockStore.open({ root, crypto: await crypto() })
    for (const b of blocks) await store.put(b.ownerDir, parseCid(b.cid), bin(b.cid))
    expect(listFiles(join(root, '.ipfs', 'blocks'))).toEqual(blocks.map((b) => b.diskName.split('/').join(sep)).sort())
  })
})
