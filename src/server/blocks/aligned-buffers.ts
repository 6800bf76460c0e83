// Page-aligned scratch buffers for O_DIRECT block I/O (DurableIO): a file opened with O_DIRECT
// needs its memory, offsets and lengths aligned to the device's logical block size, and Node hands
// out no aligned memory except WebAssembly memory, whose backing store is page-aligned (V8 maps it
// with the OS page allocator). Memory comes in slabs (one WebAssembly.Memory each, never grown, so
// no view is ever detached) of equal units; the slabs are registered, so that DurableIO can do direct
// I/O in place on any view that starts aligned inside one (pooled bodies and replies, BufferPool).
// AlignedBuffers leases whole units as scratch space for one read or write.

/** Memory, offset and length alignment used for O_DIRECT: a page covers 512- and 4096-byte sectors. */
export const DIRECT_ALIGNMENT = 4096
const WASM_PAGE = 65_536

/** `n` rounded up to a multiple of DIRECT_ALIGNMENT. */
export function alignUp(n: number): number {
  return Math.ceil(n / DIRECT_ALIGNMENT) * DIRECT_ALIGNMENT
}

/** Unit size of every registered slab. */
const slabUnits = new WeakMap<ArrayBuffer, number>()

/**
 * A page-aligned slab of `units` units of `unitSize` bytes (a multiple of DIRECT_ALIGNMENT each); `shared`:
 * a SharedArrayBuffer, which worker threads can use too (fragment-workers.ts).
 */
export function alignedSlab(unitSize: number, units: number, shared = false): ArrayBuffer {
  if (unitSize % DIRECT_ALIGNMENT !== 0) throw new RangeError(`unit size ${unitSize} is not a multiple of ${DIRECT_ALIGNMENT}`)
  const pages = Math.ceil((unitSize * units) / WASM_PAGE)
  const buffer = new WebAssembly.Memory({ initial: pages, maximum: pages, shared }).buffer
  slabUnits.set(buffer, unitSize)
  return buffer
}

/**
 * `view` widened to `length` bytes when it can take direct I/O in place: it starts aligned inside a
 * registered slab and the widened view stays within its unit (whose bytes belong to whoever leased
 * the unit). Undefined otherwise.
 */
export function directView(view: Uint8Array, length: number): Uint8Array | undefined {
  const unit = slabUnits.get(view.buffer as ArrayBuffer)
  if (unit === undefined || view.byteOffset % DIRECT_ALIGNMENT !== 0 || length < view.length) return undefined
  const unitEnd = (Math.floor(view.byteOffset / unit) + 1) * unit
  return view.byteOffset + length <= unitEnd ? new Uint8Array(view.buffer, view.byteOffset, length) : undefined
}

export class AlignedBuffers {
  /** Bytes per slot, a multiple of DIRECT_ALIGNMENT. */
  readonly slotSize: number
  private readonly free: Uint8Array[] = []
  private readonly leased = new Set<Uint8Array>()

  private slots = 0

  /**
   * Slots of at least `minSlotSize` bytes, `slotsPerSlab` to a WebAssembly.Memory, at most `maxSlots`
   * (rounded up to whole slabs): slabs are never given back.
   */
  constructor(minSlotSize: number, private readonly slotsPerSlab: number, private readonly maxSlots = 4 * slotsPerSlab) {
    this.slotSize = alignUp(minSlotSize)
  }

  /**
   * A whole slot (slotSize bytes, page-aligned, contents undefined) to give back with release(); undefined
   * when maxSlots are leased or no WebAssembly memory can be had (the caller then does without).
   */
  acquire(): Uint8Array | undefined {
    let slot = this.free.pop()
    if (slot === undefined) {
      if (this.slots >= this.maxSlots) return undefined
      let buffer: ArrayBuffer
      try {
        buffer = alignedSlab(this.slotSize, this.slotsPerSlab)
      } catch {
        return undefined
      }
      this.slots += this.slotsPerSlab
      for (let i = 1; i < this.slotsPerSlab; i++) this.free.push(new Uint8Array(buffer, i * this.slotSize, this.slotSize))
      slot = new Uint8Array(buffer, 0, this.slotSize)
    }
    this.leased.add(slot)
    return slot
  }

  /** Returns a slot got from acquire(); its owner no longer uses it (nor any I/O still in flight). */
  release(slot: Uint8Array): void {
    if (this.leased.delete(slot)) this.free.push(slot)
  }

  /** Slots currently leased (for tests). */
  get leasedCount(): number {
    return this.leased.size
  }
}
