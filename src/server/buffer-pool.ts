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
}

export class BufferPool {
  readonly bufferSize: number
  private readonly maxFree: number
  private readonly minSize: number
  private readonly free: ArrayBuffer[] = []
  private readonly leased = new WeakSet<ArrayBuffer>()

  constructor(o: BufferPoolOptions) {
    this.bufferSize = o.bufferSize
    this.maxFree = o.maxFree
    this.minSize = o.minSize ?? Math.floor(o.bufferSize / 4)
  }

  /** `size` bytes of uninitialised memory: a view at the start of a pooled buffer when size is within [minSize, bufferSize]. */
  acquire(size: number): Uint8Array {
    // allocUnsafeSlow: its own ArrayBuffer (not Node's shared 8 KiB pool), not zero-filled.
    if (size > this.bufferSize || size < this.minSize) return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer, 0, size)
    const buffer = this.free.pop() ?? Buffer.allocUnsafeSlow(this.bufferSize).buffer
    this.leased.add(buffer)
    return new Uint8Array(buffer, 0, size)
  }

  /** Whether `view` lies in a buffer leased from this pool and not yet released. */
  isLeased(view: Uint8Array): boolean {
    return this.leased.has(view.buffer as ArrayBuffer)
  }

  /** Returns the buffer under `view` to the pool; the caller guarantees no view of it is used any more. */
  release(view: Uint8Array): void {
    const buffer = view.buffer as ArrayBuffer
    if (!this.leased.has(buffer)) return
    this.leased.delete(buffer)
    if (this.free.length < this.maxFree) this.free.push(buffer)
  }

  /** Free buffers held (for tests). */
  get freeCount(): number {
    return this.free.length
  }
}
