// A map from CIDs to values without a string per CID: the caches of a listing (verified blocks,
// decoded CHAMP nodes) hold ~11,000 CIDs and are probed tens of thousands of times. CIDv1 sha2-256
// CIDs (every block and node Peergos writes) are keyed by 30 bits of their digest, in a Map of small
// numbers, and told apart by comparing codec and digest; any other CID goes by its bytes as a string.
import type { CID } from '../codec/cid.ts'
import { cidKey } from './block-store.ts'

/** Where a CIDv1 sha2-256's digest starts in its bytes (01 codec 12 20 ‖ digest). */
const DIGEST_AT = 4
const DIGEST_BYTES = 32

/** Four bytes of `d` at `i` as a signed 32-bit integer (a small integer on 64-bit V8). */
function word(d: Uint8Array, i: number): number {
  return d[i] | (d[i + 1] << 8) | (d[i + 2] << 16) | (d[i + 3] << 24)
}

/**
 * One mapping of a CIDv1 sha2-256: its codec and digest as eight words (no view kept: a CID's bytes
 * are often a view into a larger block, which the cache would then pin), and the next of the same hash.
 */
class Slot<V> {
  next: Slot<V> | undefined = undefined
  readonly hash: number
  readonly w0: number; readonly w1: number; readonly w2: number; readonly w3: number
  readonly w4: number; readonly w5: number; readonly w6: number; readonly w7: number
  constructor(readonly codec: number, d: Uint8Array, at: number, public value: V) {
    this.w0 = word(d, at); this.w1 = word(d, at + 4); this.w2 = word(d, at + 8); this.w3 = word(d, at + 12)
    this.w4 = word(d, at + 16); this.w5 = word(d, at + 20); this.w6 = word(d, at + 24); this.w7 = word(d, at + 28)
    this.hash = this.w0 & 0x3fffffff
  }

  /** Whether this slot holds `codec` and the digest at d[at, at + 32). */
  is(codec: number, d: Uint8Array, at: number): boolean {
    return this.codec === codec && this.w1 === word(d, at + 4) && this.w2 === word(d, at + 8) && this.w3 === word(d, at + 12) &&
      this.w4 === word(d, at + 16) && this.w5 === word(d, at + 20) && this.w6 === word(d, at + 24) && this.w7 === word(d, at + 28) &&
      this.w0 === word(d, at)
  }
}

/** `b` is a CIDv1 (single-byte codec) sha2-256 of 32 bytes: 01 cc 12 20 ‖ digest. */
function isSha256V1(b: Uint8Array): boolean {
  return b.length === DIGEST_AT + DIGEST_BYTES && b[0] === 1 && b[1] < 0x80 && b[2] === 0x12 && b[3] === 0x20
}

/** 30 bits of a digest (a small integer: a Map hashes it without allocating); Slot.hash of the same digest. */
function hashAt(d: Uint8Array, at: number): number {
  return word(d, at) & 0x3fffffff
}

/** A handle on one mapping, for the caller's own bookkeeping (eviction order): pass it back to delete(). */
export type CidMapEntry<V> = { readonly value: V }

export class CidMap<V> {
  private readonly bySha = new Map<number, Slot<V>>()
  private readonly others = new Map<string, { value: V; key: string }>()
  private count = 0

  get size(): number {
    return this.count
  }

  get(cid: CID): V | undefined {
    const b = cid.bytes
    if (isSha256V1(b)) return this.find(b[1], b, DIGEST_AT)?.value
    return this.others.get(cidKey(cid))?.value
  }

  /** The value under the CIDv1 sha2-256 with `codec` and `digest` (32 bytes), built without a CID. */
  getDigest(codec: number, digest: Uint8Array): V | undefined {
    if (digest.length !== DIGEST_BYTES) return undefined
    return this.find(codec, digest, 0)?.value
  }

  has(cid: CID): boolean {
    return this.get(cid) !== undefined
  }

  /**
   * Maps `cid` to `value` unless it is mapped already (then the old mapping stays and undefined is
   * returned); the new mapping is returned. `value` must not be undefined.
   */
  add(cid: CID, value: V): CidMapEntry<V> | undefined {
    const b = cid.bytes
    if (isSha256V1(b)) return this.addSha(b[1], b, DIGEST_AT, value)
    const key = cidKey(cid)
    if (this.others.has(key)) return undefined
    const e = { value, key }
    this.others.set(key, e)
    this.count++
    return e
  }

  /** add() under the CIDv1 sha2-256 with `codec` and `digest` (32 bytes). */
  addDigest(codec: number, digest: Uint8Array, value: V): CidMapEntry<V> | undefined {
    if (digest.length !== DIGEST_BYTES) throw new RangeError(`a sha2-256 digest has 32 bytes, not ${digest.length}`)
    return this.addSha(codec, digest, 0, value)
  }

  /** Maps `cid` to `value`, replacing any mapping it had. */
  set(cid: CID, value: V): void {
    const b = cid.bytes
    if (isSha256V1(b)) {
      const s = this.find(b[1], b, DIGEST_AT)
      if (s !== undefined) s.value = value
      else this.addSha(b[1], b, DIGEST_AT, value)
      return
    }
    const key = cidKey(cid)
    const e = this.others.get(key)
    if (e !== undefined) e.value = value
    else {
      this.others.set(key, { value, key })
      this.count++
    }
  }

  /** Removes a mapping add() returned (nothing when it is gone already). */
  delete(entry: CidMapEntry<V>): void {
    if (entry instanceof Slot) {
      const first = this.bySha.get(entry.hash)
      if (first === entry) {
        if (entry.next === undefined) this.bySha.delete(entry.hash)
        else this.bySha.set(entry.hash, entry.next)
        this.count--
        return
      }
      for (let s = first; s !== undefined; s = s.next) {
        if (s.next === entry) {
          s.next = entry.next
          this.count--
          return
        }
      }
      return
    }
    const key = (entry as unknown as { key: string }).key
    if (this.others.get(key) === entry) {
      this.others.delete(key)
      this.count--
    }
  }

  /** Calls `fn` with every value (in no particular order). */
  forEach(fn: (value: V) => void): void {
    for (const first of this.bySha.values()) for (let s: Slot<V> | undefined = first; s !== undefined; s = s.next) fn(s.value)
    for (const e of this.others.values()) fn(e.value)
  }

  clear(): void {
    this.bySha.clear()
    this.others.clear()
    this.count = 0
  }

  private find(codec: number, d: Uint8Array, at: number): Slot<V> | undefined {
    for (let s = this.bySha.get(hashAt(d, at)); s !== undefined; s = s.next) {
      if (s.is(codec, d, at)) return s
    }
    return undefined
  }

  private addSha(codec: number, d: Uint8Array, at: number, value: V): Slot<V> | undefined {
    const hash = hashAt(d, at)
    const first = this.bySha.get(hash)
    for (let s = first; s !== undefined; s = s.next) if (s.is(codec, d, at)) return undefined
    const slot = new Slot(codec, d, at, value)
    slot.next = first
    this.bySha.set(hash, slot)
    this.count++
    return slot
  }
}
