// Typed accessors used by the model decoders: each checks the CBOR type of one field and throws a
// CborTypeError naming the object and field, so a malformed block gives a precise, typed error.
import { CID } from 'multiformats/cid'
import { CborRecord, type CborMap, type CborValue } from './cbor.ts'
import { CborTypeError } from './errors.ts'

function typeName(v: CborValue | undefined): string {
  if (v === undefined) return 'missing'
  if (v === null) return 'null'
  if (v instanceof Uint8Array) return 'bytes'
  if (Array.isArray(v)) return 'list'
  if (v instanceof Map || v instanceof CborRecord) return 'map'
  if (CID.asCID(v) !== null) return 'link'
  return typeof v
}

function wrong(what: string, expected: string, v: CborValue | undefined): never {
  throw new CborTypeError(`${what}: expected ${expected}, got ${typeName(v)}`)
}

export function asMap(v: CborValue, what: string): CborMap {
  if (!(v instanceof Map)) wrong(what, 'map', v)
  return v
}

export function asList(v: CborValue, what: string): CborValue[] {
  if (!Array.isArray(v)) wrong(what, 'list', v)
  return v
}

export function asBytes(v: CborValue, what: string, length?: number): Uint8Array {
  if (!(v instanceof Uint8Array)) wrong(what, 'bytes', v)
  if (length !== undefined && v.length !== length) throw new CborTypeError(`${what}: expected ${length} bytes, got ${v.length}`)
  return v
}

export function asString(v: CborValue, what: string): string {
  if (typeof v !== 'string') wrong(what, 'text', v)
  return v
}

export function asBool(v: CborValue, what: string): boolean {
  if (typeof v !== 'boolean') wrong(what, 'boolean', v)
  return v
}

/** An integer that fits a JS number exactly. */
export function asInt(v: CborValue, what: string): number {
  if (typeof v !== 'number') {
    if (typeof v === 'bigint') throw new CborTypeError(`${what}: integer ${v} is out of range`)
    wrong(what, 'integer', v)
  }
  return v
}

/** A Java long (signed 64-bit), as bigint. */
export function asLong(v: CborValue, what: string): bigint {
  if (typeof v === 'number') return BigInt(v)
  if (typeof v !== 'bigint') wrong(what, 'integer', v)
  if (v < -(1n << 63n) || v >= 1n << 63n) throw new CborTypeError(`${what}: integer ${v} is outside the signed 64-bit range`)
  return v
}

export function asLink(v: CborValue, what: string): CID {
  const cid = CID.asCID(v as object)
  if (cid === null || v instanceof Uint8Array || typeof v !== 'object') wrong(what, 'link', v)
  return cid
}

/** A decoded map: a Map, or a pooled CborRecord (decodeCbor's `records`). */
export type FieldSource = Pick<CborMap, 'get' | 'has'>

/** Field accessors on a map: `req*` throws when absent, `opt*` returns undefined when absent (null counts as absent). */
export class Fields {
  /** `what` names the object in errors; a nested object's name (`parent.key`) is built only when an error needs it. */
  constructor(private readonly src: FieldSource, private readonly whatOrParent: string | Fields, private readonly key?: string) {}

  /** The map itself (a record is copied into a Map: kept values must not be pooled). */
  get map(): CborMap {
    const s = this.src
    if (s instanceof Map) return s
    const r = s as CborRecord
    return new Map(r.keys.slice(0, r.size).map((k, i) => [k, r.values[i]]))
  }

  get what(): string {
    return typeof this.whatOrParent === 'string' ? this.whatOrParent : `${this.whatOrParent.what}.${this.key}`
  }

  static of(v: CborValue, what: string): Fields {
    return new Fields((v as unknown) instanceof CborRecord ? (v as unknown as CborRecord) : asMap(v, what), what)
  }

  has(key: string): boolean {
    const v = this.src.get(key)
    return v !== undefined && v !== null
  }

  raw(key: string): CborValue | undefined {
    const v = this.src.get(key)
    return v === null ? undefined : v
  }

  req(key: string): CborValue {
    const v = this.src.get(key)
    if (v === undefined || v === null) throw new CborTypeError(`${this.what}: missing field '${key}'`)
    return v
  }

  private name(key: string): string {
    return `${this.what}.${key}`
  }

  // Each accessor checks the common case inline and builds the field's name only for an error
  // (a listing reads a dozen fields of each of 10,000 entries).
  bytes(key: string, length?: number): Uint8Array {
    const v = this.src.get(key)
    if (v instanceof Uint8Array && (length === undefined || v.length === length)) return v
    return asBytes(this.req(key), this.name(key), length)
  }
  optBytes(key: string, length?: number): Uint8Array | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null) return undefined
    if (v instanceof Uint8Array && (length === undefined || v.length === length)) return v
    return asBytes(v, this.name(key), length)
  }
  string(key: string): string {
    const v = this.src.get(key)
    return typeof v === 'string' ? v : asString(this.req(key), this.name(key))
  }
  optString(key: string): string | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null || typeof v === 'string') return v ?? undefined
    return asString(v, this.name(key))
  }
  bool(key: string): boolean {
    const v = this.src.get(key)
    return typeof v === 'boolean' ? v : asBool(this.req(key), this.name(key))
  }
  optBool(key: string): boolean | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null || typeof v === 'boolean') return v ?? undefined
    return asBool(v, this.name(key))
  }
  int(key: string): number {
    const v = this.src.get(key)
    return typeof v === 'number' ? v : asInt(this.req(key), this.name(key))
  }
  optInt(key: string): number | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null || typeof v === 'number') return v ?? undefined
    return asInt(v, this.name(key))
  }
  long(key: string): bigint {
    const v = this.src.get(key)
    return typeof v === 'number' ? BigInt(v) : asLong(this.req(key), this.name(key))
  }
  optLong(key: string): bigint | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null) return undefined
    return typeof v === 'number' ? BigInt(v) : asLong(v, this.name(key))
  }
  list(key: string): CborValue[] {
    const v = this.src.get(key)
    return Array.isArray(v) ? v : asList(this.req(key), this.name(key))
  }
  optList(key: string): CborValue[] | undefined {
    const v = this.src.get(key)
    if (v === undefined || v === null) return undefined
    return Array.isArray(v) ? v : asList(v, this.name(key))
  }
  link(key: string): CID { return asLink(this.req(key), this.name(key)) }
  optLink(key: string): CID | undefined {
    const v = this.raw(key)
    return v === undefined ? undefined : asLink(v, this.name(key))
  }
  fields(key: string): Fields {
    const v = this.src.get(key)
    return v instanceof Map || (v as unknown) instanceof CborRecord ? new Fields(v as FieldSource, this, key) : Fields.of(this.req(key), this.name(key))
  }
}

/** Builds a CBOR map from entries, leaving out undefined values (Peergos omits absent optionals). */
export function cborMap(entries: Record<string, CborValue | undefined>): CborMap {
  const m: CborMap = new Map()
  for (const k of Object.keys(entries)) {
    const v = entries[k]
    if (v !== undefined) m.set(k, v)
  }
  return m
}
