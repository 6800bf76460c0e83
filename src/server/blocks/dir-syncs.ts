// Directory fsyncs for DurableIO (security checklist B4.1: a renamed block, or a new directory, is
// durable only once its directory is fsynced): each directory's handle is kept open between syncs (a
// small block's write otherwise opened and closed its shard directory every time, two of its eight
// thread-pool round trips), and concurrent callers share syncs. A caller may join a sync only if it
// starts after the call: one already running may have missed the entry the caller just made, so the
// caller waits for the next one, which then serves everyone who came while the first was running.
import type { FileHandleOps, FsOps } from './fs-ops.ts'

/** Directories whose handles stay open (a user's shard directories are 1,024; the busy ones stay). */
export const DEFAULT_OPEN_DIRS = 256

interface DirState {
  handle: FileHandleOps | undefined
  /** The sync in progress (its promise settles once `running` is cleared again). */
  running: Promise<void> | undefined
  /** The sync that will start once `running` is over, shared by everyone who asked meanwhile. */
  next: Promise<void> | undefined
}

export class DirSyncs {
  /** In least recently used order (a use moves a directory to the end). */
  private readonly dirs = new Map<string, DirState>()
  private readonly closing = new Set<Promise<void>>()

  constructor(private readonly fs: FsOps, private readonly maxOpen = DEFAULT_OPEN_DIRS) {}

  /** Resolves once an fsync of `dir` that started after this call has completed. */
  sync(dir: string): Promise<void> {
    let s = this.dirs.get(dir)
    if (s === undefined) {
      s = { handle: undefined, running: undefined, next: undefined }
      this.evictIdle()
    } else {
      this.dirs.delete(dir)
    }
    this.dirs.set(dir, s)
    if (s.next !== undefined) return s.next
    const running = s.running
    if (running === undefined) return this.start(dir, s)
    const state = s
    const next = running.catch(() => undefined).then(() => {
      state.next = undefined
      return this.start(dir, state)
    })
    state.next = next
    return next
  }

  private start(dir: string, s: DirState): Promise<void> {
    const run = (async () => {
      const fh = s.handle ?? (s.handle = await this.fs.open(dir, 'r'))
      try {
        await fh.sync()
      } catch (e) {
        // A failed fsync may have dropped the dirty state it could not write (Linux clears the error
        // once reported): the next sync starts from a fresh handle.
        s.handle = undefined
        this.close(fh)
        throw e
      }
    })()
    const running = run.finally(() => {
      if (s.running === running) s.running = undefined
    })
    s.running = running
    return running
  }

  /** Closes the least recently used idle handles beyond the limit. */
  private evictIdle(): void {
    if (this.dirs.size < this.maxOpen) return
    for (const [dir, s] of this.dirs) {
      if (this.dirs.size < this.maxOpen) return
      if (s.running !== undefined || s.next !== undefined) continue
      this.dirs.delete(dir)
      if (s.handle !== undefined) this.close(s.handle)
    }
  }

  private close(fh: FileHandleOps): void {
    const p = fh.close().catch(() => undefined)
    this.closing.add(p)
    void p.then(() => this.closing.delete(p))
  }

  /** Waits for the syncs in progress, then closes every handle. */
  async closeAll(): Promise<void> {
    for (;;) {
      const busy = [...this.dirs.values()].flatMap((s) => [s.running, s.next]).filter((p): p is Promise<void> => p !== undefined)
      if (busy.length === 0) break
      await Promise.allSettled(busy)
    }
    for (const s of this.dirs.values()) if (s.handle !== undefined) this.close(s.handle)
    this.dirs.clear()
    await Promise.all([...this.closing])
  }
}
