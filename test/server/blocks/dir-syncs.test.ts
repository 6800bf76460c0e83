// DirSyncs (dir-syncs.ts): directory handles kept open between fsyncs, concurrent callers sharing
// syncs but never one that started before their call, a failed sync dropping its handle, the least
// recently used idle handles closed beyond the limit, and every handle closed at the end. Real
// directories through FaultyFs, whose `sync` calls can be held open here to order them.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DirSyncs } from '../../../src/server/blocks/dir-syncs.ts'
import type { FileHandleOps } from '../../../src/server/blocks/fs-ops.ts'
import { FaultyFs } from './faulty-fs.ts'
import { opsOf } from './helpers.ts'

/** FaultyFs whose directory syncs wait for `release()` while `hold` is set; counts syncs started and finished. */
class GatedFs extends FaultyFs {
  hold = false
  started = 0
  finished = 0
  private waiting: (() => void)[] = []

  override async open(path: string, flags: string, mode?: number): Promise<FileHandleOps> {
    const fh = await super.open(path, flags, mode)
    return {
      ...fh,
      sync: async () => {
        this.started++
        if (this.hold) await new Promise<void>((r) => this.waiting.push(r))
        await fh.sync()
        this.finished++
      },
    }
  }

  /** Lets every held sync go on. */
  release(): void {
    for (const r of this.waiting.splice(0)) r()
  }

  /** Resolves once `n` syncs were started. */
  async startedAtLeast(n: number): Promise<void> {
    while (this.started < n) await new Promise((r) => setImmediate(r))
  }
}

describe('DirSyncs', () => {
  let base: string
  const dir = (name: string): string => {
    const d = join(base, name)
    mkdirSync(d, { recursive: true })
    return d
  }
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), 'peergos-dirsyncs-'))
  })
  afterEach(() => rmSync(base, { recursive: true, force: true }))

  it('opens a directory once and keeps its handle for later syncs; closeAll closes it', async () => {
    const fs = new FaultyFs()
    const syncs = new DirSyncs(fs)
    const a = dir('a')
    await syncs.sync(a)
    await syncs.sync(a)
    await syncs.sync(a)
    expect(opsOf(fs.trace)).toEqual(['open', 'sync', 'sync', 'sync'])
    await syncs.closeAll()
    expect(opsOf(fs.trace)).toEqual(['open', 'sync', 'sync', 'sync', 'close'])
  })

  it('a caller that comes while a sync runs waits for the next one, which serves everyone who came meanwhile', async () => {
    const fs = new GatedFs()
    const syncs = new DirSyncs(fs)
    const a = dir('a')
    fs.hold = true
    const settled: string[] = []
    const first = syncs.sync(a).then(() => settled.push('first'))
    await fs.startedAtLeast(1)
    // these three arrive while the first sync is in progress: it may have missed their entries
    const later = [1, 2, 3].map((i) => syncs.sync(a).then(() => settled.push(`later${i}`)))
    await new Promise((r) => setImmediate(r))
    expect(fs.started).toBe(1)
    fs.hold = false
    fs.release()
    await first
    await Promise.all(later)
    // one sync for the first caller, one more shared by the three that came during it
    expect(fs.started).toBe(2)
    expect(fs.finished).toBe(2)
    expect(settled).toEqual(['first', 'later1', 'later2', 'later3'])
    await syncs.closeAll()
  })

  it('syncs of different directories do not wait for each other', async () => {
    const fs = new GatedFs()
    const syncs = new DirSyncs(fs)
    fs.hold = true
    const pa = syncs.sync(dir('a'))
    const pb = syncs.sync(dir('b'))
    await fs.startedAtLeast(2)
    fs.hold = false
    fs.release()
    await Promise.all([pa, pb])
    expect(fs.finished).toBe(2)
    await syncs.closeAll()
  })

  it('a failed sync rejects its callers, closes its handle, and the next sync opens a fresh one', async () => {
    const fs = new FaultyFs()
    const syncs = new DirSyncs(fs)
    const a = dir('a')
    await syncs.sync(a)
    fs.reset()
    fs.fault = { op: 'sync', nth: 1, code: 'EIO' }
    await expect(syncs.sync(a)).rejects.toMatchObject({ code: 'EIO' })
    await syncs.sync(a)
    expect(opsOf(fs.trace)).toEqual(['sync', 'close', 'open', 'sync'])
    await syncs.closeAll()
  })

  it('a directory that cannot be opened rejects, and is tried again next time', async () => {
    const fs = new FaultyFs()
    const syncs = new DirSyncs(fs)
    await expect(syncs.sync(join(base, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
    mkdirSync(join(base, 'missing'))
    await syncs.sync(join(base, 'missing'))
    expect(opsOf(fs.trace)).toEqual(['open', 'open', 'sync'])
    await syncs.closeAll()
  })

  it('keeps at most the limit of idle handles open, closing the least recently used', async () => {
    const fs = new FaultyFs()
    const syncs = new DirSyncs(fs, 3)
    const dirs = ['a', 'b', 'c', 'd', 'e'].map(dir)
    for (const d of dirs.slice(0, 3)) await syncs.sync(d)
    await syncs.sync(dirs[0]) // a is now the most recently used
    fs.reset()
    await syncs.sync(dirs[3]) // closes b
    await syncs.sync(dirs[4]) // closes c
    await syncs.sync(dirs[0]) // still open
    await syncs.closeAll()
    const trace = fs.trace.map((t) => `${t.split(' ')[0]} ${t.split(' ')[1].slice(base.length + 1)}`)
    expect(trace.filter((t) => !t.startsWith('close')).slice(0, 4)).toEqual(['open d', 'sync d', 'open e', 'sync e'])
    expect(trace.filter((t) => t.startsWith('close')).sort()).toEqual(['close a', 'close b', 'close c', 'close d', 'close e'])
    expect(trace.indexOf('close b')).toBeLessThan(trace.indexOf('open e'))
    expect(trace.filter((t) => t === 'open a')).toEqual([])
  })

  it('closeAll waits for a sync in progress before closing its handle', async () => {
    const fs = new GatedFs()
    const syncs = new DirSyncs(fs)
    fs.hold = true
    const p = syncs.sync(dir('a'))
    await fs.startedAtLeast(1)
    const closed = syncs.closeAll()
    await new Promise((r) => setImmediate(r))
    expect(opsOf(fs.trace)).not.toContain('close')
    fs.hold = false
    fs.release()
    await p
    await closed
    expect(opsOf(fs.trace)).toEqual(['open', 'sync', 'close'])
    expect(fs.finished).toBe(1)
  })
})

