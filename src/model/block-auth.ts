// BlockAuth (reference §7.6, Peergos Bat.generateAuth / BlockAuth / S3Request and the server's
// BlockRequestAuthoriser): an AWS S3 V4 signature (header style, GET, UNSIGNED-PAYLOAD) of
// `api/v0/block/get?arg=<cid>` for host = requesting node id, keyed by the BAT's text form.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { base58Encode, CODEC_DAG_CBOR, CODEC_RAW, cidFromBytes, type CID } from '../codec/cid.ts'
import { constantTimeEqual } from '../crypto/peergos.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { batToString, type Bat } from './bat.ts'
import { checkBatId, inlineBatOf, isInlineBatId, type BatId } from './bat-id.ts'
import { bytesToHex, hexToBytes, utf8 } from './bytes.ts'
import { InvalidObjectError } from './errors.ts'

export const BLOCK_AUTH_REGION = 'eu-central-1'
/** Expiry that Peergos clients put in their BlockAuths. */
export const DEFAULT_BLOCK_AUTH_EXPIRY_SECONDS = 300
const ALGORITHM = 'AWS4-HMAC-SHA256'
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD'
const SIGNATURE_BYTES = 32
const MAX_ENCODED_LENGTH = 512

export interface BlockAuth {
  /** HMAC-SHA256 S3 V4 signature. */
  readonly signature: Uint8Array
  readonly expirySeconds: number
  /** S3 datetime `YYYYMMDDTHHMMSSZ` (UTC). */
  readonly awsDatetime: string
  /** Hashed id of the BAT used (never inline); tells the server which stored BAT to try. */
  readonly batId: BatId
}

/** A BlockAuth whose fields break Peergos' rules (bad datetime, inline BatId, wrong signature size...). */
export class InvalidBlockAuthError extends InvalidObjectError {}

/** S3 datetime of a Date: `YYYYMMDDTHHMMSSZ` (S3Request.currentDatetime). */
export function awsDatetime(d: Date): string {
  return d.toISOString().slice(0, 19).replace(/[-:]/g, '') + 'Z'
}

interface DateParts { year: number; month: number; day: number; hour: number; minute: number; second: number }

function checkParts(p: DateParts): DateParts {
  const days = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate()
  if (p.year < 2000 || p.year > 2063 || p.month < 1 || p.month > 12 || p.day < 1 || p.day > days || p.hour > 23 || p.minute > 59 || p.second > 59) {
    throw new InvalidBlockAuthError(`Invalid BlockAuth datetime ${JSON.stringify(p)}`)
  }
  return p
}

function parseDatetime(s: string): DateParts {
  if (!/^\d{8}T\d{6}Z$/.test(s)) throw new InvalidBlockAuthError(`Invalid S3 datetime '${s.slice(0, 20)}'`)
  const n = (a: number, b: number): number => Number(s.slice(a, b))
  return checkParts({ year: n(0, 4), month: n(4, 6), day: n(6, 8), hour: n(9, 11), minute: n(11, 13), second: n(13, 15) })
}

/** BlockAuth.timeToPackedLong: sec | min<<6 | hour<<12 | day<<17 | month<<22 | (year-2000)<<26, in Java int arithmetic (negative from 2032 on). */
export function packDatetime(s: string): number {
  const p = parseDatetime(s)
  return p.second | (p.minute << 6) | (p.hour << 12) | (p.day << 17) | (p.month << 22) | ((p.year - 2000) << 26)
}

/** Inverse of packDatetime; reads the 32 bits unsigned, so 2032-2063 round-trip (Peergos itself mis-decodes them as 1968-1999). */
export function unpackDatetime(packed: number): string {
  if (!Number.isInteger(packed) || packed < -(2 ** 31) || packed >= 2 ** 31) throw new InvalidBlockAuthError(`Packed datetime ${packed} is not a 32-bit value`)
  const u = packed >>> 0
  const p = checkParts({ year: (u >>> 26) + 2000, month: (u >>> 22) & 0xf, day: (u >>> 17) & 0x1f, hour: (u >>> 12) & 0x1f, minute: (u >>> 6) & 0x3f, second: u & 0x3f })
  const two = (x: number): string => (x < 10 ? '0' : '') + x
  return `${p.year}${two(p.month)}${two(p.day)}T${two(p.hour)}${two(p.minute)}${two(p.second)}Z`
}

function datetimeMillis(s: string): number {
  const p = parseDatetime(s)
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
}

/** The S3 V4 signature Peergos computes for a block read (header auth: only host, path and date are signed). */
export function blockAuthSignature(c: CryptoProvider, bat: Bat, block: CID, sourceNode: CID, datetime: string): Uint8Array {
  parseDatetime(datetime)
  const host = base58Encode(sourceNode.multihash.bytes)
  const shortDate = datetime.slice(0, 8)
  const canonicalRequest = [
    'GET', `/api/v0/block/get?arg=${base58Encode(block.bytes)}`, '',
    `host:${host}`, `x-amz-content-sha256:${UNSIGNED_PAYLOAD}`, `x-amz-date:${datetime}`, '',
    'host;x-amz-content-sha256;x-amz-date', UNSIGNED_PAYLOAD,
  ].join('\n')
  const scope = `${shortDate}/${BLOCK_AUTH_REGION}/s3/aws4_request`
  const stringToSign = [ALGORITHM, datetime, scope, bytesToHex(c.sha256(utf8(canonicalRequest)))].join('\n')
  let key = c.hmacSha256(utf8('AWS4' + batToString(bat)), utf8(shortDate))
  for (const part of [BLOCK_AUTH_REGION, 's3', 'aws4_request']) key = c.hmacSha256(key, utf8(part))
  return c.hmacSha256(key, utf8(stringToSign))
}

/** Bat.generateAuth: a BlockAuth for reading `block` from the node `sourceNode`, naming the hashed `batId`. */
export function generateBlockAuth(c: CryptoProvider, bat: Bat, block: CID, sourceNode: CID, expirySeconds: number, datetime: string, batId: BatId): BlockAuth {
  checkBatId(batId)
  if (isInlineBatId(batId)) throw new InvalidBlockAuthError('Cannot use an inline (identity) BatId in a BlockAuth')
  if (!Number.isInteger(expirySeconds) || expirySeconds < 0 || expirySeconds >= 2 ** 31) throw new InvalidBlockAuthError(`Invalid expiry ${expirySeconds}`)
  return { signature: blockAuthSignature(c, bat, block, sourceNode, datetime), expirySeconds, awsDatetime: datetime, batId }
}

export function blockAuthToCbor(a: BlockAuth): CborValue {
  return cborMap({ b: a.batId.bytes, e: a.expirySeconds, s: a.signature, t: packDatetime(a.awsDatetime) })
}

export function blockAuthFromCbor(v: CborValue): BlockAuth {
  const f = Fields.of(v, 'BlockAuth')
  const batId = checkBatId(cidFromBytes(f.bytes('b')), 'BlockAuth.b')
  if (isInlineBatId(batId)) throw new InvalidBlockAuthError('BlockAuth: inline BatId')
  const expirySeconds = f.int('e')
  if (expirySeconds < 0 || expirySeconds >= 2 ** 31) throw new InvalidBlockAuthError(`BlockAuth: invalid expiry ${expirySeconds}`)
  return { signature: f.bytes('s', SIGNATURE_BYTES), expirySeconds, awsDatetime: unpackDatetime(f.int('t')), batId }
}

/** BlockAuth.encode: hex of the CBOR (the `auth=` query parameter). */
export function encodeBlockAuth(a: BlockAuth): string {
  return bytesToHex(encodeCbor(blockAuthToCbor(a)))
}

/** BlockAuth.fromString; throws PeergosErrors only. */
export function decodeBlockAuth(s: string): BlockAuth {
  if (s.length === 0) throw new InvalidBlockAuthError('Empty block auth string')
  if (s.length > MAX_ENCODED_LENGTH) throw new InvalidBlockAuthError('Block auth string is too long')
  return blockAuthFromCbor(decodeCbor(hexToBytes(s)))
}

/** Whole milliseconds since the epoch after which the auth is expired (datetime + expiry). */
export function blockAuthExpiry(a: BlockAuth): number {
  return datetimeMillis(a.awsDatetime) + a.expirySeconds * 1000
}

/** BlockRequestAuthoriser.isValidAuth: not expired at `now`, and the signature matches (constant-time compare). */
export function isValidBlockAuth(c: CryptoProvider, auth: BlockAuth, block: CID, sourceNode: CID, bat: Bat, now: Date = new Date()): boolean {
  if (blockAuthExpiry(auth) < now.getTime()) return false
  return constantTimeEqual(blockAuthSignature(c, bat, block, sourceNode, auth.awsDatetime), auth.signature)
}

export interface BlockReadRequest {
  readonly block: CID
  /** The block's BatIds (see blockBatIds). */
  readonly batIds: readonly BatId[]
  readonly sourceNode: CID
  readonly auth?: BlockAuth
  /** The server's BatCave: the stored BAT with this (hashed) id, if any. */
  readonly lookupBat: (id: BatId) => Bat | undefined | Promise<Bat | undefined>
  /** A server-wide BAT that may read every block (mirroring). */
  readonly instanceBat?: Bat
  readonly now?: Date
}

/** BlockRequestAuthoriser.allowRead: public blocks pass; otherwise an inline BAT, the stored BAT named by the auth, or the instance BAT must validate it. */
export async function allowBlockRead(c: CryptoProvider, r: BlockReadRequest): Promise<boolean> {
  if (r.batIds.length === 0) return true
  if (r.auth === undefined) return false
  if (r.block.code !== CODEC_RAW && r.block.code !== CODEC_DAG_CBOR) return false
  const now = r.now ?? new Date()
  for (const id of r.batIds) {
    const b = inlineBatOf(id) ?? (id.equals(r.auth.batId) ? await r.lookupBat(id) : undefined)
    if (b !== undefined && isValidBlockAuth(c, r.auth, r.block, r.sourceNode, b, now)) return true
  }
  return r.instanceBat !== undefined && isValidBlockAuth(c, r.auth, r.block, r.sourceNode, r.instanceBat, now)
}

