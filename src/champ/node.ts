// CHAMP nodes (reference §3.1, Peergos Champ.java): the in-memory node (slots by bit position),
// its parameters, Peergos' mask() over the key hash, and small helpers. Blocks: node-codec.ts.
import { CODEC_DAG_CBOR, HASH_SHA2_256, type CID } from '../codec/cid.ts'

/** Peergos `HASH_CODE_LENGTH`: nodes live at depths 0..31; pushing a bucket down to depth 32 is a collision. */
export const MAX_DEPTH = 32

export interface ChampParams {
  /** Bits of the key hash consumed per level (fan-out 2^bitWidth); Peergos uses 3. */
  readonly bitWidth: number
  /** Bucket size before a bucket is pushed down into a child node; Peergos uses 4. */
  readonly maxCollisions: number
}

/** One mapping. A null value is a mapping without a value (CborNull), which reads as absent. */
export interface ChampEntry {
  readonly key: Uint8Array
  readonly value: CID | null
}

/** A bucket of 1..maxCollisions entries sorted by key, or a link to a child node. */
export type ChampSlot = readonly ChampEntry[] | CID

export interface ChampNode {
  /** Indexed by bit position, length 2^bitWidth; undefined = empty position. */
  readonly slots: readonly (ChampSlot | undefined)[]
  /** Mirror BAT id (a CID, Peergos `BatId`), written on the root only. */
  readonly mirrorBat?: CID
}

export function isBucket(slot: ChampSlot): slot is readonly ChampEntry[] {
  return Array.isArray(slot)
}

/** Peergos' mask(): `nbits` bits from bit `depth*nbits`, LSB-first within a byte, spilling into the next; 0 past the end. */
export function mask(hash: Uint8Array, depth: number, nbits: number): number {
  const bit = depth * nbits
  const index = bit >> 3
  const shift = bit & 7
  const lowBits = Math.min(nbits, 8 - shift)
  const hiBits = nbits - lowBits
  const v1 = index < hash.length ? hash[index] : 0
  const v2 = index + 1 < hash.length ? hash[index + 1] : 0
  return ((v1 >> shift) & ((1 << lowBits) - 1)) | ((v2 & ((1 << hiBits) - 1)) << lowBits)
}

export function checkParams(p: ChampParams): void {
  if (!Number.isInteger(p.bitWidth) || p.bitWidth < 1 || p.bitWidth > 8) throw new RangeError(`CHAMP bitWidth must be 1..8, got ${p.bitWidth}`)
  if (!Number.isInteger(p.maxCollisions) || p.maxCollisions < 1 || p.maxCollisions > 64) throw new RangeError(`CHAMP maxCollisions must be 1..64, got ${p.maxCollisions}`)
}

/** A CHAMP node link must be a CIDv1 dag-cbor sha2-256, as Peergos writes them. */
export function isNodeCid(cid: CID): boolean {
  return cid.version === 1 && cid.code === CODEC_DAG_CBOR && cid.multihash.code === HASH_SHA2_256
}

export function emptyNode(width: number, mirrorBat?: CID): ChampNode {
  return { slots: new Array<ChampSlot | undefined>(width).fill(undefined), mirrorBat }
}

export function keyCount(slots: readonly (ChampSlot | undefined)[]): number {
  let n = 0
  for (const s of slots) if (s !== undefined && isBucket(s)) n += s.length
  return n
}

export function linkCount(slots: readonly (ChampSlot | undefined)[]): number {
  let n = 0
  for (const s of slots) if (s !== undefined && !isBucket(s)) n++
  return n
}
