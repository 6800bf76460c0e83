// Buffers given back for reuse by size, bounded: a transfer's steady state then takes memory it already
// has instead of fresh megabytes per block (garbage at once, which drove V8's full collections on
// external memory). Only buffers this pool made are kept, each once.

export class ReusedBuffers {
  /** Given-back buffers by size. */
  private readonly free = new Map<number, ArrayBuffer[]>()
  private kept = 0
  /** Buffers take() allocated: only these are kept (others would only be held, never drawn again). */
  private readonly made = new WeakSet<ArrayBufferLike>()
  /** Buffers in `free`: one given back twice is kept once. */
  private readonly inFree = new WeakSet<ArrayBufferLike>()

  constructor(private readonly max: number) {}

  /** A buffer of exactly `size` bytes: a given-back one of that size, else a new one. */
  take(size: number): Uint8Array {
    const buffer = this.free.get(size)?.pop()
    if (buffer === undefined) {
      const fresh = new Uint8Array(size)
      this.made.add(fresh.buffer)
      return fresh
    }
    this.inFree.delete(buffer)
    this.kept--
    return new Uint8Array(buffer)
  }

  /** Whether `buffer` is one of this pool's, not already given back (giveBack would keep it if there is room). */
  private owns(buffer: ArrayBufferLike): boolean {
    return this.made.has(buffer) && !this.inFree.has(buffer)
  }

  /** Keeps `buffer` for reuse if this pool made it and has room; others and repeats are ignored. Call it only once nothing reads or writes the buffer. */
  giveBack(buffer: ArrayBufferLike): void {
    if (!this.owns(buffer) || this.kept >= this.max) return
    const list = this.free.get(buffer.byteLength) ?? []
    if (list.length === 0) this.free.set(buffer.byteLength, list)
    list.push(buffer as ArrayBuffer) // made by take()
    this.inFree.add(buffer)
    this.kept++
  }

  /** How many buffers are kept now (at most the pool's max). */
  get size(): number {
    return this.kept
  }
}
