// Crash-safe file I/O for FileBlockStore (security checklist B4.1): write a temp file in the target
// directory, fdatasync, rename over the final name, fsync the directory; new directories are
// fsynced into their parent before anything inside them is acknowledged. Bounded whole-file reads.
import { randomInt } from 'node:crypto'
import { dirname, join } from 'node:path'
import { BlockStoreIOError } from './errors.ts'
import { errnoCode, isNotFound, storeError, type FileHandleOps, type FsOps } from './fs-ops.ts'

export const TEMP_SUFFIX = '.tmp'

export class DurableIO {
  /** Directories known to exist durably: a promise per path, shared by concurrent writers. */
  private readonly dirs = new Map<string, Promise<void>>()

  /** `base` must already exist durably (FileBlockStore.open creates and syncs it). */
  constructor(readonly fs: FsOps, private readonly base: string) {}

  async fsyncDir(dir: string): Promise<void> {
    const fh = await this.fs.open(dir, 'r')
    try {
      await fh.sync()
    } finally {
      await fh.close()
    }
  }

  /** Creates `dir` (and missing parents up to base) and makes each new entry durable in its parent. */
  ensureDir(dir: string): Promise<void> {
    if (dir === this.base) return Promise.resolve()
    let p = this.dirs.get(dir)
    if (p === undefined) {
      p = this.createDir(dir)
      this.dirs.set(dir, p)
      p.catch(() => this.dirs.delete(dir))
    }
    return p
  }

  private async createDir(dir: string): Promise<void> {
    const parent = dirname(dir)
    if (parent === dir) throw new BlockStoreIOError(`${dir} is outside the store`)
    await this.ensureDir(parent)
    try {
      await this.fs.mkdir(dir)
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e
    }
    // Even when it existed: an earlier attempt may have made it and then failed to sync it.
    await this.fsyncDir(parent)
  }

  /**
   * Atomically and durably replaces `dir/name` with `bytes`. On any failure the temp file is
   * removed, and if only the directory fsync failed the renamed file is removed too, so a caller
   * that saw an error never finds a block it was not told about. Throws typed store errors.
   */
  async writeFile(dir: string, name: string, bytes: Uint8Array): Promise<void> {
    const target = join(dir, name)
    const tmp = join(dir, `${name}-${randomInt(0x7fffffff)}${TEMP_SUFFIX}`)
    let fh: FileHandleOps | undefined
    try {
      await this.ensureDir(dir)
      fh = await this.fs.open(tmp, 'wx', 0o644)
      let off = 0
      while (off < bytes.length) {
        const { bytesWritten } = await fh.write(bytes, off, bytes.length - off, off)
        if (!(bytesWritten > 0)) throw new BlockStoreIOError(`write to ${tmp} made no progress`, 'EIO')
        off += bytesWritten
      }
      await fh.datasync()
      const closing = fh
      fh = undefined
      await closing.close()
      await this.fs.rename(tmp, target)
    } catch (e) {
      if (fh !== undefined) await fh.close().catch(() => undefined)
      await this.fs.unlink(tmp).catch(() => undefined)
      throw storeError(e, `write ${target}`)
    }
    try {
      await this.fsyncDir(dir)
    } catch (e) {
      await this.fs.unlink(target).catch(() => undefined)
      throw storeError(e, `sync directory ${dir}`)
    }
  }

  /**
   * The whole file, or undefined when it does not exist. A file over `maxSize` is not read:
   * `bytes` is then undefined. Other errors are thrown as typed store errors. `alloc` gives the
   * memory to read into (a pooled buffer), by default a buffer of its own.
   */
  async readFile(path: string, maxSize: number, alloc?: (size: number) => Uint8Array): Promise<{ bytes?: Uint8Array; size: number } | undefined> {
    let fh: FileHandleOps
    try {
      fh = await this.fs.open(path, 'r')
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw storeError(e, `open ${path}`)
    }
    try {
      const { size } = await fh.stat()
      if (size > maxSize) return { size }
      // Its own ArrayBuffer (not Node's shared pool), no zero-fill: every byte is overwritten.
      const buf = alloc?.(size) ?? Buffer.allocUnsafeSlow(size)
      let off = 0
      while (off < size) {
        const { bytesRead } = await fh.read(buf, off, size - off, off)
        if (bytesRead === 0) break // shrank under us: the short block will fail its hash
        off += bytesRead
      }
      const bytes = new Uint8Array(buf.buffer, buf.byteOffset, off)
      return { bytes, size: off }
    } catch (e) {
      throw storeError(e, `read ${path}`)
    } finally {
      await fh.close().catch(() => undefined)
    }
  }
}

/** mkdir -p through FsOps (made durable by the store's start-up sync). */
export async function makeDirs(fs: FsOps, dir: string): Promise<void> {
  try {
    await fs.mkdir(dir)
  } catch (e) {
    const code = errnoCode(e)
    if (code === 'EEXIST') return
    if (code !== 'ENOENT' || dirname(dir) === dir) throw e
    await makeDirs(fs, dirname(dir))
    await makeDirs(fs, dir)
  }
}
