// BatId and BatWithId (reference §7.6, Peergos BatId / BatWithId): a BatId is a raw-codec CIDv1,
// either inline (identity multihash of the secret) or hashed (sha2-256: of the secret for the
// mirror BAT, of CBOR {s} for fragment BATs); CBOR = byte string of the CID bytes.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, cborMap, Fields } from '../codec/cbor-read.ts'
import { blockCid, cidFromBytes, CODEC_RAW, HASH_IDENTITY, HASH_SHA2_256, identityCid, multibase58Decode, multibase58Encode, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { BAT_BYTES, batFromCbor, batToCbor, InvalidBatError, type Bat } from './bat.ts'

export type BatId = CID

/** BatId.inline: CIDv1 raw with the secret as identity multihash (only inside the block it guards). */
export function inlineBatId(b: Bat): BatId {
  return identityCid(CODEC_RAW, b.secret)
}

/** BatId.sha256 (the mirror BAT's id): CIDv1 raw of sha256(secret). */
export function sha256BatId(c: CryptoProvider, b: Bat): BatId {
  return blockCid(c, b.secret, true)
}

/** CBOR {s: <32 bytes>} up to the secret: map(1), text "s", bytes(32). */
const BAT_CBOR_HEAD = [0xa1, 0x61, 0x73, 0x58, 0x20]
/** encodeCbor(batToCbor(b)) of a 32-byte BAT, rewritten for each id (hashing is synchronous) and cleared after. */
const batCbor = Uint8Array.from([...BAT_CBOR_HEAD, ...new Uint8Array(BAT_BYTES)])

/** Bat.calculateId (fragment BAT ids): CIDv1 raw of sha256(CBOR {s: secret}). */
export function calculateBatId(c: CryptoProvider, b: Bat): BatId {
  if (b.secret.length !== BAT_BYTES) return blockCid(c, encodeCbor(batToCbor(b)), true)
  // without building the map or a buffer (a listing derives one id per entry)
  batCbor.set(b.secret, BAT_CBOR_HEAD.length)
  try {
    return blockCid(c, batCbor, true)
  } finally {
    batCbor.fill(0, BAT_CBOR_HEAD.length)
  }
}

export function isInlineBatId(id: BatId): boolean {
  return id.multihash.code === HASH_IDENTITY
}

/** BatId.getInline: the BAT embedded in an inline id, undefined for a hashed id. */
export function inlineBatOf(id: BatId): Bat | undefined {
  return isInlineBatId(id) ? { secret: id.multihash.digest } : undefined
}

/** Checks a CID is acceptable as a BatId: v1, raw codec, 32-byte identity or sha2-256. */
export function checkBatId(id: CID, what = 'BatId'): BatId {
  if (id.version !== 1 || id.code !== CODEC_RAW) throw new InvalidBatError(`${what}: must be a raw-codec CIDv1`)
  const code = id.multihash.code
  if (code === HASH_IDENTITY) {
    if (id.multihash.size !== BAT_BYTES) throw new InvalidBatError(`${what}: inline BAT must be ${BAT_BYTES} bytes, got ${id.multihash.size}`)
  } else if (code !== HASH_SHA2_256) {
    throw new InvalidBatError(`${what}: multihash 0x${code.toString(16)} is not identity or sha2-256`)
  }
  return id
}

export function batIdToCbor(id: BatId): CborValue {
  return id.bytes
}

export function batIdFromCbor(v: CborValue, what = 'BatId'): BatId {
  return checkBatId(cidFromBytes(asBytes(v, what)), what)
}

export interface BatWithId {
  readonly bat: Bat
  /** A hashed (never inline) raw BatId. */
  readonly id: BatId
}

export function batWithId(b: Bat, id: BatId): BatWithId {
  checkBatId(id, 'BatWithId.i')
  if (isInlineBatId(id)) throw new InvalidBatError('BatWithId: the id cannot be an inline (identity) BatId')
  return { bat: b, id }
}

export function batWithIdToCbor(b: BatWithId): CborValue {
  return cborMap({ b: batToCbor(b.bat), i: b.id.bytes })
}

export function batWithIdFromCbor(v: CborValue): BatWithId {
  const f = Fields.of(v, 'BatWithId')
  return batWithId(batFromCbor(f.req('b')), checkBatId(cidFromBytes(f.bytes('i')), 'BatWithId.i'))
}

/** Generous bound on the text form (a real one is 117 characters), so decoding stays cheap. */
const MAX_ENCODED_BAT_WITH_ID = 256

/** BatWithId.encode: multibase base58btc of the CBOR. */
export function encodeBatWithId(b: BatWithId): string {
  return multibase58Encode(encodeCbor(batWithIdToCbor(b)))
}

/** BatWithId.decode; throws PeergosErrors only. */
export function decodeBatWithId(s: string): BatWithId {
  if (s.length > MAX_ENCODED_BAT_WITH_ID) throw new InvalidBatError(`Encoded BatWithId longer than ${MAX_ENCODED_BAT_WITH_ID} characters`)
  return batWithIdFromCbor(decodeCbor(multibase58Decode(s)))
}
