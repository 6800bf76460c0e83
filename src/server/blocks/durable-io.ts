// Crash-safe file I/O for FileBlockStore (security checklist B4.1): write a temp file in the target
// directory, fdatasync, rename over the final name, fsync the directory; new directories are
// fsynced into their parent before anything inside them is acknowledged. Bounded whole-file reads.
// Large files (fragments) are written and read with O_DIRECT where the file system allows it: the
// bytes go between the device and an aligned buffer without the page cache, whose copy of every
// written byte was the largest cost of a put after sha256 (bench/server-profile.md). A direct write
// is padded to the alignment and cut back with ftruncate before the fdatasync, so the sequence
// temp -> sync -> rename -> sync dir, and what a crash can leave, are the same as without it. A fragment
// in shared memory (the daemon's request bodies) goes through that sequence in a fragment worker, in one
// message (fragment-workers.ts), with the put's hash check first when the caller passes the expected
// digest. Small blocks stay on libuv's thread pool: in workers, unshared directory fsyncs cost more
// kernel time and wall time per put on this disk (bench/client-profile.md, eighth pass). Small files are
// read by reading workers, the reads of one event-loop turn in one message (small-reads.ts, pass 7).
import { randomInt } from 'node:crypto'
import { equalBytes } from '../../codec/cid.ts'
import { dirname, join } from 'node:path'
import { AlignedBuffers, alignUp, directView } from './aligned-buffers.ts'
import { DirSyncs } from './dir-syncs.ts'
import { BlockStoreIOError } from './errors.ts'
import { FragmentWriteError, fragmentWorkers, isShared } from './fragment-workers.ts'
import { errnoCode, isNotFound, nodeFsOps, storeError, type DirectFileHandleOps, type FileHandleOps, type FsOps } from './fs-ops.ts'
import { smallFileReaders } from './small-reads.ts'
import { offloadedSha256 } from './verify.ts'

export const TEMP_SUFFIX = '.tmp'

/** Files at least this large go through O_DIRECT; smaller ones (CHAMP and cryptree nodes) stay in the page cache, which serves their re-reads. */
export const DIRECT_MIN_SIZE = 128 * 1024
/** Aligned buffers per WebAssembly memory: the writes in flight of one putMany (FileBlockStore's writeConcurrency). */
const DIRECT_SLOTS_PER_SLAB = 8

export interface DurableIOOptions {
  /**
   * Largest file read or written with O_DIRECT (the size of each aligned buffer); 0 (the default)
   * turns direct I/O off. Ignored when the FsOps has no openDirect.
   */
  readonly directMaxSize?: number
}

/** Not through O_DIRECT this time: the file system refused it (EINVAL: tmpfs, an alignment it does not take; refusal() then turns it off), or no aligned buffer was free. */
const DIRECT_REFUSED: unique symbol = Symbol('direct I/O refused')
type Refused = typeof DIRECT_REFUSED

/** A directory being made: created (`exists`), then fsynced into its parent (`durable`). */
interface DirState {
  readonly exists: Promise<void>
  readonly durable: Promise<void>
}

/** A directory known to exist durably (the store's base, or one a fragment worker made and synced). */
const DURABLE_DIR: DirState = { exists: Promise.resolve(), durable: Promise.resolve() }

export class DurableIO {
  /** Directories made or being made, shared by concurrent writers (dirState). */
  private readonly dirs = new Map<string, DirState>()
  /** Directory fsyncs through kept-open handles, shared by concurrent writers. */
  private readonly dirSyncs: DirSyncs
  /** Set while O_DIRECT may be used: the FsOps has it, it is asked for, and the file system has not refused it. */
  private aligned: AlignedBuffers | undefined

  /** `base` must already exist durably (FileBlockStore.open creates and syncs it). */
  constructor(readonly fs: FsOps, private readonly base: string, o: DurableIOOptions = {}) {
    this.dirSyncs = new DirSyncs(fs)
    const max = o.directMaxSize ?? 0
    if (fs.openDirect !== undefined && max >= DIRECT_MIN_SIZE) this.aligned = new AlignedBuffers(max, DIRECT_SLOTS_PER_SLAB)
  }

  /** Whether files of `size` bytes currently go through O_DIRECT. */
  usesDirectIO(size: number): boolean {
    return this.aligned !== undefined && size >= DIRECT_MIN_SIZE && size <= this.aligned.slotSize
  }

  /** Resolves once an fsync of `dir` that started after this call is done (its handle kept open, syncs shared: dir-syncs.ts). */
  fsyncDir(dir: string): Promise<void> {
    return this.dirSyncs.sync(dir)
  }

  /** Closes the directory handles kept for fsyncs (the store is closed: nothing is written any more). */
  close(): Promise<void> {
    return this.dirSyncs.closeAll()
  }

  /** Creates `dir` (and missing parents up to base) and makes each new entry durable in its parent. */
  ensureDir(dir: string): Promise<void> {
    return this.dirState(dir).durable
  }

  /**
   * `dir` as it is being made: `exists` once it (and every missing ancestor) was created, `durable` once
   * each new entry was also fsynced into its parent. A writer may fill a new directory once it exists,
   * with the parent's fsync running meanwhile, and acknowledge only once it is durable: a young account's
   * block writes then do not wait for a shard directory's parent sync before their own write begins.
   */
  private dirState(dir: string): DirState {
    if (dir === this.base) return DURABLE_DIR
    let s = this.dirs.get(dir)
    if (s === undefined) {
      s = this.createDir(dir)
      this.dirs.set(dir, s)
      const made = s
      made.durable.catch(() => {
        if (this.dirs.get(dir) === made) this.dirs.delete(dir)
      })
    }
    return s
  }

  private createDir(dir: string): DirState {
    const parent = dirname(dir)
    if (parent === dir) {
      const refused = Promise.reject(new BlockStoreIOError(`${dir} is outside the store`))
      return { exists: refused, durable: refused }
    }
    const above = this.dirState(parent)
    const exists = (async () => {
      await above.exists
      try {
        await this.fs.mkdir(dir)
      } catch (e) {
        if (errnoCode(e) !== 'EEXIST') throw e
      }
    })()
    // Even when it existed: an earlier attempt may have made it and then failed to sync it.
    const durable = exists.then(() => Promise.all([this.fsyncDir(parent), above.durable])).then(() => undefined)
    exists.catch(() => undefined) // reported through durable
    return { exists, durable }
  }

  /**
   * Whether writeFile of `bytes` goes to a fragment worker in one message (a fragment in shared memory,
   * aligned in place, O_DIRECT on, the real file system): a hash check passed to writeFile then costs no
   * message of its own.
   */
  writesInWorker(bytes: Uint8Array): boolean {
    return this.usesDirectIO(bytes.length) && this.fs === nodeFsOps && isShared(bytes) && directView(bytes, alignUp(bytes.length)) !== undefined
  }

  /**
   * Atomically and durably replaces `dir/name` with `bytes`; with `visibleAfter`, the temp file is written
   * and synced meanwhile but renamed into place only once it resolved (when it rejects: removed, and its
   * error thrown as it is). On any failure the temp file is
   * removed, and if only the directory fsync failed the renamed file is removed too, so a caller
   * that saw an error never finds a block it was not told about. Throws typed store errors.
   * With `expectSha256`, the bytes are first checked to hash (sha-256) to it: false, with nothing
   * written, when they do not (by the fragment worker in the write's own message when writesInWorker).
   */
  async writeFile(dir: string, name: string, bytes: Uint8Array, expectSha256?: Uint8Array, visibleAfter?: Promise<unknown>): Promise<boolean> {
    const target = join(dir, name)
    const tmp = join(dir, `${name}-${randomInt(0x7fffffff)}${TEMP_SUFFIX}`)
    if (this.usesDirectIO(bytes.length) && this.fs === nodeFsOps) {
      await visibleAfter // the worker's one message makes the file visible
      const view = isShared(bytes) ? directView(bytes, alignUp(bytes.length)) : undefined
      if (view !== undefined) {
        const r = await this.writeInWorker(dir, tmp, target, view, bytes.length, expectSha256)
        if (r !== DIRECT_REFUSED) return r
        expectSha256 = undefined // the worker checked the hash before it tried the open that was refused
      }
    }
    if (expectSha256 !== undefined && !equalBytes(await offloadedSha256(bytes), expectSha256)) return false
    const made = this.dirState(dir)
    try {
      await made.exists
      if (!this.usesDirectIO(bytes.length) || (await this.writeDirect(tmp, bytes)) === DIRECT_REFUSED) await this.writeBuffered(tmp, bytes)
    } catch (e) {
      await this.fs.unlink(tmp).catch(() => undefined)
      throw storeError(e, `write ${target}`)
    }
    try {
      await visibleAfter
    } catch (e) {
      await this.fs.unlink(tmp).catch(() => undefined)
      throw e // the caller's own error, as it was
    }
    try {
      await this.fs.rename(tmp, target)
    } catch (e) {
      await this.fs.unlink(tmp).catch(() => undefined)
      throw storeError(e, `write ${target}`)
    }
    try {
      // the directory's entry for the block, and (for a new directory) its own entry in its parent
      await Promise.all([this.fsyncDir(dir), made.durable])
    } catch (e) {
      await this.fs.unlink(target).catch(() => undefined)
      throw storeError(e, `sync directory ${dir}`)
    }
    return true
  }

  /**
   * writeFile of a fragment in shared memory, aligned in place (a request body of the daemon), with the
   * real file system: the whole sequence (O_DIRECT temp file, write, ftruncate, fdatasync, close, rename,
   * directory fsync, and the same clean-up on failure) in one call to a fragment worker; a shard directory
   * not yet known here is made by the worker and fsynced into its parent first (a
   * fresh store makes most of a user's shard directories under its first uploads). DIRECT_REFUSED
   * (nothing left behind but the directory, direct I/O now off) when the file system refused O_DIRECT.
   */
  private async writeInWorker(dir: string, tmp: string, target: string, view: Uint8Array, size: number, expectSha256: Uint8Array | undefined): Promise<boolean | Refused> {
    const known = dir === this.base ? undefined : this.dirs.get(dir)?.durable
    const parent = dir === this.base || known !== undefined ? undefined : dirname(dir)
    try {
      if (parent !== undefined) await this.ensureDir(parent)
      else await known
    } catch (e) {
      throw storeError(e, `write ${target}`)
    }
    let r: 'written' | 'refused' | 'mismatch'
    try {
      r = await fragmentWorkers('writing').writeDurably({ view, size, dir, parent, tmp, target, expectSha256 })
    } catch (e) {
      throw storeError(e, e instanceof FragmentWriteError && e.stage === 'sync directory' ? `sync directory ${dir}` : `write ${target}`)
    }
    // A mismatch made nothing, not even the shard directory.
    if (r === 'mismatch') return false
    if (parent !== undefined && !this.dirs.has(dir)) this.dirs.set(dir, DURABLE_DIR)
    if (r === 'written') return true
    this.aligned = undefined
    return DIRECT_REFUSED
  }

  /** Creates `tmp` with `bytes`, fdatasynced and closed (the caller removes it on failure). */
  private async writeBuffered(tmp: string, bytes: Uint8Array): Promise<void> {
    let fh: FileHandleOps | undefined = await this.fs.open(tmp, 'wx', 0o644)
    try {
      await writeAll(fh, bytes, bytes.length, tmp)
      await fh.datasync()
      const closing = fh
      fh = undefined
      await closing.close()
    } finally {
      if (fh !== undefined) await fh.close().catch(() => undefined)
    }
  }

  /**
   * Like writeBuffered through O_DIRECT: the bytes padded to the alignment, then ftruncate to their
   * length, fdatasync (data, size and the device cache), close. Bytes that start aligned in an aligned
   * pool's buffer (a request body placed for it) are written in place, the padding being what follows
   * them in their buffer: the rest of their own request's body, then zeros (BufferPool zeroes the rest of
   * the page after a view); others are copied into an aligned buffer and zero-padded. The padding is
   * beyond the new end of file once the ftruncate ran.
   * DIRECT_REFUSED (nothing left behind) when the file system does not take O_DIRECT: direct I/O is
   * then off for good and the caller writes through the page cache.
   */
  private async writeDirect(tmp: string, bytes: Uint8Array): Promise<void | Refused> {
    const aligned = this.aligned!
    const padded = alignUp(bytes.length)
    let slot: Uint8Array | undefined
    let source = directView(bytes, padded)
    if (source === undefined) {
      slot = aligned.acquire()
      if (slot === undefined) return DIRECT_REFUSED // every aligned buffer busy: this one goes through the page cache
      slot.set(bytes)
      slot.fill(0, bytes.length, padded)
      source = slot
    }
    let fh: FileHandleOps | undefined
    try {
      const direct: DirectFileHandleOps | Refused = await this.fs.openDirect!(tmp, 'wx', 0o644).catch((e: unknown) => this.refusal(e))
      if (direct === DIRECT_REFUSED) return DIRECT_REFUSED
      fh = direct
      const wrote: void | Refused = await writeAll(direct, source, padded, tmp).catch((e: unknown) => this.refusal(e))
      if (wrote === DIRECT_REFUSED) {
        fh = undefined
        await direct.close().catch(() => undefined)
        await this.fs.unlink(tmp).catch(() => undefined)
        return DIRECT_REFUSED
      }
      await direct.truncate(bytes.length)
      await direct.datasync()
      fh = undefined
      await direct.close()
    } finally {
      if (fh !== undefined) await fh.close().catch(() => undefined)
      if (slot !== undefined) aligned.release(slot)
    }
  }

  /** EINVAL from an O_DIRECT open or transfer: turns direct I/O off and says so; any other error is rethrown. */
  private refusal(e: unknown): typeof DIRECT_REFUSED {
    if (errnoCode(e) !== 'EINVAL') throw e
    this.aligned = undefined
    return DIRECT_REFUSED
  }

  /**
   * The whole file, or undefined when it does not exist. A file over `maxSize` is not read:
   * `bytes` is then undefined. Other errors are thrown as typed store errors. `alloc` gives the
   * memory to read into (a pooled buffer), by default a buffer of its own. `direct`: the file is
   * likely a fragment written with O_DIRECT (a raw block), so it is opened with O_DIRECT once and
   * read from the device without a copy through the page cache; otherwise (and whenever direct I/O
   * is off, refused, or no aligned buffer is free) it is read through the page cache.
   */
  async readFile(path: string, maxSize: number, alloc?: (size: number) => Uint8Array, direct = false): Promise<{ bytes?: Uint8Array; size: number } | undefined> {
    if (direct && this.aligned !== undefined) {
      const r = await this.readDirect(path, maxSize, alloc)
      if (r !== DIRECT_REFUSED) return r
    }
    if (this.fs === nodeFsOps) {
      // A small file in one batched message to a reading worker (small-reads.ts); a larger one below.
      const r = await smallFileReaders().read(path, maxSize)
      if (r.kind === 'absent') return undefined
      if (r.kind === 'ok') return { bytes: r.bytes, size: r.bytes.length }
      if (r.size > maxSize) return { size: r.size }
    }
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
      const got = await readAll(fh, buf, size)
      return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, got), size: got }
    } catch (e) {
      throw storeError(e, `read ${path}`)
    } finally {
      await fh.close().catch(() => undefined)
    }
  }

  /**
   * readFile through one O_DIRECT open: into the allocated buffer in place when it starts aligned in
   * an aligned pool's buffer with room for the padding, else through an aligned slot (one copy).
   * DIRECT_REFUSED (nothing read yet) when the file system does not take O_DIRECT or the file is smaller
   * than DIRECT_MIN_SIZE or larger than a slot: the caller then reads it through the page cache. Once its buffer is allocated, a
   * refusal, a busy slot pool or a file that changed size is read through the page cache here.
   */
  private async readDirect(path: string, maxSize: number, alloc?: (size: number) => Uint8Array): Promise<{ bytes?: Uint8Array; size: number } | undefined | Refused> {
    const aligned = this.aligned!
    let fh: DirectFileHandleOps | Refused
    try {
      fh = await this.fs.openDirect!(path, 'r').catch((e: unknown) => this.refusal(e))
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw storeError(e, `open ${path}`)
    }
    if (fh === DIRECT_REFUSED) return DIRECT_REFUSED
    let slot: Uint8Array | undefined
    try {
      const { size } = await fh.stat()
      if (size > maxSize) return { size }
      // A small one (the last fragment of a file, a small file) is better kept in the page cache.
      if (size < DIRECT_MIN_SIZE) return DIRECT_REFUSED
      const padded = alignUp(size)
      if (padded > aligned.slotSize) return DIRECT_REFUSED
      const buf = alloc?.(size) ?? Buffer.allocUnsafeSlow(size)
      const inPlace = directView(buf, padded)
      if (inPlace === undefined) slot = aligned.acquire()
      const target = inPlace ?? slot
      if (target !== undefined) {
        // One aligned request for the whole file.
        const read: { bytesRead: number } | Refused = await fh.read(target, 0, padded, 0).catch((e: unknown) => this.refusal(e))
        if (read !== DIRECT_REFUSED && read.bytesRead === size) {
          if (slot !== undefined) buf.set(slot.subarray(0, size))
          return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, size), size }
        }
      }
      // No aligned slot free, O_DIRECT refused, or the file changed: through the page cache, into the same buffer.
      const got = await this.readBuffered(path, buf, size)
      return got === undefined ? undefined : { bytes: new Uint8Array(buf.buffer, buf.byteOffset, got), size: got }
    } catch (e) {
      throw storeError(e, `read ${path}`)
    } finally {
      await fh.close().catch(() => undefined)
      if (slot !== undefined) aligned.release(slot)
    }
  }

  /** Up to `size` bytes of the file into `buf` through the page cache; undefined if it is gone. */
  private async readBuffered(path: string, buf: Uint8Array, size: number): Promise<number | undefined> {
    let fh: FileHandleOps
    try {
      fh = await this.fs.open(path, 'r')
    } catch (e) {
      if (isNotFound(e)) return undefined
      throw e
    }
    try {
      return await readAll(fh, buf, size)
    } finally {
      await fh.close().catch(() => undefined)
    }
  }
}

/** Reads up to `size` bytes at offset 0 into `buf`, continuing after short reads; stops early if the file shrank (the short block then fails its hash). */
async function readAll(fh: FileHandleOps, buf: Uint8Array, size: number): Promise<number> {
  let off = 0
  while (off < size) {
    const { bytesRead } = await fh.read(buf, off, size - off, off)
    if (bytesRead === 0) break
    off += bytesRead
  }
  return off
}

/** Writes `length` bytes of `bytes` at offset 0, continuing after short writes. */
async function writeAll(fh: FileHandleOps, bytes: Uint8Array, length: number, path: string): Promise<void> {
  let off = 0
  while (off < length) {
    const { bytesWritten } = await fh.write(bytes, off, length - off, off)
    if (!(bytesWritten > 0)) throw new BlockStoreIOError(`write to ${path} made no progress`, 'EIO')
    off += bytesWritten
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
