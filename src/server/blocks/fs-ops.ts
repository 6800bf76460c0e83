// The file-system calls FileBlockStore makes, behind one small interface so tests can inject
// faults (ENOSPC, EIO, torn and short writes, kill points) like SQLite's VFS shim; plus the mapping
// of errno codes to the store's typed errors. openDirect (O_DIRECT) is optional: an FsOps without it
// makes every block go through the page cache. nodeFsOps works on plain descriptors through node:fs's
// callback API: a small block's write is eight calls, and a FileHandle of fs/promises cost about twice
// the event loop's time per call (its own request objects, promises and close-on-collection tracking).
import * as fs from 'node:fs'
import { constants, promises as fsp } from 'node:fs'
import { BlockStoreFullError, BlockStoreIOError } from './errors.ts'

export interface FileHandleOps {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>
  stat(): Promise<{ size: number }>
  /** fdatasync: the data and the size, not the timestamps. */
  datasync(): Promise<void>
  /** fsync (used on directories). */
  sync(): Promise<void>
  close(): Promise<void>
}

/** A file opened with O_DIRECT: buffers, offsets and lengths must be aligned (aligned-buffers.ts). */
export interface DirectFileHandleOps extends FileHandleOps {
  /** ftruncate: a direct write is padded to the alignment, then cut back to the block's size. */
  truncate(length: number): Promise<void>
}

export interface DirEntry {
  readonly name: string
  isDirectory(): boolean
  isFile(): boolean
}

export interface FsOps {
  open(path: string, flags: string, mode?: number): Promise<FileHandleOps>
  rename(from: string, to: string): Promise<void>
  unlink(path: string): Promise<void>
  /** Non-recursive mkdir; rejects with EEXIST when the directory exists. */
  mkdir(path: string): Promise<void>
  readdir(path: string): Promise<DirEntry[]>
  stat(path: string): Promise<{ size: number; mtimeMs: number }>
  utimes(path: string, atime: Date, mtime: Date): Promise<void>
  /**
   * Opens with O_DIRECT (data moves between the device and the caller's memory, not through the
   * page cache): 'wx' creates a new file for writing, 'r' reads. Rejects with EINVAL where the file
   * system has no direct I/O (tmpfs).
   */
  openDirect?(path: string, flags: 'wx' | 'r', mode?: number): Promise<DirectFileHandleOps>
}

const DIRECT_FLAGS = { wx: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, r: constants.O_RDONLY } as const

/** A node:fs callback call as a promise. */
function call<T>(run: (done: (e: NodeJS.ErrnoException | null, value?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => run((e, value) => (e === null ? resolve(value as T) : reject(e))))
}

/** The open file `fd` (closed by close(), which every caller does in a finally). */
function fdHandle(fd: number): DirectFileHandleOps {
  return {
    write: (buffer, offset, length, position) => call<number>((done) => fs.write(fd, buffer, offset, length, position, done)).then((bytesWritten) => ({ bytesWritten })),
    read: (buffer, offset, length, position) => call<number>((done) => fs.read(fd, buffer, offset, length, position, done)).then((bytesRead) => ({ bytesRead })),
    stat: () => call<fs.Stats>((done) => fs.fstat(fd, done)),
    datasync: () => call<void>((done) => fs.fdatasync(fd, done)),
    sync: () => call<void>((done) => fs.fsync(fd, done)),
    truncate: (length) => call<void>((done) => fs.ftruncate(fd, length, done)),
    close: () => closeNow(fd),
  }
}

/**
 * close(2) right away on the calling thread: it writes nothing back (a written file was fdatasynced
 * before, and close does not flush in any case; ext4 only for files truncated to zero, which the store
 * never makes), so it does not wait on the disk, while a round trip through the thread pool is a
 * wake-up of another thread, then of this one.
 */
function closeNow(fd: number): Promise<void> {
  try {
    fs.closeSync(fd)
    return Promise.resolve()
  } catch (e) {
    return Promise.reject(e)
  }
}

function openFd(path: string, flags: string | number, mode?: number): Promise<DirectFileHandleOps> {
  return call<number>((done) => fs.open(path, flags, mode, done)).then(fdHandle)
}

export const nodeFsOps: FsOps = {
  open: (path, flags, mode) => openFd(path, flags, mode),
  rename: (from, to) => call<void>((done) => fs.rename(from, to, done)),
  unlink: (path) => call<void>((done) => fs.unlink(path, done)),
  mkdir: (path) => call<void>((done) => fs.mkdir(path, (e) => done(e))),
  readdir: (path) => fsp.readdir(path, { withFileTypes: true }),
  stat: (path) => call<fs.Stats>((done) => fs.stat(path, done)),
  utimes: (path, atime, mtime) => call<void>((done) => fs.utimes(path, atime, mtime, done)),
  // O_DIRECT is Linux's (also FreeBSD's); elsewhere the constant is missing and there is no direct I/O.
  openDirect: (path, flags, mode) => (constants.O_DIRECT === undefined
    ? Promise.reject(Object.assign(new Error('EINVAL: no O_DIRECT on this platform'), { code: 'EINVAL' }))
    : openFd(path, DIRECT_FLAGS[flags] | constants.O_DIRECT, mode)),
}

export function errnoCode(e: unknown): string | undefined {
  const code = (e as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

export function isNotFound(e: unknown): boolean {
  return errnoCode(e) === 'ENOENT'
}

/** ENOSPC/EDQUOT → BlockStoreFullError, anything else → BlockStoreIOError (typed errors pass through). */
export function storeError(e: unknown, what: string): Error {
  if (e instanceof BlockStoreFullError || e instanceof BlockStoreIOError) return e
  const code = errnoCode(e)
  const reason = e instanceof Error ? e.message : String(e)
  if (code === 'ENOSPC' || code === 'EDQUOT') return new BlockStoreFullError(`No space left to ${what}: ${reason}`, { cause: e })
  return new BlockStoreIOError(`I/O error to ${what}: ${reason}`, code, { cause: e })
}
