// Worker threads that read small files (CHAMP and cryptree nodes) in batches, for DurableIO.readFile.
// Through libuv's thread pool a small block's read is four hand-offs (open, fstat, read on a pool thread,
// each answered on the event loop; close on it): a cold listing of 10,000 entries made ~160,000 futex calls
// and cost the daemon's main thread ~2 s. Here the reads asked for in one turn of the event loop go to
// a worker in one message, which opens, stats, reads and closes each file synchronously and sends the
// bytes back in buffers of their own (transferred, not copied). The event loop never waits on the disk;
// a file over the caller's limit is not read (its size is sent back), and errors come back as errno
// codes, turned into the store's typed errors here. bench/server-profile.md, pass 7, has the figures.
import { BlockStoreIOError } from './errors.ts'
import { storeError } from './fs-ops.ts'
import { WorkerSlots } from './worker-slots.ts'

/** Largest file read by the workers; larger ones are left to the caller (its own buffers, O_DIRECT, pools). */
export const SMALL_READ_MAX = 64 * 1024

/** The worker's program (CommonJS, run with `eval`: worker-slots.ts). */
const WORKER_PROGRAM = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const failed = (stage, e) => ({ stage, code: e && e.code, message: String((e && e.message) || e) })
function readOne(path, limit) {
  let fd
  try {
    fd = fs.openSync(path, 'r')
  } catch (e) {
    return e && e.code === 'ENOENT' ? { absent: true } : failed('open', e)
  }
  try {
    const size = fs.fstatSync(fd).size
    if (size > limit) return { size }
    const buf = Buffer.allocUnsafeSlow(size)
    let off = 0
    while (off < size) {
      const n = fs.readSync(fd, buf, off, size - off, off)
      if (n === 0) break // the file shrank: the short block fails its hash
      off += n
    }
    return { size: off, bytes: buf.buffer }
  } catch (e) {
    return failed('read', e)
  } finally {
    try { fs.closeSync(fd) } catch {}
  }
}
parentPort.on('message', (m) => {
  const results = []
  const transfer = []
  for (let i = 0; i < m.paths.length; i++) {
    let r
    try { r = readOne(m.paths[i], m.limits[i]) } catch (e) { r = failed('read', e) }
    results.push(r)
    if (r.bytes !== undefined) transfer.push(r.bytes)
  }
  parentPort.postMessage({ id: m.id, results }, transfer)
})
`

/** What a worker found: the file's bytes, its size only (over the limit), or no file. */
export type SmallRead = { kind: 'ok'; bytes: Uint8Array } | { kind: 'large'; size: number } | { kind: 'absent' }

type WireResult = { absent: true } | { size: number; bytes?: ArrayBuffer } | { stage: 'open' | 'read'; code?: string; message: string }

interface Request {
  readonly path: string
  readonly limit: number
  readonly resolve: (r: SmallRead) => void
  readonly reject: (e: Error) => void
}

/** Files per message: enough for a champ/get/bulk call's 20 lookups at one level, several calls at once. */
const MAX_BATCH = 64

export class SmallFileReaders {
  private pending: Request[] = []
  private flushScheduled = false
  private nextId = 0
  private readonly slots: WorkerSlots<Request[]>

  /** At most `size` workers, started when first needed; an idle one does not keep the process alive. */
  constructor(size: number) {
    this.slots = new WorkerSlots<Request[]>(size, WORKER_PROGRAM, 'small-reader', {
      send: (worker, batch) => worker.postMessage({ id: this.nextId++, paths: batch.map((r) => r.path), limits: batch.map((r) => r.limit) }),
      next: () => (this.pending.length > 0 ? this.takeBatch() : undefined),
      answered: (batch, reply) => batch.forEach((r, i) => settle(r, (reply as { results: WireResult[] }).results[i])),
      // A worker that dies (terminated, out of memory) fails its reads; the next read starts another.
      died: (batch, e) => {
        for (const r of batch ?? []) r.reject(new BlockStoreIOError(`small-read worker stopped reading ${r.path}: ${e.message}`, 'EIO', { cause: e }))
        this.dispatchPending()
      },
    })
  }

  /**
   * The file at `path` when it holds at most `limit` (≤ SMALL_READ_MAX) bytes; its size when larger;
   * 'absent' when it does not exist. Other errors reject as BlockStoreFullError / BlockStoreIOError.
   */
  read(path: string, limit: number): Promise<SmallRead> {
    return new Promise((resolve, reject) => {
      this.pending.push({ path, limit: Math.min(limit, SMALL_READ_MAX), resolve, reject })
      if (!this.flushScheduled) {
        this.flushScheduled = true
        // Every read asked for in this turn of the event loop goes in the same message.
        setImmediate(() => {
          this.flushScheduled = false
          this.dispatchPending()
        })
      }
    })
  }

  /** Workers started and alive (for tests). */
  get workerCount(): number {
    return this.slots.count
  }

  /** Stops every worker; reads in flight fail. */
  close(): Promise<void> {
    return this.slots.close()
  }

  /** Hands waiting reads to free workers, MAX_BATCH to a message; the next worker to answer takes the rest. */
  private dispatchPending(): void {
    while (this.pending.length > 0 && this.slots.hasFree) this.slots.run(this.takeBatch())
  }

  private takeBatch(): Request[] {
    const batch = this.pending.length <= MAX_BATCH ? this.pending : this.pending.slice(0, MAX_BATCH)
    this.pending = batch === this.pending ? [] : this.pending.slice(MAX_BATCH)
    return batch
  }
}

function settle(r: Request, w: WireResult | undefined): void {
  if (w === undefined) return r.reject(new BlockStoreIOError(`no answer for ${r.path}`, 'EIO'))
  if ('absent' in w) return r.resolve({ kind: 'absent' })
  if ('stage' in w) {
    const e = Object.assign(new Error(w.message), { code: w.code })
    // ENOENT after the open (a concurrent delete cannot do that to an open file) is still an I/O error.
    return r.reject(storeError(e, `${w.stage} ${r.path}`))
  }
  if (w.bytes === undefined) return r.resolve({ kind: 'large', size: w.size })
  r.resolve({ kind: 'ok', bytes: new Uint8Array(w.bytes, 0, w.size) })
}

/** Readers for the process's file block stores: as many as libuv's default thread pool has threads. */
const READERS = 4
let readers: SmallFileReaders | undefined

/** The process's small-file readers (started on first use). */
export function smallFileReaders(): SmallFileReaders {
  return (readers ??= new SmallFileReaders(READERS))
}
