// The CBOR data model of Peergos (reference §0.2: CborObject, CborEncoder, CborDecoder) as plain
// values, with a canonical encoder and a strict, bounded decoder for untrusted bytes.
//
// Values: integers (number when safe, bigint beyond ±2^53), text, bytes, booleans, null, lists,
// maps with text keys (Map, so `__proto__` is an ordinary key) and merkle links (tag 42 CIDs).
// Encoding is canonical dag-cbor: minimal lengths, map keys sorted by (byte length, bytes).
// Decoding rejects anything Peergos would not write: non-minimal or indefinite lengths, unsorted
// or duplicate keys, non-text keys, floats, undefined, tags other than 42, invalid UTF-8.
import { CID } from 'multiformats/cid'
import { CborDecodeError, CborLimitError, NonCanonicalCborError, UnsupportedCborError } from './errors.ts'

export type CborValue = number | bigint | string | boolean | null | Uint8Array | CID | CborValue[] | CborMap
export type CborMap = Map<string, CborValue>

export interface DecodeLimits {
  /** Maximum nesting of lists and maps (default 64). */
  maxDepth?: number
  /** Maximum number of data items in total (default: the input length, which bounds work anyway). */
  maxItems?: number
  /**
   * Return byte strings as views into the input instead of copies (default false). Only for inputs
   * the caller owns and never modifies, e.g. a request body decoded once (saves a copy per block).
   */
  viewBytes?: boolean
  /**
   * When the value is a map: only these keys' values are built; the others are checked as strictly
   * as ever (canonical heads, key order, UTF-8, nesting, item count) but skipped without allocating.
   * For readers that need a few fields of a large block (a listing reads `p` of a cryptree node and
   * skips its inline file data). Nested maps are built whole.
   */
  onlyKeys?: ReadonlySet<string>
  /**
   * Maps nested less than this deep (0: none, 1: the top one) are decoded into reused CborRecords
   * instead of Maps, each valid until the next decode that asks for records. For decoders that read
   * a block's fields at once through Fields and keep none of its maps (a listing decodes 10,000
   * nodes and their properties: a Map each was most of its garbage). The checks are the same.
   */
  records?: number
}

/**
 * A decoded CBOR map's entries in two arrays, read by key like a Map (Fields accepts either). The
 * instances are pooled and overwritten by the next decode with `records`: read, never keep.
 */
export class CborRecord {
  readonly keys: string[] = []
  readonly values: CborValue[] = []
  size = 0

  get(key: string): CborValue | undefined {
    const keys = this.keys
    for (let i = 0; i < this.size; i++) if (keys[i] === key) return this.values[i]
    return undefined
  }

  has(key: string): boolean {
    return this.get(key) !== undefined
  }
}

/** The records of the decode in progress (decoding is synchronous: one pool serves every call). */
const recordPool: CborRecord[] = []
let recordsUsed = 0

const MAX_POOLED_RECORDS = 64
/** What map() returns for a map it only checked. */
const SKIPPED = new CborRecord()

function takeRecord(): CborRecord {
  if (recordsUsed >= MAX_POOLED_RECORDS) return new CborRecord()
  const r = recordPool[recordsUsed] ?? (recordPool[recordsUsed] = new CborRecord())
  recordsUsed++
  r.size = 0
  return r
}

// ---------------------------------------------------------------------------------------------
// Encoding

const textEncoder = new TextEncoder()

class Writer {
  buf = new Uint8Array(256)
  view = new DataView(this.buf.buffer)
  pos = 0

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    let size = this.buf.length * 2
    while (size < this.pos + n) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buf.subarray(0, this.pos))
    this.buf = next
    this.view = new DataView(next.buffer)
  }

  head(major: number, n: number): void {
    this.ensure(9)
    const m = major << 5
    if (n < 24) {
      this.buf[this.pos++] = m | n
    } else if (n < 0x100) {
      this.buf[this.pos++] = m | 24
      this.buf[this.pos++] = n
    } else if (n < 0x10000) {
      this.buf[this.pos++] = m | 25
      this.view.setUint16(this.pos, n)
      this.pos += 2
    } else if (n < 0x100000000) {
      this.buf[this.pos++] = m | 26
      this.view.setUint32(this.pos, n)
      this.pos += 4
    } else {
      this.buf[this.pos++] = m | 27
      this.view.setBigUint64(this.pos, BigInt(n))
      this.pos += 8
    }
  }

  headBig(major: number, n: bigint): void {
    if (n < 0x100000000n) return this.head(major, Number(n))
    this.ensure(9)
    this.buf[this.pos++] = (major << 5) | 27
    this.view.setBigUint64(this.pos, n)
    this.pos += 8
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }
}

const keyCache = new Map<string, Uint8Array>()
function keyBytes(k: string): Uint8Array {
  let b = keyCache.get(k)
  if (b === undefined) {
    b = textEncoder.encode(k)
    if (keyCache.size < 4096) keyCache.set(k, b)
  }
  return b
}

/** Canonical dag-cbor key order: shorter UTF-8 first, then bytewise. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i]
  return 0
}

const MAX_U64 = (1n << 64n) - 1n

function writeValue(w: Writer, v: CborValue): void {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) throw new TypeError(`CBOR integers must be safe integers, got ${v}`)
    if (v >= 0) w.head(0, v)
    else w.headBig(1, BigInt(-1 - v))
  } else if (typeof v === 'bigint') {
    if (v >= 0n) {
      if (v > MAX_U64) throw new RangeError('CBOR integer above 2^64-1')
      w.headBig(0, v)
    } else {
      if (-1n - v > MAX_U64) throw new RangeError('CBOR integer below -2^64')
      w.headBig(1, -1n - v)
    }
  } else if (typeof v === 'string') {
    const b = textEncoder.encode(v)
    w.head(3, b.length)
    w.bytes(b)
  } else if (typeof v === 'boolean') {
    w.ensure(1)
    w.buf[w.pos++] = v ? 0xf5 : 0xf4
  } else if (v === null) {
    w.ensure(1)
    w.buf[w.pos++] = 0xf6
  } else if (v instanceof Uint8Array) {
    w.head(2, v.length)
    w.bytes(v)
  } else if (Array.isArray(v)) {
    w.head(4, v.length)
    for (const item of v) writeValue(w, item)
  } else if (v instanceof Map) {
    const entries: [Uint8Array, CborValue][] = []
    for (const [k, val] of v) {
      if (typeof k !== 'string') throw new TypeError('CBOR map keys must be strings')
      entries.push([keyBytes(k), val])
    }
    entries.sort((x, y) => compareKeys(x[0], y[0]))
    w.head(5, entries.length)
    for (const [k, val] of entries) {
      w.head(3, k.length)
      w.bytes(k)
      writeValue(w, val)
    }
  } else {
    const cid = CID.asCID(v)
    if (cid === null) throw new TypeError(`Value cannot be encoded as CBOR: ${Object.prototype.toString.call(v)}`)
    const b = cid.bytes
    w.ensure(2)
    w.buf[w.pos++] = 0xd8
    w.buf[w.pos++] = 42
    w.head(2, b.length + 1)
    w.ensure(1)
    w.buf[w.pos++] = 0
    w.bytes(b)
  }
}

/** Canonical CBOR bytes of a value (Peergos `Cborable.serialize()`). */
export function encodeCbor(v: CborValue): Uint8Array {
  const w = new Writer()
  writeValue(w, v)
  return w.buf.slice(0, w.pos)
}

/** Bytes of a canonical CBOR head carrying `n` (a safe integer). */
function headLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

function putHead(out: Uint8Array, pos: number, major: number, n: number): number {
  const m = major << 5
  if (n < 24) {
    out[pos] = m | n
    return pos + 1
  }
  if (n < 0x100) {
    out[pos] = m | 24
    out[pos + 1] = n
    return pos + 2
  }
  if (n < 0x10000) {
    out[pos] = m | 25
    out[pos + 1] = n >>> 8
    out[pos + 2] = n & 0xff
    return pos + 3
  }
  if (n < 0x100000000) {
    out[pos] = m | 26
    out[pos + 1] = n >>> 24
    out[pos + 2] = (n >>> 16) & 0xff
    out[pos + 3] = (n >>> 8) & 0xff
    out[pos + 4] = n & 0xff
    return pos + 5
  }
  out[pos] = m | 27
  const hi = Math.floor(n / 0x100000000)
  const lo = n >>> 0
  for (let i = 0; i < 4; i++) out[pos + 1 + i] = (hi >>> (24 - 8 * i)) & 0xff
  for (let i = 0; i < 4; i++) out[pos + 5 + i] = (lo >>> (24 - 8 * i)) & 0xff
  return pos + 9
}

/**
 * encodeCbor of a list of byte strings (a champ/get reply: every block of the lookups), written into
 * one buffer of the exact size: each block is copied once, with no growing and no final copy.
 */
export function encodeByteStringList(items: readonly Uint8Array[]): Uint8Array {
  let size = headLength(items.length)
  for (const b of items) size += headLength(b.length) + b.length
  const out = new Uint8Array(size)
  let pos = putHead(out, 0, 4, items.length)
  for (const b of items) {
    pos = putHead(out, pos, 2, b.length)
    out.set(b, pos)
    pos += b.length
  }
  return out
}

/**
 * decodeCbor(bytes, { maxDepth: 1, viewBytes: true }) of a list of byte strings (a champ/get reply),
 * as views, read head by head without the generic decoder; undefined for anything else (another
 * shape, a non-minimal or indefinite head, a length past the end, trailing bytes), which the generic
 * decoder then accepts or refuses with its own error.
 */
export function decodeByteStringList(bytes: Uint8Array): Uint8Array[] | undefined {
  if (bytes.length === 0 || bytes[0] >> 5 !== 4) return undefined
  // the decoder's own head reading (minimal heads, lengths within the input); any refusal: not this shape
  const r = new Reader(bytes, 1, Number.MAX_SAFE_INTEGER, true)
  try {
    r.pos = 1
    const n = r.length(bytes[0] & 0x1f)
    const out: Uint8Array[] = new Array(n)
    for (let i = 0; i < n; i++) {
      if (r.pos >= bytes.length || bytes[r.pos] >> 5 !== 2) return undefined
      const len = r.length(bytes[r.pos++] & 0x1f)
      out[i] = bytes.subarray(r.pos, r.pos + len)
      r.pos += len
    }
    return r.pos === bytes.length ? out : undefined
  } catch {
    return undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Decoding

const textDecoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Map keys and other short ASCII strings already seen, by their packed bytes (at most 6, so the
 * packed value with its length is an exact double): decoding a key costs a lookup, not a string.
 */
const shortAscii = new Map<number, string>()
const EMPTY_KEYS: ReadonlySet<string> = new Set()
const SHORT_ASCII_MAX = 6
/** Scratch char codes for short ASCII text (decoding is synchronous: one array serves every call). */
const shortCodes: number[] = []

class Reader {
  pos = 0
  items = 0
  constructor(readonly buf: Uint8Array, readonly maxDepth: number, readonly maxItems: number, readonly viewBytes: boolean, readonly onlyKeys?: ReadonlySet<string>, readonly records = 0) {}

  fail(msg: string): never {
    throw new CborDecodeError(`${msg} at offset ${this.pos}`)
  }

  need(n: number): void {
    if (n > this.buf.length - this.pos) throw new CborLimitError(`Declared length ${n} exceeds the ${this.buf.length - this.pos} remaining bytes at offset ${this.pos}`)
  }

  /** Reads the argument of a head whose additional info is `info`; enforces minimal encoding. */
  arg(info: number): number | bigint {
    if (info < 24) return info
    const start = this.pos
    const b = this.buf
    switch (info) {
      case 24: {
        this.need(1)
        const v = b[this.pos++]
        if (v < 24) throw new NonCanonicalCborError(`Non-minimal integer encoding at offset ${start}`)
        return v
      }
      case 25: {
        this.need(2)
        const v = (b[this.pos] << 8) | b[this.pos + 1]
        this.pos += 2
        if (v < 0x100) throw new NonCanonicalCborError(`Non-minimal integer encoding at offset ${start}`)
        return v
      }
      case 26: {
        this.need(4)
        const p = this.pos
        const v = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3])
        this.pos += 4
        if (v < 0x10000) throw new NonCanonicalCborError(`Non-minimal integer encoding at offset ${start}`)
        return v
      }
      case 27: {
        this.need(8)
        const p = this.pos
        const hi = b[p] * 0x1000000 + ((b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3])
        const lo = b[p + 4] * 0x1000000 + ((b[p + 5] << 16) | (b[p + 6] << 8) | b[p + 7])
        this.pos += 8
        if (hi === 0) throw new NonCanonicalCborError(`Non-minimal integer encoding at offset ${start}`)
        if (hi < 0x200000) return hi * 0x100000000 + lo // below 2^53: exact
        return (BigInt(hi) << 32n) | BigInt(lo)
      }
      case 31:
        throw new NonCanonicalCborError(`Indefinite-length item at offset ${start - 1}`)
      default:
        throw new CborDecodeError(`Reserved additional information ${info} at offset ${start - 1}`)
    }
  }

  /** A length argument: must fit in the remaining input (so nothing huge is ever allocated). */
  length(info: number): number {
    const n = info < 24 ? info : this.arg(info)
    if (typeof n === 'bigint') throw new CborLimitError(`Declared length ${n} is too large at offset ${this.pos}`)
    this.need(n)
    return n
  }

  value(depth: number): CborValue {
    if (++this.items > this.maxItems) throw new CborLimitError(`More than ${this.maxItems} CBOR items`)
    if (this.pos >= this.buf.length) this.fail('Unexpected end of CBOR input')
    const initial = this.buf[this.pos++]
    const major = initial >> 5
    const info = initial & 0x1f
    switch (major) {
      case 0:
        return this.arg(info)
      case 1: {
        const n = this.arg(info)
        if (typeof n === 'number' && n < Number.MAX_SAFE_INTEGER) return -1 - n
        return -1n - BigInt(n)
      }
      case 2: {
        const n = this.length(info)
        const b = this.viewBytes ? this.buf.subarray(this.pos, this.pos + n) : this.buf.slice(this.pos, this.pos + n)
        this.pos += n
        return b
      }
      case 3:
        return this.text(info)
      case 4: {
        if (depth >= this.maxDepth) throw new CborLimitError(`CBOR nesting deeper than ${this.maxDepth}`)
        const n = this.length(info)
        const out: CborValue[] = new Array(n)
        for (let i = 0; i < n; i++) out[i] = this.value(depth + 1)
        return out
      }
      case 5:
        return this.map(info, depth, depth === 0 ? this.onlyKeys : undefined)
      case 6: {
        const tag = this.arg(info)
        if (tag !== 42) throw new UnsupportedCborError(`Unsupported CBOR tag ${tag} at offset ${this.pos}`)
        if (this.pos >= this.buf.length) this.fail('Unexpected end of CBOR input')
        const b = this.buf[this.pos++]
        if (b >> 5 !== 2) throw new UnsupportedCborError(`Tag 42 must wrap a byte string at offset ${this.pos - 1}`)
        const n = this.length(b & 0x1f)
        if (n < 2 || this.buf[this.pos] !== 0) throw new CborDecodeError(`Tag 42 link lacks the 0x00 multibase prefix at offset ${this.pos}`)
        const start = this.pos + 1
        this.pos += n
        let cid: CID
        try {
          cid = CID.decode(this.buf.slice(start, start + n - 1))
        } catch (e) {
          throw new CborDecodeError(`Invalid CID in tag 42 at offset ${start}: ${(e as Error).message}`)
        }
        // multiformats reads `00 <codec> <multihash>` as a CIDv0 and drops the codec: not what was written.
        if (cid.bytes.length !== n - 1) throw new NonCanonicalCborError(`Non-canonical CID in tag 42 at offset ${start}`)
        return cid
      }
      default: // 7
        switch (info) {
          case 20: return false
          case 21: return true
          case 22: return null
          case 23: throw new UnsupportedCborError(`CBOR undefined is not supported (offset ${this.pos - 1})`)
          case 25: case 26: case 27: throw new UnsupportedCborError(`CBOR floats are not supported (offset ${this.pos - 1})`)
          default: throw new UnsupportedCborError(`Unsupported CBOR simple value ${info} (offset ${this.pos - 1})`)
        }
    }
  }

  map(info: number, depth: number, only?: ReadonlySet<string>): CborMap {
    if (depth >= this.maxDepth) throw new CborLimitError(`CBOR nesting deeper than ${this.maxDepth}`)
    const n = this.length(info)
    const buf = this.buf
    const skipping = only === EMPTY_KEYS // skip(): checked, nothing kept
    const record = depth < this.records && !skipping ? takeRecord() : undefined
    const out: CborMap | undefined = record === undefined && !skipping ? new Map() : undefined
    let prevStart = -1
    let prevLen = 0
    for (let i = 0; i < n; i++) {
      if (this.pos >= buf.length) this.fail('Unexpected end of CBOR input')
      const kInitial = buf[this.pos]
      if (kInitial >> 5 !== 3) throw new UnsupportedCborError(`Map key is not a text string at offset ${this.pos}`)
      this.pos++
      const kLen = this.length(kInitial & 0x1f)
      const kStart = this.pos
      if (prevStart >= 0) {
        // canonical order: shorter first, then bytewise (compareKeys, without views)
        let c = prevLen - kLen
        for (let j = 0; c === 0 && j < kLen; j++) c = buf[prevStart + j] - buf[kStart + j]
        if (c === 0) throw new NonCanonicalCborError(`Duplicate map key at offset ${kStart}`)
        if (c > 0) throw new NonCanonicalCborError(`Map keys not in canonical order at offset ${kStart}`)
      }
      const key = this.utf8(kStart, kLen)
      this.pos = kStart + kLen
      prevStart = kStart
      prevLen = kLen
      if (++this.items > this.maxItems) throw new CborLimitError(`More than ${this.maxItems} CBOR items`)
      if (only !== undefined && !only.has(key)) this.skip(depth + 1)
      else if (out !== undefined) out.set(key, this.value(depth + 1))
      else {
        const k = record!.size++
        record!.keys[k] = key
        record!.values[k] = this.value(depth + 1)
      }
    }
    return out ?? ((record ?? SKIPPED) as unknown as CborMap) // a record typed as a map for value(); Fields tells them apart
  }

  /** Checks one value exactly as value() would, without building it (links are built: they need CID parsing anyway). */
  skip(depth: number): void {
    const buf = this.buf
    if (++this.items > this.maxItems) throw new CborLimitError(`More than ${this.maxItems} CBOR items`)
    if (this.pos >= buf.length) this.fail('Unexpected end of CBOR input')
    const initial = buf[this.pos]
    const major = initial >> 5
    const info = initial & 0x1f
    switch (major) {
      case 0:
      case 1:
        this.pos++
        this.arg(info)
        return
      case 2: {
        this.pos++
        const n = this.length(info) // reads the head's argument first: `pos += length()` would lose it
        this.pos += n
        return
      }
      case 3: {
        this.pos++
        const n = this.length(info)
        let ascii = true
        for (let i = this.pos; i < this.pos + n; i++) if (buf[i] > 0x7f) { ascii = false; break }
        if (!ascii) this.utf8(this.pos, n)
        this.pos += n
        return
      }
      case 4: {
        if (depth >= this.maxDepth) throw new CborLimitError(`CBOR nesting deeper than ${this.maxDepth}`)
        this.pos++
        const n = this.length(info)
        for (let i = 0; i < n; i++) this.skip(depth + 1)
        return
      }
      case 5: {
        this.pos++
        this.map(info, depth, EMPTY_KEYS)
        return
      }
      default:
        this.items-- // value() counts it again
        this.value(depth)
    }
  }

  text(info: number): string {
    const n = this.length(info)
    const s = this.utf8(this.pos, n)
    this.pos += n
    return s
  }

  utf8(start: number, n: number): string {
    const buf = this.buf
    if (n <= SHORT_ASCII_MAX) {
      // map keys, mostly: packed bytes → the string seen before
      let packed = n
      let ascii = true
      for (let i = start; i < start + n; i++) {
        const b = buf[i]
        if (b > 0x7f) { ascii = false; break }
        packed = packed * 128 + b
      }
      if (ascii) {
        let s = shortAscii.get(packed)
        if (s === undefined) {
          s = n === 0 ? '' : String.fromCharCode.apply(null, buf.subarray(start, start + n) as unknown as number[])
          if (shortAscii.size < 65536) shortAscii.set(packed, s)
        }
        return s
      }
    } else if (n <= 32) {
      // names, mime types and other short text: ASCII by hand into one string, no view or native call
      // (appending a character at a time built a new string per character: ~1 KB per mime type)
      const codes = shortCodes
      let i = 0
      for (; i < n; i++) {
        const b = buf[start + i]
        if (b > 0x7f) break
        codes[i] = b
      }
      if (i === n) {
        codes.length = n
        return String.fromCharCode.apply(null, codes)
      }
    }
    try {
      return textDecoder.decode(buf.subarray(start, start + n))
    } catch {
      throw new CborDecodeError(`Invalid UTF-8 in text string at offset ${start}`)
    }
  }
}

function reader(bytes: Uint8Array, limits?: DecodeLimits): Reader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('CBOR input must be a Uint8Array')
  const records = limits?.records ?? 0
  if (records > 0) recordsUsed = 0
  return new Reader(bytes, limits?.maxDepth ?? 64, limits?.maxItems ?? Math.max(bytes.length, 1), limits?.viewBytes ?? false, limits?.onlyKeys, records)
}

/** Decodes exactly one CBOR value occupying all of `bytes`. */
export function decodeCbor(bytes: Uint8Array, limits?: DecodeLimits): CborValue {
  const r = reader(bytes, limits)
  const v = r.value(0)
  if (r.pos !== bytes.length) throw new CborDecodeError(`${bytes.length - r.pos} trailing bytes after the CBOR value`)
  return v
}

/** Decodes the first CBOR value of `bytes` and returns it with the number of bytes it used (Peergos ignores what follows, e.g. padding). */
export function decodeCborPrefix(bytes: Uint8Array, limits?: DecodeLimits): { value: CborValue; length: number } {
  const r = reader(bytes, limits)
  const value = r.value(0)
  return { value, length: r.pos }
}

/**
 * Checks the first CBOR value of `bytes` exactly as decodeCborPrefix would, building nothing, and
 * returns its length.
 */
export function checkCborPrefix(bytes: Uint8Array, limits?: DecodeLimits): number {
  const r = reader(bytes, limits)
  r.skip(0)
  return r.pos
}

/** Whether `bytes` starts with a CBOR list head. */
export function startsWithCborList(bytes: Uint8Array): boolean {
  return bytes.length > 0 && bytes[0] >> 5 === 4
}

/**
 * The elements of the CBOR list at the start of `bytes`, decoded one at a time and each handed to
 * `each` before the next is read: with `records`, one element's records are reused by the next, so
 * a list of 500 maps builds none. Check the bytes with checkCborPrefix first (this decodes as
 * strictly, but an error would come only after the elements before it were handed over).
 */
export function decodeCborListEach(bytes: Uint8Array, limits: DecodeLimits, each: (element: CborValue, index: number) => void): void {
  const r = reader(bytes, limits)
  if (!startsWithCborList(bytes)) r.fail('Not a CBOR list')
  const n = r.length(bytes[r.pos++] & 0x1f)
  r.items++
  for (let i = 0; i < n; i++) {
    recordsUsed = 0
    each(r.value(1), i)
  }
}
