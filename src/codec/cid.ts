// CIDs and multihashes as Peergos uses them (reference §0.3): CIDv1 with sha2-256 (raw 0x55 for
// fragments, dag-cbor 0x71 for structure) or identity (public keys), base58btc strings ('z...'),
// plus CIDv0 / libp2p-key ids for servers. Built on multiformats' CID, with typed errors.
import { decodeBase58, encodeBase58 } from './base58.ts'
import { CID } from 'multiformats/cid'
import { base58btc } from 'multiformats/bases/base58'
import * as Digest from 'multiformats/hashes/digest'
import type { CryptoProvider } from '../crypto/provider.ts'
import { BlockHashMismatchError, InvalidCidError } from './errors.ts'

export { CID }

export const CODEC_RAW = 0x55
export const CODEC_DAG_PROTOBUF = 0x70
export const CODEC_DAG_CBOR = 0x71
export const CODEC_LIBP2P_KEY = 0x72
export const HASH_IDENTITY = 0x00
export const HASH_SHA2_256 = 0x12

/** Peergos' legacy limit on identity multihashes (`Cid`), enforced on untrusted input. */
export const MAX_IDENTITY_HASH_SIZE_LEGACY = 4112

/**
 * A CIDv1 over its binary form `b` (01 ‖ codec ‖ hash code ‖ size ‖ digest, every varint one byte):
 * the object multiformats' decoder builds, without its varint and copy steps (blocks and BAT ids are
 * hashed and named by the ten thousand in a listing).
 */
function plainCid(b: Uint8Array): CID {
  return new CID(1, b[1], new Digest.Digest(b[2], b[3], b.subarray(4), b.subarray(2)), b) as CID
}

/** `b` is a CIDv1 whose codec, hash code and size are single-byte varints and whose digest fills the rest. */
function isPlainCidBytes(b: Uint8Array): boolean {
  return b.length >= 4 && b[0] === 1 && b[1] < 0x80 && b[2] < 0x80 && b[3] < 0x80 && b.length === 4 + b[3]
}

/** CIDv1 sha2-256 of a block: raw codec for fragments, dag-cbor for everything structured. */
export function blockCid(c: CryptoProvider, bytes: Uint8Array, raw: boolean): CID {
  const b = sha256CidHead(raw ? CODEC_RAW : CODEC_DAG_CBOR)
  c.sha256Into(bytes, b, 4) // the digest straight into the CID's bytes: no buffer of its own
  return plainCid(b)
}

/** A CIDv1 sha2-256's 36 bytes with its 4-byte head written and the digest still to fill. */
function sha256CidHead(codec: number): Uint8Array {
  const b = new Uint8Array(36)
  b[0] = 1
  b[1] = codec
  b[2] = HASH_SHA2_256
  b[3] = 32
  return b
}

/** The CIDv1 (raw or dag-cbor) of a sha2-256 digest already computed. */
export function sha256Cid(codec: typeof CODEC_RAW | typeof CODEC_DAG_CBOR, digest: Uint8Array): CID {
  if (digest.length !== 32) throw new InvalidCidError(`sha2-256 multihash must be 32 bytes, got ${digest.length}`)
  const b = sha256CidHead(codec)
  b.set(digest, 4)
  return plainCid(b)
}

/** CIDv1 with an identity multihash: the content is the digest itself. */
export function identityCid(codec: number, content: Uint8Array): CID {
  return CID.createV1(codec, Digest.create(HASH_IDENTITY, content))
}

export function isIdentity(cid: CID): boolean {
  return cid.multihash.code === HASH_IDENTITY
}

export function isRawCid(cid: CID): boolean {
  return cid.code === CODEC_RAW
}

/** Parses the binary form of a CID; throws InvalidCidError. */
export function cidFromBytes(bytes: Uint8Array): CID {
  let cid: CID
  if (isPlainCidBytes(bytes)) {
    cid = plainCid(bytes)
    checkHash(cid)
    return cid
  }
  try {
    const [decoded, rest] = CID.decodeFirst(bytes)
    if (rest.length !== 0) throw new Error(`${rest.length} trailing bytes`)
    // multiformats reads `00 <codec> <multihash>` as a CIDv0 and drops the codec: reject what does not round-trip.
    if (decoded.bytes.length !== bytes.length) throw new Error('non-canonical CID encoding')
    cid = decoded as CID
  } catch (e) {
    throw new InvalidCidError(`Invalid CID bytes: ${(e as Error).message}`)
  }
  checkHash(cid)
  return cid
}

function checkHash(cid: CID): void {
  const code = cid.multihash.code
  if (code === HASH_IDENTITY) {
    if (cid.multihash.size > MAX_IDENTITY_HASH_SIZE_LEGACY) throw new InvalidCidError(`Identity multihash of ${cid.multihash.size} bytes is too large`)
  } else if (code === HASH_SHA2_256) {
    if (cid.multihash.size !== 32) throw new InvalidCidError(`sha2-256 multihash must be 32 bytes, got ${cid.multihash.size}`)
  }
}

/** Peergos' string form: base58btc with multibase prefix 'z' for CIDv1, plain base58 for CIDv0. */
export function cidToString(cid: CID): string {
  return cid.version === 0 ? cid.toString() : cid.toString(base58btc)
}

/**
 * CIDs parsed lately, by their string (a server parses the same owner and CHAMP root on every call of
 * a listing; base58 decoding is quadratic). CID objects are immutable, so one may be handed out twice,
 * and the string it prints is then cached with it.
 */
const recentlyParsed = new Map<string, CID>()
const RECENTLY_PARSED_MAX = 1024
const MEMO_MAX_LENGTH = 128

/** Parses 'z…' (CIDv1, base58btc) or 'Qm…' (CIDv0); throws InvalidCidError. */
export function parseCid(s: string): CID {
  if (typeof s !== 'string' || s.length === 0 || s.length > 8000) throw new InvalidCidError('Invalid CID string')
  const seen = recentlyParsed.get(s)
  if (seen !== undefined) return seen
  const cid = parseCidString(s)
  if (s.length <= MEMO_MAX_LENGTH) {
    if (recentlyParsed.size >= RECENTLY_PARSED_MAX) recentlyParsed.clear()
    recentlyParsed.set(s, cid)
  }
  return cid
}

function parseCidString(s: string): CID {
  let cid: CID
  try {
    if (s.startsWith('z')) cid = CID.decode(base58btc.decode(s)) as CID
    else if (s.startsWith('Qm') && s.length === 46) cid = CID.parse(s) as CID
    else throw new Error('unsupported multibase prefix')
  } catch (e) {
    throw new InvalidCidError(`Invalid CID string '${s.slice(0, 80)}': ${(e as Error).message}`)
  }
  checkHash(cid)
  return cid
}

/** Base58 (bitcoin alphabet) of raw bytes, without a multibase prefix. */
export function base58Encode(bytes: Uint8Array): string {
  return encodeBase58(bytes)
}

export function base58Decode(s: string): Uint8Array {
  try {
    return decodeBase58(s)
  } catch (e) {
    throw new InvalidCidError(`Invalid base58: ${(e as Error).message}`)
  }
}

/** Multibase base58btc ('z' prefix) of raw bytes. */
export function multibase58Encode(bytes: Uint8Array): string {
  return 'z' + encodeBase58(bytes)
}

export function multibase58Decode(s: string): Uint8Array {
  if (!s.startsWith('z')) throw new InvalidCidError('Expected multibase base58btc (z prefix)')
  return base58Decode(s.slice(1))
}

/** Re-hashes a block and checks it against its CID (the client trusts no server). */
export function verifyBlock(c: CryptoProvider, cid: CID, bytes: Uint8Array): void {
  const code = cid.multihash.code
  let ok: boolean
  if (code === HASH_SHA2_256) ok = equalBytes(c.sha256(bytes), cid.multihash.digest)
  else if (code === HASH_IDENTITY) ok = equalBytes(bytes, cid.multihash.digest)
  else throw new BlockHashMismatchError(`Unsupported multihash 0x${code.toString(16)} for ${cidToString(cid)}`)
  if (!ok) throw new BlockHashMismatchError(`Block does not hash to ${cidToString(cid)}`)
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
