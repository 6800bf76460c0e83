// The file-system calls FileBlockStore makes, behind one small interface so tests can inject
// faults (ENOSPC, EIO, torn and short writes, kill points) like SQLite's VFS shim; plus the mapping
// of errno codes to the store's typed errors. openDirect (O_DIRECT) is optional: an FsOps without it
// makes every block go through the page cache.
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

export const nodeFsOps: FsOps = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  mkdir: async (path) => {
    await fsp.mkdir(path)
  },
  readdir: (path) => fsp.readdir(path, { withFileTypes: true }),
  stat: (path) => fsp.stat(path),
  utimes: (path, atime, mtime) => fsp.utimes(path, atime, mtime),
  // O_DIRECT is Linux's (also FreeBSD's); elsewhere the constant is missing and there is no direct I/O.
  openDirect: (path, flags, mode) => (constants.O_DIRECT === undefined
    ? Promise.reject(Object.assign(new Error('EINVAL: no O_DIRECT on this platform'), { code: 'EINVAL' }))
    : fsp.open(path, DIRECT_FLAGS[flags] | constants.O_DIRECT, mode)),
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
