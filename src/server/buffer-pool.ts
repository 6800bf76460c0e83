// Reusable buffers for the megabyte-sized bytes a busy home server moves (request bodies of block
// writes, blocks read for block/get). A fresh ArrayBuffer per request costs page faults for its
// memory and, worse, counts as external memory to V8, whose growth between major GCs triggers them:
// under a stream of 1 MiB requests that meant a full mark-compact every few requests. A pooled buffer
// is allocated once and handed out again.
//
// The rule that keeps this safe: a buffer goes back to the pool only through release(), called by the
// one owner that knows nobody else holds a view of it (the HTTP server, after a request whose route
// declared its body transient has been handled, or after a pooled reply has been written). A buffer
// never released is simply collected. Releasing twice, or a view that was not leased, does nothing.
//
// An aligned pool carves its buffers out of page-aligned slabs (aligned-buffers.ts) with a page of
// slack each, and acquire can place a view so that a given byte of it lands page-aligned: a block in
// a request body, or a block read from disk, then goes to or from the device by O_DIRECT in place.
import { DIRECT_ALIGNMENT, alignUp, alignedSlab } from './blocks/aligned-buffers.ts'

export interface BufferPoolOptions {
  /** Size of every pooled buffer; larger requests get a buffer of their own, never pooled. */
  readonly bufferSize: number
  /** Free buffers kept at most (the rest are left to the GC). */
  readonly maxFree: number
  /**
   * Smaller requests get a buffer of their own, never pooled (default a quarter of bufferSize): a
   * small block may be kept by a cache, and must not pin a whole pooled buffer while it is.
   */
  readonly minSize?: number
  /**
   * Buffers in page-aligned memory, ALIGNED_SLAB_UNITS to a WebAssembly memory (default false). A slab
   * is never given back, so an aligned pool makes at most maxFree buffers (rounded up to whole slabs)
   * and keeps them all; beyond that, and if a slab cannot be had, a request gets a buffer of its own.
   */
  readonly aligned?: boolean
  /**
   * An aligned pool's slabs in shared memory (default false): the daemon's block-write bodies, whose
   * fragments worker threads then hash and write in place (blocks/fragment-workers.ts). WebCrypto refuses
   * such views, so a pool whose buffers reach it (the block-read pool) stays unshared.
   */
  readonly shared?: boolean
}

/** Buffers per slab of an aligned pool. */
const ALIGNED_SLAB_UNITS = 8

/** A pooled buffer: unit `index` of `buffer` (always 0 for a buffer of its own). */
interface Unit {
  readonly buffer: ArrayBuffer
  readonly index: number
}

/** Uninitialised memory of its own (allocUnsafeSlow: not Node's shared 8 KiB pool, not zero-filled), never leased. */
function ownBuffer(size: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size)
}

export class BufferPool {
  readonly bufferSize: number
  private readonly maxFree: number
  private readonly minSize: number
  private readonly aligned: boolean
  private readonly shared: boolean
  /** Bytes from one unit's start to the next: bufferSize, or for an aligned pool bufferSize plus a page of slack, page-rounded. */
  private readonly stride: number
  private readonly free: Unit[] = []
  /** Units made so far (aligned pools). */
  private units = 0
  /** Leased unit indexes of each buffer. */
  private readonly leased = new WeakMap<ArrayBuffer, Set<number>>()

  constructor(o: BufferPoolOptions) {
    this.bufferSize = o.bufferSize
    this.maxFree = o.maxFree
    this.minSize = o.minSize ?? Math.floor(o.bufferSize / 4)
    this.aligned = o.aligned ?? false
    this.shared = o.shared ?? false
    this.stride = this.aligned ? alignUp(o.bufferSize + DIRECT_ALIGNMENT) : o.bufferSize
  }

  /**
   * `size` bytes of uninitialised memory: a view into a pooled buffer when size is within [minSize,
   * bufferSize]. In an aligned pool the view is placed so that its byte `alignAt` is page-aligned
   * (default 0: the view's start).
   */
  acquire(size: number, alignAt = 0): Uint8Array {
    if (size > this.bufferSize || size < this.minSize) return ownBuffer(size)
    const unit = this.free.pop() ?? this.newUnit()
    if (unit === undefined) return ownBuffer(size)
    let indexes = this.leased.get(unit.buffer)
    if (indexes === undefined) this.leased.set(unit.buffer, (indexes = new Set()))
    indexes.add(unit.index)
    if (!this.aligned) return new Uint8Array(unit.buffer, unit.index * this.stride, size)
    const start = unit.index * this.stride + (DIRECT_ALIGNMENT - (alignAt % DIRECT_ALIGNMENT)) % DIRECT_ALIGNMENT
    // A direct write of a block near the end of the view takes the rest of its page as padding (cut off
    // again by ftruncate): zeroed, so that no byte of an earlier request can reach the disk that way.
    new Uint8Array(unit.buffer, start + size, alignUp(start + size) - (start + size)).fill(0)
    return new Uint8Array(unit.buffer, start, size)
  }

  private newUnit(): Unit | undefined {
    if (!this.aligned) return { buffer: Buffer.allocUnsafeSlow(this.bufferSize).buffer, index: 0 }
    if (this.units >= this.maxFree) return undefined
    let buffer: ArrayBuffer
    try {
      buffer = alignedSlab(this.stride, ALIGNED_SLAB_UNITS, this.shared)
    } catch {
      return undefined // no memory or address space for another WebAssembly memory
    }
    this.units += ALIGNED_SLAB_UNITS
    for (let i = ALIGNED_SLAB_UNITS - 1; i >= 1; i--) this.free.push({ buffer, index: i })
    return { buffer, index: 0 }
  }

  /** The unit `view` lies in, if that unit is leased from this pool. */
  private leasedUnit(view: Uint8Array): Unit | undefined {
    const buffer = view.buffer as ArrayBuffer
    const index = Math.floor(view.byteOffset / this.stride)
    return this.leased.get(buffer)?.has(index) === true ? { buffer, index } : undefined
  }

  /** Whether `view` lies in a buffer leased from this pool and not yet released. */
  isLeased(view: Uint8Array): boolean {
    return this.leasedUnit(view) !== undefined
  }

  /** Returns the buffer under `view` to the pool; the caller guarantees no view of it is used any more. */
  release(view: Uint8Array): void {
    const unit = this.leasedUnit(view)
    if (unit === undefined) return
    this.leased.get(unit.buffer)!.delete(unit.index)
    if (this.aligned || this.free.length < this.maxFree) this.free.push(unit)
  }

  /** Free buffers held (for tests). */
  get freeCount(): number {
    return this.free.length
  }
}
