// A power-loss simulator for FileBlockStore (checklist B3 "drop everything not yet fsynced", B4.4):
// an FsOps over a real directory that models what the disk holds durably (file data as of its
// last fdatasync/fsync, directory entries as of their directory's last fsync) and can cut the power.
// O_DIRECT opens (openDirect) are modelled the same way: data written directly is durable only once
// synced (a device's volatile cache), with the size the file had at that sync.
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import { nodeFsOps, type DirectFileHandleOps, type DirEntry, type FileHandleOps, type FsOps } from '../../../src/server/blocks/fs-ops.ts'

type Entry = { readonly kind: 'file'; readonly inode: number } | { readonly kind: 'dir' }

/** The block store stops getting answers: every call after the power cut fails like a dead disk. */
export class PowerLostError extends Error {
  readonly code = 'EIO'
}

export class LossyFs implements FsOps {
  /** Directory path → its entries, as the running system sees them / as the disk holds them durably. */
  private readonly live = new Map<string, Map<string, Entry>>()
  private readonly durable = new Map<string, Map<string, Entry>>()
  /** inode → its data as of its last sync (absent: never synced, so lost). */
  private readonly synced = new Map<number, Uint8Array>()
  private inodes = 0
  private dead = false
  /** fs calls made so far; `cutAfter` cuts the power right after that many. */
  calls = 0
  cutAfter = Infinity

  /** Everything under `root` when the simulator starts is durable (a clean shutdown before). */
  constructor(private readonly root: string) {
    const scan = (dir: string): void => {
      const entries = new Map<string, Entry>()
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name)
        if (e.isDirectory()) {
          entries.set(e.name, { kind: 'dir' })
          scan(p)
        } else {
          const inode = ++this.inodes
          this.synced.set(inode, new Uint8Array(readFileSync(p)))
          entries.set(e.name, { kind: 'file', inode })
        }
      }
      this.live.set(dir, entries)
      this.durable.set(dir, new Map(entries))
    }
    scan(root)
  }

  get powerLost(): boolean {
    return this.dead
  }

  /** Runs a call unless the power is off; one that ends after the cut reports an error (`undo` releases what it got). */
  private async call<T>(run: () => Promise<T>, undo?: (result: T) => Promise<unknown>): Promise<T> {
    if (this.dead) throw new PowerLostError('EIO: the power is off')
    const result = await run()
    if (this.dead) {
      await undo?.(result).catch(() => undefined)
      throw new PowerLostError('EIO: the power went off')
    }
    if (++this.calls >= this.cutAfter) this.dead = true
    return result
  }

  private entries(dir: string): Map<string, Entry> {
    let m = this.live.get(dir)
    if (m === undefined) {
      m = new Map()
      this.live.set(dir, m)
    }
    return m
  }

  async open(path: string, flags: string, mode?: number): Promise<FileHandleOps> {
    const opened = await this.call(() => nodeFsOps.open(path, flags, mode), (fh) => fh.close())
    return this.handle(path, flags, opened)
  }

  async openDirect(path: string, flags: 'wx' | 'r', mode?: number): Promise<DirectFileHandleOps> {
    const opened = await this.call(() => nodeFsOps.openDirect!(path, flags, mode), (fh) => fh.close())
    return { ...this.handle(path, flags, opened), truncate: (length) => this.call(() => opened.truncate(length)) }
  }

  private handle(path: string, flags: string, fh: FileHandleOps): FileHandleOps {
    const existing = this.live.get(dirname(path))?.get(basename(path))
    let entry: Entry
    if (flags.includes('w')) {
      entry = { kind: 'file', inode: ++this.inodes }
      this.entries(dirname(path)).set(basename(path), entry)
    } else {
      entry = existing ?? (this.live.has(path) ? { kind: 'dir' } : { kind: 'file', inode: ++this.inodes })
    }
    const sync = async (): Promise<void> => {
      await fh.datasync()
      // A sync the power cut interrupted made nothing durable.
      if (this.dead) throw new PowerLostError('EIO: the power went off')
      if (entry.kind === 'dir') this.durable.set(path, new Map(this.entries(path)))
      // The store syncs a file before renaming it, so it is still at `path` (opened write-only, read it by name).
      else this.synced.set(entry.inode, new Uint8Array(await readFile(path)))
    }
    return {
      write: (buf, off, len, pos) => this.call(() => fh.write(buf, off, len, pos)),
      read: (buf, off, len, pos) => this.call(() => fh.read(buf, off, len, pos)),
      stat: () => this.call(() => fh.stat()),
      datasync: () => this.call(sync),
      sync: () => this.call(sync),
      close: () => (this.dead ? fh.close().then(() => Promise.reject(new PowerLostError('EIO: the power is off'))) : this.call(() => fh.close())),
    }
  }

  rename(from: string, to: string): Promise<void> {
    return this.call(async () => {
      await nodeFsOps.rename(from, to)
      const entry = this.entries(dirname(from)).get(basename(from))
      this.entries(dirname(from)).delete(basename(from))
      if (entry !== undefined) this.entries(dirname(to)).set(basename(to), entry)
    })
  }

  unlink(path: string): Promise<void> {
    return this.call(async () => {
      await nodeFsOps.unlink(path)
      this.entries(dirname(path)).delete(basename(path))
    })
  }

  mkdir(path: string): Promise<void> {
    return this.call(async () => {
      await nodeFsOps.mkdir(path)
      this.entries(dirname(path)).set(basename(path), { kind: 'dir' })
      this.entries(path)
    })
  }

  readdir(path: string): Promise<DirEntry[]> {
    return this.call(() => nodeFsOps.readdir(path))
  }

  stat(path: string): Promise<{ size: number; mtimeMs: number }> {
    return this.call(() => nodeFsOps.stat(path))
  }

  utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    return this.call(() => nodeFsOps.utimes(path, atime, mtime))
  }

  /**
   * Cuts the power (if not already) and replaces the directory with what the disk durably held:
   * only durable entries, each file with its data as of its last sync (empty if it never had one,
   * as ext4 leaves a file whose name reached the disk before its data).
   */
  powerLoss(): { files: number; lostFiles: number } {
    this.dead = true
    let files = 0
    let lostFiles = 0
    rmSync(this.root, { recursive: true, force: true })
    const restore = (dir: string): void => {
      mkdirSync(dir, { recursive: true })
      for (const [name, e] of this.durable.get(dir) ?? new Map<string, Entry>()) {
        const p = join(dir, name)
        if (e.kind === 'dir') restore(p)
        else {
          files++
          const data = this.synced.get(e.inode)
          if (data === undefined) lostFiles++
          writeFileSync(p, data ?? new Uint8Array(0))
        }
      }
    }
    restore(this.root)
    return { files, lostFiles }
  }
}
