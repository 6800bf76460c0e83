// Small bounded maps for the services' caches of immutable, content-addressed facts (decoded
// WriterData by CID, verified owner proofs, owned-key sets per owned-keys root, BAT ids per block):
// a least-recently-used map, and a cheaper approximation of one for caches hit on every request.
export class Lru<K, V> {
  private readonly map = new Map<K, V>()

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`Invalid LRU capacity ${capacity}`)
  }

  get(key: K): V | undefined {
    const v = this.map.get(key)
    if (v !== undefined) {
      this.map.delete(key)
      this.map.set(key, v)
    }
    return v
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return
    this.map.delete(key)
    this.map.set(key, value)
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K)
  }

  delete(key: K): void {
    this.map.delete(key)
  }

  get size(): number {
    return this.map.size
  }

  clear(): void {
    this.map.clear()
  }
}

/**
 * About an LRU of `capacity` entries in two generations of at most half of it each: a hit in the young
 * one is a single Map lookup (an LRU's delete and re-insert per hit costs more on a hot path), a hit in
 * the old one moves the entry to the young one, and a full young generation becomes the old one,
 * dropping the previous old one whole.
 */
export class GenerationalCache<K, V> {
  private young = new Map<K, V>()
  private old = new Map<K, V>()

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError(`Invalid cache capacity ${capacity}`)
  }

  get(key: K): V | undefined {
    const v = this.young.get(key)
    if (v !== undefined) return v
    const o = this.old.get(key)
    if (o !== undefined) this.set(key, o)
    return o
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return
    this.young.set(key, value)
    if (this.young.size >= this.capacity / 2) {
      this.old = this.young
      this.young = new Map()
    }
  }
}
