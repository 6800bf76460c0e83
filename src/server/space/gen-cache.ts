// A bounded cache for immutable facts looked up on every pointer update (block sizes, subtree sizes): two
// generations of plain Maps, so a hit costs one or two Map lookups and no reordering; entries used in the
// last two generations survive, the rest are dropped a generation at a time.
export class GenCache<V> {
  private young = new Map<string, V>()
  private old = new Map<string, V>()
  private readonly half: number

  constructor(capacity: number) {
    this.half = Math.max(1, Math.floor(capacity / 2))
  }

  get(key: string): V | undefined {
    const v = this.young.get(key)
    if (v !== undefined) return v
    const o = this.old.get(key)
    if (o !== undefined) this.set(key, o) // still in use: keep it
    return o
  }

  set(key: string, value: V): void {
    this.young.set(key, value)
    if (this.young.size >= this.half) {
      this.old = this.young
      this.young = new Map()
    }
  }

  get size(): number {
    return this.young.size + this.old.size
  }
}
