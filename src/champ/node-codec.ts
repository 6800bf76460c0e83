// CHAMP node blocks (reference §3.1): dag-cbor [dataMap, nodeMap, [bucket | link ...]], optionally
// wrapped {d, bats} on the root. Hand-written over this fixed grammar for speed: decoded entries
// are offsets into the node's own buffer, with key views and CIDs built on first use.
import { CID } from '../codec/cid.ts'
import { Digest } from 'multiformats/hashes/digest'
import {
  checkBitmap, checkBucketSize, checkChildLink, decodeNodeGeneric, fail, layout,
} from './node-generic.ts'
import { isBucket, type ChampEntry, type ChampNode, type ChampParams, type ChampSlot } from './node.ts'

export { decodeNodeGeneric } from './node-generic.ts'

/** A CIDv1 sha2-256 with a one-byte codec: 01 cc 12 20 ‖ digest. */
function isPlainCid(b: Uint8Array, start: number, end: number): boolean {
  return end - start === 36 && b[start] === 1 && b[start + 1] < 0x80 && b[start + 2] === 0x12 && b[start + 3] === 0x20
}

/** A CID over bytes[start, end) of a buffer nobody modifies; plain CIDs are built directly, others parsed. */
function cidAt(b: Uint8Array, start: number, end: number): CID {
  const v = b.subarray(start, end)
  if (isPlainCid(b, start, end)) return new CID(1, v[1], new Digest(0x12, 32, v.subarray(4), v.subarray(2)), v) as CID
  let cid: CID
  try {
    cid = CID.decode(v.slice()) as CID
  } catch (e) {
    return fail(`invalid CID in link: ${(e as Error).message}`, e)
  }
  // multiformats reads `00 <codec> <multihash>` as a CIDv0, dropping the codec: reject what does not round-trip.
  if (cid.bytes.length !== v.length) fail('non-canonical CID in link')
  return cid
}

/** A mapping inside a node buffer: key at [keyStart, keyEnd), value CID at [valueStart, valueEnd) (empty = null). */
class PackedEntry implements ChampEntry {
  private k: Uint8Array | undefined
  constructor(
    readonly buf: Uint8Array, readonly keyStart: number, readonly keyEnd: number,
    readonly valueStart: number, readonly valueEnd: number, private v: CID | null | undefined,
  ) {}
  get key(): Uint8Array {
    return (this.k ??= this.buf.subarray(this.keyStart, this.keyEnd))
  }
  get value(): CID | null {
    return this.v === undefined ? (this.v = cidAt(this.buf, this.valueStart, this.valueEnd)) : this.v
  }
}

/** Length-first, then unsigned bytes (Peergos ByteArrayWrapper order) of two ranges of one buffer. */
function compareRanges(b: Uint8Array, as: number, ae: number, bs: number, be: number): number {
  if (ae - as !== be - bs) return ae - as - (be - bs)
  for (let i = 0; i < ae - as; i++) if (b[as + i] !== b[bs + i]) return b[as + i] - b[bs + i]
  return 0
}

// ---------------------------------------------------------------------------------------------
// Encoding: sizes first, then one exact buffer.

const BATS = new TextEncoder().encode('bats')

function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5
}

function keyLength(e: ChampEntry): number {
  return e instanceof PackedEntry ? e.keyEnd - e.keyStart : e.key.length
}

/** Length of the value's CID bytes, 0 for null. */
function valueLength(e: ChampEntry): number {
  if (e instanceof PackedEntry) return e.valueEnd - e.valueStart
  return e.value === null ? 0 : e.value.bytes.length
}

function linkSize(n: number): number {
  return 2 + headSize(n + 1) + 1 + n
}

class Out {
  pos = 0
  constructor(readonly b: Uint8Array) {}
  head(major: number, n: number): void {
    const b = this.b
    const m = major << 5
    if (n < 24) b[this.pos++] = m | n
    else if (n < 0x100) { b[this.pos++] = m | 24; b[this.pos++] = n }
    else if (n < 0x10000) { b[this.pos++] = m | 25; b[this.pos++] = n >> 8; b[this.pos++] = n & 0xff }
    else { b[this.pos++] = m | 26; b[this.pos++] = n >>> 24; b[this.pos++] = (n >> 16) & 0xff; b[this.pos++] = (n >> 8) & 0xff; b[this.pos++] = n & 0xff }
  }
  /** Copies src[start, end) (a loop: TypedArray.set and subarray cost more on small arrays). */
  raw(src: Uint8Array, start = 0, end = src.length): void {
    if (end - start > 64) this.b.set(src.subarray(start, end), this.pos)
    else for (let i = start; i < end; i++) this.b[this.pos + i - start] = src[i]
    this.pos += end - start
  }
  bytes(src: Uint8Array, start = 0, end = src.length): void {
    this.head(2, end - start)
    this.raw(src, start, end)
  }
  /** Writes a tag-42 link and returns where its CID bytes start. */
  link(src: Uint8Array, start = 0, end = src.length): number {
    this.b[this.pos++] = 0xd8
    this.b[this.pos++] = 42
    this.head(2, end - start + 1)
    this.b[this.pos++] = 0
    const at = this.pos
    this.raw(src, start, end)
    return at
  }
}

function bitsetLength(bits: Uint8Array): number {
  let n = bits.length
  while (n > 0 && bits[n - 1] === 0) n--
  return n
}

/** Encodes a node; also returns the node re-expressed over the new bytes (packed entries, fresh links). */
export function encodeNodePacked(node: ChampNode): { bytes: Uint8Array; node: ChampNode } {
  const width = node.slots.length
  const dataBits = new Uint8Array((width + 7) >> 3)
  const nodeBits = new Uint8Array((width + 7) >> 3)
  let count = 0
  let size = 0
  for (let pos = 0; pos < width; pos++) {
    const slot = node.slots[pos]
    if (slot === undefined) continue
    count++
    if (isBucket(slot)) {
      dataBits[pos >> 3] |= 1 << (pos & 7)
      size += headSize(2 * slot.length)
      for (const e of slot) {
        const kl = keyLength(e)
        const vl = valueLength(e)
        size += headSize(kl) + kl + (vl === 0 ? 1 : linkSize(vl))
      }
    } else {
      nodeBits[pos >> 3] |= 1 << (pos & 7)
      size += linkSize(slot.bytes.length)
    }
  }
  const dm = bitsetLength(dataBits)
  const nm = bitsetLength(nodeBits)
  size += 1 + headSize(dm) + dm + headSize(nm) + nm + headSize(count)
  const bat = node.mirrorBat?.bytes
  if (bat !== undefined) size += 1 + 2 + 5 + 1 + headSize(bat.length) + bat.length
  const out = new Out(new Uint8Array(size))
  const b = out.b
  if (bat !== undefined) {
    out.head(5, 2)
    out.head(3, 1)
    b[out.pos++] = 0x64 // 'd'
  }
  out.head(4, 3)
  out.bytes(dataBits, 0, dm)
  out.bytes(nodeBits, 0, nm)
  out.head(4, count)
  const slots = new Array<ChampSlot | undefined>(width).fill(undefined)
  for (let pos = 0; pos < width; pos++) {
    const slot = node.slots[pos]
    if (slot === undefined || !isBucket(slot)) continue
    out.head(4, 2 * slot.length)
    const bucket: ChampEntry[] = []
    for (const e of slot) {
      const packed = e instanceof PackedEntry ? e : undefined
      if (packed !== undefined) out.head(2, packed.keyEnd - packed.keyStart)
      else out.head(2, e.key.length)
      const ks = out.pos
      if (packed !== undefined) out.raw(packed.buf, packed.keyStart, packed.keyEnd)
      else out.raw(e.key)
      const ke = out.pos
      if (valueLength(e) === 0) {
        b[out.pos++] = 0xf6
        bucket.push(new PackedEntry(b, ks, ke, 0, 0, null))
        continue
      }
      const vs = packed !== undefined ? out.link(packed.buf, packed.valueStart, packed.valueEnd) : out.link((e.value as CID).bytes)
      // Plain CIDs are rebuilt lazily over the new buffer; others keep their (already parsed) CID.
      bucket.push(new PackedEntry(b, ks, ke, vs, out.pos, isPlainCid(b, vs, out.pos) ? undefined : e.value))
    }
    slots[pos] = bucket
  }
  // Child links come last, in reverse bit order (index = length - 1 - rank).
  for (let pos = width - 1; pos >= 0; pos--) {
    const slot = node.slots[pos]
    if (slot === undefined || isBucket(slot)) continue
    const at = out.link(slot.bytes)
    slots[pos] = isPlainCid(b, at, out.pos) ? cidAt(b, at, out.pos) : slot
  }
  if (bat !== undefined) {
    out.head(3, 4)
    out.raw(BATS)
    out.head(4, 1)
    out.bytes(bat)
  }
  return { bytes: b, node: { slots, mirrorBat: node.mirrorBat } }
}

export function encodeNode(node: ChampNode): Uint8Array {
  return encodeNodePacked(node).bytes
}

// ---------------------------------------------------------------------------------------------
// Decoding the list form by hand

class In {
  pos = 0
  constructor(readonly b: Uint8Array) {}
  /** The argument of a head of type `major`: minimal encoding, at most the remaining bytes. */
  len(major: number, what: string): number {
    const b = this.b
    if (this.pos >= b.length) fail(`truncated at ${what}`)
    const ib = b[this.pos++]
    if (ib >> 5 !== major) fail(`${what} has CBOR type ${ib >> 5}, expected ${major}`)
    const info = ib & 31
    let n: number
    if (info < 24) n = info
    else if (info === 24 && this.pos + 1 <= b.length) n = b[this.pos++]
    else if (info === 25 && this.pos + 2 <= b.length) { n = (b[this.pos] << 8) | b[this.pos + 1]; this.pos += 2 }
    else if (info === 26 && this.pos + 4 <= b.length) { n = b[this.pos] * 0x1000000 + ((b[this.pos + 1] << 16) | (b[this.pos + 2] << 8) | b[this.pos + 3]); this.pos += 4 }
    else return fail(`${what} has an unsupported, indefinite or truncated length`)
    if ((info === 24 && n < 24) || (info === 25 && n < 0x100) || (info === 26 && n < 0x10000)) fail(`${what} has a non-minimal length`)
    if (n > b.length - this.pos) fail(`${what} declares ${n}, more than the remaining bytes`)
    return n
  }
  bytes(what: string): Uint8Array {
    const n = this.len(2, what)
    this.pos += n
    return this.b.subarray(this.pos - n, this.pos)
  }
  /** Reads a tag-42 link; returns where its CID bytes start (they end at pos). */
  link(what: string): number {
    if (this.b[this.pos] !== 0xd8 || this.b[this.pos + 1] !== 42) fail(`${what} is not a link`)
    this.pos += 2
    const n = this.len(2, what)
    if (n < 2 || this.b[this.pos] !== 0) fail(`${what} lacks the 0x00 multibase prefix`)
    this.pos += n
    return this.pos - n + 1
  }
}

function decodeList(b: Uint8Array, params: ChampParams): ChampNode {
  const r = new In(b)
  if (r.len(4, 'node') !== 3) fail('not a 3-item list')
  const width = 1 << params.bitWidth
  const dataBits = checkBitmap(r.bytes('dataMap'), 'dataMap', width)
  const nodeBits = checkBitmap(r.bytes('nodeMap'), 'nodeMap', width)
  const { data, nodes } = layout(dataBits, nodeBits, width)
  const n = r.len(4, 'contents')
  if (n !== data.length + nodes.length) fail(`bitmaps count ${data.length + nodes.length} entries but contents has ${n}`)
  const slots = new Array<ChampSlot | undefined>(width).fill(undefined)
  for (const pos of data) {
    if (r.b[r.pos] >> 5 !== 4) fail('a data position does not hold a bucket list')
    const items = r.len(4, 'bucket')
    checkBucketSize(items, params.maxCollisions)
    const bucket: PackedEntry[] = []
    for (let j = 0; j < items; j += 2) {
      const kn = r.len(2, 'bucket key')
      const ks = r.pos
      r.pos += kn
      const prev = bucket[bucket.length - 1]
      if (prev !== undefined && compareRanges(b, prev.keyStart, prev.keyEnd, ks, r.pos) >= 0) fail('bucket keys are not strictly sorted')
      if (b[r.pos] === 0xf6) {
        r.pos++
        bucket.push(new PackedEntry(b, ks, ks + kn, 0, 0, null))
      } else {
        const vs = r.link('bucket value')
        // Plain CIDs are built on first use; anything else is parsed (and checked) now.
        bucket.push(new PackedEntry(b, ks, ks + kn, vs, r.pos, isPlainCid(b, vs, r.pos) ? undefined : cidAt(b, vs, r.pos)))
      }
    }
    slots[pos] = bucket
  }
  for (const pos of nodes) {
    const at = r.link('a node position')
    slots[pos] = checkChildLink(cidAt(b, at, r.pos))
  }
  if (r.pos !== b.length) fail(`${b.length - r.pos} trailing bytes`)
  return { slots }
}

/** Decodes a node block strictly: every deviation from what Peergos writes is an InvalidChampNodeError. */
export function decodeNode(bytes: Uint8Array, params: ChampParams): ChampNode {
  return decodeNodeOwned(bytes.slice(), params)
}

/** decodeNode over bytes the caller hands over: the node keeps views into them, so they must never change. */
export function decodeNodeOwned(bytes: Uint8Array, params: ChampParams): ChampNode {
  return bytes.length > 0 && bytes[0] === 0x83 ? decodeList(bytes, params) : decodeNodeGeneric(bytes, params)
}
