// Worker threads that hash and durably write fragments held in shared memory (the daemon's request
// bodies: aligned slabs of WebAssembly memory made `shared`, aligned-buffers.ts). A fragment's whole
// durable write (O_DIRECT open of the temp file, write, ftruncate, fdatasync, close, rename, directory
// fsync: DurableIO's sequence, step for step) is one message to a worker doing the calls synchronously,
// instead of ten hops through libuv's threadpool each answered on the event loop; and its sha-256 is
// OpenSSL's over the shared bytes, where WebCrypto's digest would copy them (and refuses shared memory).
// A single fragment's put sends its expected digest with the write: the writing worker hashes first and
// makes nothing on a mismatch, so the put costs one thread hand-off instead of two (pass 6).
// bench/server-profile.md, pass 4, has the measurements.
import type { Worker } from 'node:worker_threads'
import { BlockStoreIOError } from './errors.ts'
import { WorkerSlots } from './worker-slots.ts'

/**
 * The worker's program (CommonJS, run with `eval`: worker-slots.ts). A reply is {id, ok: true, value} or {id, ok: false, stage, code, message}, stage
 * 'write' (nothing left behind) or 'sync directory' (the renamed file removed again).
 */
const WORKER_PROGRAM = `
const { parentPort } = require('node:worker_threads')
const fs = require('node:fs')
const { createHash } = require('node:crypto')
const { O_WRONLY, O_CREAT, O_EXCL, O_DIRECT } = fs.constants
const failed = (stage, e) => ({ ok: false, stage, code: e && e.code, message: String((e && e.message) || e) })
const quietly = (f) => { try { f() } catch {} }
// With m.parent set, m.dir (a new shard directory) is made if missing and fsynced into its parent first.
function makeDir(m) {
  if (m.parent === undefined) return undefined
  try {
    try { fs.mkdirSync(m.dir) } catch (e) { if (e.code !== 'EEXIST') throw e }
    syncDir(m.parent)
  } catch (e) {
    return failed('write', e)
  }
  return undefined
}
// With m.expect set, the bytes are hashed first and nothing is made or written unless they hash to it.
function write(m) {
  if (m.expect !== undefined && !createHash('sha256').update(new Uint8Array(m.buffer, m.offset, m.size)).digest().equals(m.expect)) {
    return { ok: true, value: 'mismatch' }
  }
  const dirFailed = makeDir(m)
  if (dirFailed !== undefined) return dirFailed
  const bytes = new Uint8Array(m.buffer, m.offset, m.padded)
  let fd
  try {
    fd = fs.openSync(m.tmp, O_WRONLY | O_CREAT | O_EXCL | O_DIRECT, 0o644)
  } catch (e) {
    return e.code === 'EINVAL' ? { ok: true, value: 'refused' } : failed('write', e)
  }
  let wrote = false
  try {
    for (let off = 0; off < m.padded;) {
      const n = fs.writeSync(fd, bytes, off, m.padded - off, off)
      if (!(n > 0)) throw Object.assign(new Error('write made no progress'), { code: 'EIO' })
      off += n
    }
    wrote = true
    fs.ftruncateSync(fd, m.size)
    fs.fdatasyncSync(fd)
  } catch (e) {
    quietly(() => fs.closeSync(fd))
    quietly(() => fs.unlinkSync(m.tmp))
    return e.code === 'EINVAL' && !wrote ? { ok: true, value: 'refused' } : failed('write', e)
  }
  try {
    fs.closeSync(fd)
    fs.renameSync(m.tmp, m.target)
  } catch (e) {
    quietly(() => fs.unlinkSync(m.tmp))
    return failed('write', e)
  }
  try {
    const dir = fs.openSync(m.dir, 'r')
    try { fs.fsyncSync(dir) } finally { fs.closeSync(dir) }
  } catch (e) {
    quietly(() => fs.unlinkSync(m.target))
    return failed('sync directory', e)
  }
  return { ok: true, value: 'written' }
}
function syncDir(dir) {
  const fd = fs.openSync(dir, 'r')
  try { fs.fsyncSync(fd) } finally { fs.closeSync(fd) }
}
// Each shared slab is sent once (posting a SharedArrayBuffer costs ~0.5 ms and a new object here); later
// messages name it by number.
const slabs = new Map()
parentPort.on('message', (m) => {
  if (m.slab !== undefined) slabs.set(m.slabId, m.slab)
  m.buffer = slabs.get(m.slabId)
  let reply
  try {
    reply = m.kind === 'sha256'
      ? { ok: true, value: createHash('sha256').update(new Uint8Array(m.buffer, m.offset, m.length)).digest() }
      : write(m)
  } catch (e) {
    reply = failed('write', e)
  }
  reply.id = m.id
  parentPort.postMessage(reply)
})
`

/** A failure reported by a worker: the errno code and message of the call that failed, and its stage. */
export class FragmentWriteError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly stage: 'write' | 'sync directory') {
    super(message)
  }
}

type Reply = { id: number; ok: true; value: unknown } | { id: number; ok: false; stage: 'write' | 'sync directory'; code?: string; message: string }

/** A message for a worker: what to do with bytes in `buffer`. */
interface JobMessage {
  readonly kind: 'sha256' | 'write'
  readonly buffer: SharedArrayBuffer
  readonly [field: string]: unknown
}

interface Job {
  readonly message: JobMessage
  readonly resolve: (value: unknown) => void
  readonly reject: (e: Error) => void
}

/** What to write: `view` (in shared memory, page-aligned) holds the file's `size` bytes and the padding up to its length. */
export interface SharedDurableWrite {
  readonly view: Uint8Array
  readonly size: number
  readonly dir: string
  /** When set, `dir` is first made (if missing) and fsynced into this, its parent: a new shard directory. */
  readonly parent?: string
  readonly tmp: string
  readonly target: string
  /**
   * When set, the worker first checks that the file's bytes hash (sha-256) to this and, when they do not,
   * makes and writes nothing and answers 'mismatch': a put's hash check and write in one message.
   */
  readonly expectSha256?: Uint8Array
}

/**
 * The digest in its own 32-byte buffer: a message clones a view's whole buffer, and a view of shared memory
 * (a CID parsed from a request body) would post the body's SharedArrayBuffer with every write.
 */
function ownCopy(digest: Uint8Array | undefined): Uint8Array | undefined {
  return digest === undefined ? undefined : new Uint8Array(digest)
}

/** Numbers of the shared buffers handed to workers (the daemon's few slabs, never freed; a WeakMap all the same). */
const slabIds = new WeakMap<SharedArrayBuffer, number>()
let nextSlabId = 0

function slabIdOf(buffer: SharedArrayBuffer): number {
  let id = slabIds.get(buffer)
  if (id === undefined) slabIds.set(buffer, (id = nextSlabId++))
  return id
}

/** Whether `view`'s memory can be handed to a worker as it is (a SharedArrayBuffer). */
export function isShared(view: Uint8Array): boolean {
  return view.buffer instanceof SharedArrayBuffer
}

export class FragmentWorkers {
  private readonly queue: Job[] = []
  private nextId = 0
  /** The slabs each worker has been sent (by number, slabIds). */
  private readonly slabsSent = new WeakMap<Worker, Set<number>>()
  private readonly slots: WorkerSlots<Job>

  /** At most `size` workers, started when first needed; an idle one does not keep the process alive. */
  constructor(size: number) {
    this.slots = new WorkerSlots<Job>(size, WORKER_PROGRAM, 'fragment-writer', {
      send: (worker, job) => this.send(worker, job),
      next: () => this.queue.shift(),
      answered: (job, reply) => {
        const r = reply as Reply
        if (r.ok) job.resolve(r.value)
        else job.reject(new FragmentWriteError(r.message, r.code, r.stage))
      },
      // A worker that dies (terminated, out of memory) fails its call; the next call starts another.
      died: (job, e) => {
        job?.reject(new BlockStoreIOError(`fragment worker stopped: ${e.message}`, 'EIO', { cause: e }))
        const next = this.queue.shift()
        if (next !== undefined) this.run(next.message).then(next.resolve, next.reject)
      },
    })
  }

  /** sha-256 of `view`, which must lie in shared memory. */
  async sha256(view: Uint8Array): Promise<Uint8Array> {
    const digest = await this.run({ kind: 'sha256', buffer: view.buffer as SharedArrayBuffer, offset: view.byteOffset, length: view.length })
    return digest as Uint8Array
  }

  /**
   * DurableIO's O_DIRECT sequence for one file, done by a worker: 'written' once durable, 'refused' (nothing
   * left behind) when the file system refused O_DIRECT with EINVAL, 'mismatch' (nothing made or written)
   * when `expectSha256` is set and the bytes do not hash to it; a FragmentWriteError otherwise. A 'refused'
   * write with `expectSha256` set has passed that check.
   */
  async writeDurably(w: SharedDurableWrite): Promise<'written' | 'refused' | 'mismatch'> {
    const v = w.view
    return (await this.run({ kind: 'write', buffer: v.buffer as SharedArrayBuffer, offset: v.byteOffset, padded: v.length, size: w.size, dir: w.dir, parent: w.parent, tmp: w.tmp, target: w.target, expect: ownCopy(w.expectSha256) })) as 'written' | 'refused' | 'mismatch'
  }

  /** Workers started and alive (for tests). */
  get workerCount(): number {
    return this.slots.count
  }

  /** Stops every worker; calls in flight fail. */
  close(): Promise<void> {
    return this.slots.close()
  }

  private run(message: JobMessage): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const job: Job = { message, resolve, reject }
      if (!this.slots.run(job)) this.queue.push(job)
    })
  }

  private send(worker: Worker, job: Job): void {
    const { buffer, ...rest } = job.message
    const slabId = slabIdOf(buffer)
    let sent = this.slabsSent.get(worker)
    if (sent === undefined) this.slabsSent.set(worker, (sent = new Set()))
    const first = !sent.has(slabId)
    sent.add(slabId)
    worker.postMessage({ ...rest, slabId, slab: first ? buffer : undefined, id: this.nextId++ })
  }
}

/** Writing workers for the process's block stores: as many as a putMany has writes in flight (FileBlockStore's default). */
const WRITING_WORKERS = 8
/**
 * Hashing workers, apart from the writing ones: a hash (~0.6 ms per MiB) queued behind writes (each
 * waiting ~10-20 ms on fdatasync and directory fsync) would wait for a whole write.
 */
const HASHING_WORKERS = 2
let writing: FragmentWorkers | undefined
let hashing: FragmentWorkers | undefined

/** The process's fragment workers (started on first use): `writing` for writeDurably, `hashing` for sha256. */
export function fragmentWorkers(kind: 'writing' | 'hashing'): FragmentWorkers {
  if (kind === 'writing') return (writing ??= new FragmentWorkers(WRITING_WORKERS))
  return (hashing ??= new FragmentWorkers(HASHING_WORKERS))
}
