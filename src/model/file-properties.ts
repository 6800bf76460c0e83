// FileProperties (reference §2.3, §2.4, §2.6): the CBOR map {n, d, l, m, s, t, tn, c, cn, h, th?,
// i?, im?, p?} of a file's or directory's metadata, the HashBranch `th`, FileProperties.EMPTY of
// continuation directory chunks, and calculateNextMapKey (the next chunk's label and BAT).
import type { CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { Bat } from './bat.ts'
import { concatBytes } from './bytes.ts'
import { InvalidObjectError } from './errors.ts'
import { checkPeergosFileName } from './file-name.ts'

/** Epoch seconds of Java's LocalDateTime.MIN (-999999999-01-01T00:00) and MAX (+999999999-12-31T23:59:59). */
export const MIN_EPOCH_SECONDS = -31557014135596800n
export const MAX_EPOCH_SECONDS = 31556889832780799n

/** LocalDateTime.ofEpochSecond's range check. */
export function checkEpochSeconds(seconds: bigint, what: string): bigint {
  if (seconds < MIN_EPOCH_SECONDS || seconds > MAX_EPOCH_SECONDS) throw new InvalidObjectError(`${what}: ${seconds} is outside Java's LocalDateTime range`)
  return seconds
}

/** A Java LocalDateTime in UTC: epoch seconds (bigint: LocalDateTime.MIN is beyond 2^53) and nanoseconds. */
export interface Timestamp {
  readonly seconds: bigint
  readonly nanos: number
}

export const TIMESTAMP_MIN: Timestamp = { seconds: MIN_EPOCH_SECONDS, nanos: 0 }

export function timestampFromMillis(ms: number): Timestamp {
  const seconds = Math.floor(ms / 1000)
  return { seconds: BigInt(seconds), nanos: Math.round((ms - seconds * 1000) * 1e6) }
}

export function timestampToMillis(t: Timestamp): number {
  return Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6)
}

export const THUMBNAIL_MAX_BYTES = 100 * 1024
export const CHUNK_HASH_LIST_MAX_BYTES = 32 * 1024
export const STREAM_SECRET_BYTES = 32

export interface Thumbnail {
  readonly mimeType: string
  readonly data: Uint8Array
}

/** HashBranch: root sha256 plus the chunk-hash lists present on the first chunk of each 1024 / 1024² / 1024³ chunks. */
export interface HashBranch {
  readonly rootHash: Uint8Array
  readonly level1?: Uint8Array
  readonly level2?: Uint8Array
  readonly level3?: Uint8Array
}

export interface FileProperties {
  readonly name: string
  readonly isDirectory: boolean
  readonly isLink: boolean
  readonly mimeType: string
  /** Total file size in bytes (0 for directories). */
  readonly size: number
  readonly modified: Timestamp
  readonly created: Timestamp
  readonly isHidden: boolean
  readonly thumbnail?: Thumbnail
  /** 32 random bytes deriving later chunks' labels and BATs; files only. */
  readonly streamSecret?: Uint8Array
  readonly treeHash?: HashBranch
}

function checkTimestamp(t: Timestamp, what: string): void {
  if (t.seconds < MIN_EPOCH_SECONDS || t.seconds > MAX_EPOCH_SECONDS) checkEpochSeconds(t.seconds, `FileProperties.${what}`)
  if (!Number.isInteger(t.nanos) || t.nanos < 0 || t.nanos > 999_999_999) throw new InvalidObjectError(`FileProperties.${what}: invalid nanos ${t.nanos}`)
}

/** Checks the invariants Peergos' constructor enforces; returns the properties. */
export function checkFileProperties(p: FileProperties): FileProperties {
  checkPeergosFileName(p.name)
  if (p.isDirectory && p.streamSecret !== undefined) throw new InvalidObjectError('Directories cannot have stream secrets')
  if (!Number.isSafeInteger(p.size) || p.size < 0) throw new InvalidObjectError(`Invalid file size ${p.size}`)
  checkTimestamp(p.modified, 'modified')
  checkTimestamp(p.created, 'created')
  if (p.thumbnail !== undefined && p.thumbnail.data.length > THUMBNAIL_MAX_BYTES) throw new InvalidObjectError('Image thumbnails must be < 100 KiB')
  if (p.streamSecret !== undefined && p.streamSecret.length !== STREAM_SECRET_BYTES) throw new InvalidObjectError(`Stream secret must be ${STREAM_SECRET_BYTES} bytes`)
  const tree = p.treeHash
  if (tree !== undefined) {
    if (tree.rootHash.length !== 32) throw new InvalidObjectError(`HashBranch root must be 32 bytes, got ${tree.rootHash.length}`)
    if ((tree.level2 !== undefined && tree.level1 === undefined) || (tree.level3 !== undefined && tree.level2 === undefined)) throw new InvalidObjectError('Invalid chunk hash tree state')
    if ((tree.level1?.length ?? 0) > CHUNK_HASH_LIST_MAX_BYTES || (tree.level2?.length ?? 0) > CHUNK_HASH_LIST_MAX_BYTES || (tree.level3?.length ?? 0) > CHUNK_HASH_LIST_MAX_BYTES) throw new InvalidObjectError('Chunk hash list too large')
  }
  return p
}

/** FileProperties.EMPTY: the properties of a directory's continuation chunks. */
export const EMPTY_FILE_PROPERTIES: FileProperties = {
  name: '.subsequent-dir-chunk', isDirectory: true, isLink: false, mimeType: '', size: 0,
  modified: TIMESTAMP_MIN, created: TIMESTAMP_MIN, isHidden: false,
}

function hashList(h: Uint8Array | undefined): CborValue | undefined {
  return h === undefined ? undefined : cborMap({ h })
}

export function hashBranchToCbor(b: HashBranch): CborValue {
  return cborMap({ r: cborMap({ h: b.rootHash }), l1: hashList(b.level1), l2: hashList(b.level2), l3: hashList(b.level3) })
}

function hashLevel(f: Fields, k: string): Uint8Array | undefined {
  return f.has(k) ? f.fields(k).bytes('h') : undefined
}

export function hashBranchFromCbor(v: CborValue): HashBranch {
  const f = Fields.of(v, 'HashBranch')
  return { rootHash: f.fields('r').bytes('h', 32), level1: hashLevel(f, 'l1'), level2: hashLevel(f, 'l2'), level3: hashLevel(f, 'l3') }
}

export function filePropertiesToCbor(p: FileProperties): CborValue {
  checkFileProperties(p)
  return cborMap({
    d: p.isDirectory,
    l: p.isLink,
    n: p.name,
    m: p.mimeType,
    s: p.size,
    t: p.modified.seconds,
    tn: p.modified.nanos,
    c: p.created.seconds,
    cn: p.created.nanos,
    h: p.isHidden,
    th: p.treeHash === undefined ? undefined : hashBranchToCbor(p.treeHash),
    i: p.thumbnail?.data,
    im: p.thumbnail?.mimeType,
    p: p.streamSecret,
  })
}

/** FileProperties.fromCbor, with Peergos' defaults: absent d/l/h are false, c defaults to t, tn/cn to 0, im to image/png. */
export function filePropertiesFromCbor(v: CborValue): FileProperties {
  const f = Fields.of(v, 'FileProperties')
  const modifiedSeconds = f.long('t')
  const thumbnail = f.optBytes('i')
  const tree = f.raw('th')
  return checkFileProperties({
    name: f.string('n'),
    isDirectory: f.optBool('d') ?? false,
    isLink: f.optBool('l') ?? false,
    mimeType: f.string('m'),
    size: f.int('s'),
    modified: { seconds: modifiedSeconds, nanos: f.optInt('tn') ?? 0 },
    created: { seconds: f.optLong('c') ?? modifiedSeconds, nanos: f.optInt('cn') ?? 0 },
    isHidden: f.optBool('h') ?? false,
    thumbnail: thumbnail === undefined ? undefined : { mimeType: f.optString('im') ?? 'image/png', data: thumbnail },
    streamSecret: f.optBytes('p'),
    treeHash: tree === undefined ? undefined : hashBranchFromCbor(tree),
  })
}

/** FileProperties.calculateNextMapKey: next label = sha256(streamSecret ‖ label), next BAT = sha256(streamSecret ‖ bat secret). */
export function calculateNextMapKey(c: CryptoProvider, streamSecret: Uint8Array, mapKey: Uint8Array, bat?: Bat): { mapKey: Uint8Array; bat?: Bat } {
  return {
    mapKey: c.sha256(concatBytes(streamSecret, mapKey)),
    bat: bat === undefined ? undefined : { secret: c.sha256(concatBytes(streamSecret, bat.secret)) },
  }
}
