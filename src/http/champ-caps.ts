// The `caps=` parameter of champ/get/bulk (reference §7.3): a CBOR list of at most MAX_CHAMP_GETS
// ChunkMirrorCaps {m, b?} in multibase. Written straight into one buffer and into its escaped query
// form for the usual shapes (client), and read in place for those shapes (server); anything else
// goes through the generic CBOR codec, which decides what is refused and how.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { base64EncodeUriComponent } from '../codec/base64.ts'
import { cidFromBytes } from '../codec/cid.ts'
import { multibase64Encode, multibaseDecode } from '../codec/multibase.ts'
import { batWithId, batWithIdFromCbor, batWithIdToCbor, checkBatId } from '../model/bat-id.ts'
import { MAX_CHAMP_GETS, type ChunkMirrorCap } from '../services/content-addressed-storage.ts'
import { BadRequestError } from './errors.ts'

export function chunkMirrorCapToCbor(c: ChunkMirrorCap): CborValue {
  return cborMap({ b: c.bat === undefined ? undefined : batWithIdToCbor(c.bat), m: c.mapKey })
}

export function chunkMirrorCapFromCbor(v: CborValue): ChunkMirrorCap {
  const f = Fields.of(v, 'ChunkMirrorCap')
  const b = f.raw('b')
  const mapKey = f.bytes('m')
  return b === undefined ? { mapKey } : { mapKey, bat: batWithIdFromCbor(b) }
}

/**
 * The `caps=` parameter of champ/get/bulk: a CBOR list of ChunkMirrorCaps in multibase base64 ('m'),
 * which Peergos' StorageHandler reads like any other multibase (Multibase.decode); base58btc, what
 * Peergos' own client sends, costs about a millisecond of BigInt arithmetic per call at each end for
 * the ~1.8 KB of 20 caps (500 calls per 10,000 entries).
 */
export function encodeCaps(caps: readonly ChunkMirrorCap[]): string {
  return multibase64Encode(encodeCapsCbor(caps))
}

/** `caps=` + encodeURIComponent(encodeCaps(caps)): the request parameter written in one pass. */
export function capsParameter(caps: readonly ChunkMirrorCap[]): string {
  return 'caps=' + base64EncodeUriComponent('m', encodeCapsCbor(caps))
}

/** {b: {b: {s: <32 bytes>}, i: <36-byte CID>}, m: <32 bytes>} up to each variable part, and {m: <32 bytes>} (no BAT). */
const CAP_WITH_BAT = Uint8Array.of(0xa2, 0x61, 0x62, 0xa2, 0x61, 0x62, 0xa1, 0x61, 0x73, 0x58, 0x20)
const CAP_BAT_ID = Uint8Array.of(0x61, 0x69, 0x58, 0x24)
const CAP_MAP_KEY = Uint8Array.of(0x61, 0x6d, 0x58, 0x20)
const CAP_WITHOUT_BAT = Uint8Array.of(0xa1)

/**
 * The CBOR list of caps: encodeCbor(caps.map(chunkMirrorCapToCbor)), written straight into one buffer
 * for the usual shapes (32-byte label, 32-byte BAT with a sha2-256 id); a listing sends 500 of these.
 */
export function encodeCapsCbor(caps: readonly ChunkMirrorCap[]): Uint8Array {
  if (caps.length >= 24) return encodeCbor(caps.map(chunkMirrorCapToCbor))
  let size = 1
  for (const c of caps) {
    if (c.mapKey.length !== 32) return encodeCbor(caps.map(chunkMirrorCapToCbor))
    if (c.bat !== undefined && (c.bat.bat.secret.length !== 32 || c.bat.id.bytes.length !== 36)) return encodeCbor(caps.map(chunkMirrorCapToCbor))
    size += (c.bat === undefined ? CAP_WITHOUT_BAT.length : CAP_WITH_BAT.length + 32 + CAP_BAT_ID.length + 36) + CAP_MAP_KEY.length + 32
  }
  const out = new Uint8Array(size)
  out[0] = 0x80 | caps.length
  let pos = 1
  for (const c of caps) {
    if (c.bat === undefined) pos = putAt(out, pos, CAP_WITHOUT_BAT)
    else {
      pos = putAt(out, pos, CAP_WITH_BAT)
      pos = putAt(out, pos, c.bat.bat.secret)
      pos = putAt(out, pos, CAP_BAT_ID)
      pos = putAt(out, pos, c.bat.id.bytes)
    }
    pos = putAt(out, pos, CAP_MAP_KEY)
    pos = putAt(out, pos, c.mapKey)
  }
  return out
}

function putAt(out: Uint8Array, pos: number, bytes: Uint8Array): number {
  out.set(bytes, pos)
  return pos + bytes.length
}

/** Any multibase Peergos' Multibase.decode reads (base58btc from Peergos' clients, base64 from ours). */
export function decodeCaps(s: string): ChunkMirrorCap[] {
  if (s.length > 8192) throw new BadRequestError('Parameter caps is too long')
  let raw: Uint8Array
  try {
    raw = multibaseDecode(s)
  } catch (e) {
    throw new BadRequestError(`Parameter caps: ${(e as Error).message}`)
  }
  const usual = decodeUsualCaps(raw)
  if (usual !== undefined) return usual
  const list = asList(decodeCbor(raw, { maxDepth: 4 }), 'caps')
  if (list.length > MAX_CHAMP_GETS) throw new BadRequestError(`Too many caps in bulk champ get call! ${list.length}`)
  return list.map(chunkMirrorCapFromCbor)
}

/** Whether `raw` holds `bytes` at `pos`. */
function holdsAt(raw: Uint8Array, pos: number, bytes: Uint8Array): boolean {
  if (pos + bytes.length > raw.length) return false
  for (let i = 0; i < bytes.length; i++) if (raw[pos + i] !== bytes[i]) return false
  return true
}

/** The length of the usual-shape cap (encodeCapsCbor's) at `pos`, or 0 when the bytes there are anything else. */
function usualCapLength(raw: Uint8Array, pos: number): number {
  let p = pos
  if (holdsAt(raw, p, CAP_WITHOUT_BAT)) p += CAP_WITHOUT_BAT.length
  else if (holdsAt(raw, p, CAP_WITH_BAT) && holdsAt(raw, p + CAP_WITH_BAT.length + 32, CAP_BAT_ID)) p += CAP_WITH_BAT.length + 32 + CAP_BAT_ID.length + 36
  else return 0
  return holdsAt(raw, p, CAP_MAP_KEY) && p + CAP_MAP_KEY.length + 32 <= raw.length ? p + CAP_MAP_KEY.length + 32 - pos : 0
}

/**
 * decodeCaps' list when its CBOR is exactly what encodeCapsCbor writes for the usual shapes (at most
 * MAX_CHAMP_GETS caps), read in place: the whole list is matched before any cap is built, so a BAT id
 * is refused by the same check, in the same order, as the generic path; undefined for any other bytes.
 */
function decodeUsualCaps(raw: Uint8Array): ChunkMirrorCap[] | undefined {
  if (raw.length === 0 || raw[0] >> 5 !== 4) return undefined
  const n = raw[0] & 0x1f
  if (n > MAX_CHAMP_GETS) return undefined
  let pos = 1
  for (let i = 0; i < n; i++) {
    const len = usualCapLength(raw, pos)
    if (len === 0) return undefined
    pos += len
  }
  if (pos !== raw.length) return undefined
  const out: ChunkMirrorCap[] = new Array(n)
  pos = 1
  for (let i = 0; i < n; i++) {
    if (raw[pos] === CAP_WITHOUT_BAT[0] && raw[pos + 1] === CAP_MAP_KEY[0]) {
      pos += CAP_WITHOUT_BAT.length + CAP_MAP_KEY.length
      out[i] = { mapKey: raw.slice(pos, pos + 32) }
      pos += 32
      continue
    }
    pos += CAP_WITH_BAT.length
    const secret = raw.slice(pos, pos + 32)
    pos += 32 + CAP_BAT_ID.length
    const id = raw.slice(pos, pos + 36)
    pos += 36 + CAP_MAP_KEY.length
    const mapKey = raw.slice(pos, pos + 32)
    pos += 32
    out[i] = { mapKey, bat: batWithId({ secret }, checkBatId(cidFromBytes(id), 'BatWithId.i')) }
  }
  return out
}
