// A fault-injecting FsOps for FileBlockStore tests (security checklist B3 "storage shim"): counts
// every call, fails the N-th one with an errno, tears writes (a prefix reaches the disk, then
// ENOSPC), shortens writes, or runs a hook (the crash fixture's kill points) after a call. With
// `direct`, it passes O_DIRECT opens (openDirect, and truncate on their handles) through as well.
import { nodeFsOps, type DirectFileHandleOps, type FileHandleOps, type FsOps } from '../../../src/server/blocks/fs-ops.ts'

export type OpName = 'open' | 'openDirect' | 'write' | 'read' | 'fstat' | 'truncate' | 'datasync' | 'sync' | 'close' | 'rename' | 'unlink' | 'mkdir' | 'readdir' | 'stat' | 'utimes'

export interface Fault {
  /** 1-based index of the call to fail (counting only calls of `op` when it is given). */
  readonly nth: number
  readonly op?: OpName
  readonly code?: string
  /** For a write: let half the bytes reach the file before failing. */
  readonly torn?: boolean
}

export class FaultyFs implements FsOps {
  readonly trace: string[] = []
  private counts = new Map<string, number>()
  private total = 0
  fault: Fault | undefined
  /** Writes report at most this many bytes written (short writes, no error). */
  shortWrites: number | undefined
  /** Called after each successful call (e.g. to SIGKILL the process at a chosen point). */
  after: ((op: OpName, path: string) => void) | undefined

  openDirect?: (path: string, flags: 'wx' | 'r', mode?: number) => Promise<DirectFileHandleOps>

  constructor(private readonly base: FsOps = nodeFsOps, o: { direct?: boolean } = {}) {
    const openDirect = base.openDirect
    if (o.direct === true && openDirect !== undefined) {
      this.openDirect = async (path, flags, mode) => {
        const fh = await this.call('openDirect', path, () => openDirect(path, flags, mode))
        return { ...this.wrap(path, fh), truncate: (length) => this.call('truncate', path, () => fh.truncate(length)) }
      }
    }
  }

  reset(): void {
    this.trace.length = 0
    this.counts = new Map()
    this.total = 0
  }

  /** `torn` runs before a fault when the fault asks for it; `release` runs before any fault. */
  private async call<T>(op: OpName, path: string, run: () => Promise<T>, torn?: () => Promise<unknown>, release?: () => Promise<unknown>): Promise<T> {
    this.total++
    const n = (this.counts.get(op) ?? 0) + 1
    this.counts.set(op, n)
    this.trace.push(`${op} ${path}`)
    const f = this.fault
    if (f !== undefined && (f.op === undefined ? this.total === f.nth : f.op === op && n === f.nth)) {
      this.fault = undefined
      if (f.torn && torn !== undefined) await torn()
      if (release !== undefined) await release()
      throw Object.assign(new Error(`${f.code ?? 'EIO'}: injected fault on ${op} ${path}`), { code: f.code ?? 'EIO' })
    }
    const result = await run()
    this.after?.(op, path)
    return result
  }

  async open(path: string, flags: string, mode?: number): Promise<FileHandleOps> {
    return this.wrap(path, await this.call('open', path, () => this.base.open(path, flags, mode)))
  }

  private wrap(path: string, fh: FileHandleOps): FileHandleOps {
    return {
      write: (buf, off, len, pos) =>
        this.call('write', path, () => fh.write(buf, off, this.shortWrites === undefined ? len : Math.min(len, this.shortWrites), pos),
          () => fh.write(buf, off, len >> 1, pos)),
      read: (buf, off, len, pos) => this.call('read', path, () => fh.read(buf, off, len, pos)),
      stat: () => this.call('fstat', path, () => fh.stat()),
      datasync: () => this.call('datasync', path, () => fh.datasync()),
      sync: () => this.call('sync', path, () => fh.sync()),
      // A failed close still releases the descriptor, as close(2) does.
      close: () => this.call('close', path, () => fh.close(), undefined, () => fh.close()),
    }
  }

  rename(from: string, to: string): Promise<void> {
    return this.call('rename', to, () => this.base.rename(from, to))
  }
  unlink(path: string): Promise<void> {
    return this.call('unlink', path, () => this.base.unlink(path))
  }
  mkdir(path: string): Promise<void> {
    return this.call('mkdir', path, () => this.base.mkdir(path))
  }
  readdir(path: string) {
    return this.call('readdir', path, () => this.base.readdir(path))
  }
  stat(path: string) {
    return this.call('stat', path, () => this.base.stat(path))
  }
  utimes(path: string, atime: Date, mtime: Date): Promise<void> {
    return this.call('utimes', path, () => this.base.utimes(path, atime, mtime))
  }
}
