// FileUploadTransaction (Peergos shared/user/fs/transaction): the record of an upload in progress,
// kept as an ordinary encrypted file in the user's /.transactions folder, named by the raw sha256
// CID of the target path. CBOR {type: "FILE_UPLOAD", path, startTimeEpochMs, owner, writer,
// baseKey, dataKey, writeKey, props, firstBat?, mapKey, streamSecret, size, hash?}: enough to find
// the chunks already stored and to continue (or clean up) after a crash.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { blockCid, cidToString } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { batFromCbor, batToCbor, type Bat } from './bat.ts'
import { utf8 } from './bytes.ts'
import { InvalidObjectError } from './errors.ts'
import { filePropertiesFromCbor, filePropertiesToCbor, type FileProperties } from './file-properties.ts'
import { publicKeyHashFromCbor, signingPrivateKeyAndPublicHashFromCbor, signingPrivateKeyAndPublicHashToCbor, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from './signing-keys.ts'
import { symmetricKeyFromCbor, symmetricKeyToCbor, type SymmetricKey } from './symmetric-key.ts'

export const FILE_UPLOAD_TRANSACTION_TYPE = 'FILE_UPLOAD'
/** Records larger than this are not upload transactions (they are a few hundred bytes). */
export const MAX_TRANSACTION_BYTES = 64 * 1024

export interface FileUploadTransaction {
  readonly path: string
  readonly startTimeEpochMs: number
  readonly owner: PublicKeyHash
  readonly writer: SigningPrivateKeyAndPublicHash
  readonly baseKey: SymmetricKey
  readonly dataKey: SymmetricKey
  readonly writeKey: SymmetricKey
  readonly props: FileProperties
  readonly firstBat?: Bat
  readonly mapKey: Uint8Array
  readonly streamSecret: Uint8Array
  readonly size: number
}

/** Transaction.buildFileUploadTransaction's file name: the raw sha256 CID of the path, as a string. */
export function transactionName(c: CryptoProvider, path: string): string {
  return cidToString(blockCid(c, utf8(path), true))
}

export function fileUploadTransactionToCbor(t: FileUploadTransaction): CborValue {
  return cborMap({
    type: FILE_UPLOAD_TRANSACTION_TYPE,
    path: t.path,
    startTimeEpochMs: t.startTimeEpochMs,
    owner: t.owner,
    writer: signingPrivateKeyAndPublicHashToCbor(t.writer),
    baseKey: symmetricKeyToCbor(t.baseKey),
    dataKey: symmetricKeyToCbor(t.dataKey),
    writeKey: symmetricKeyToCbor(t.writeKey),
    props: filePropertiesToCbor(t.props),
    firstBat: t.firstBat === undefined ? undefined : batToCbor(t.firstBat),
    mapKey: t.mapKey,
    streamSecret: t.streamSecret,
    size: t.size,
  })
}

export function fileUploadTransactionFromCbor(v: CborValue): FileUploadTransaction {
  const f = Fields.of(v, 'FileUploadTransaction')
  const type = f.string('type')
  if (type !== FILE_UPLOAD_TRANSACTION_TYPE) throw new InvalidObjectError(`Cannot parse transaction: wrong type ${type.slice(0, 40)}`)
  if (!f.has('props')) throw new InvalidObjectError('A legacy upload transaction cannot be continued')
  const firstBat = f.raw('firstBat')
  const size = f.long('size')
  const start = f.long('startTimeEpochMs')
  if (size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) throw new InvalidObjectError(`Invalid upload size ${size}`)
  return {
    path: f.string('path'),
    startTimeEpochMs: Number(start),
    owner: publicKeyHashFromCbor(f.req('owner'), 'FileUploadTransaction.owner'),
    writer: signingPrivateKeyAndPublicHashFromCbor(f.req('writer')),
    baseKey: symmetricKeyFromCbor(f.req('baseKey')),
    dataKey: symmetricKeyFromCbor(f.req('dataKey')),
    writeKey: symmetricKeyFromCbor(f.req('writeKey')),
    props: filePropertiesFromCbor(f.req('props')),
    firstBat: firstBat === undefined ? undefined : batFromCbor(firstBat),
    mapKey: f.bytes('mapKey', 32),
    streamSecret: f.bytes('streamSecret', 32),
    size: Number(size),
  }
}

export function encodeFileUploadTransaction(t: FileUploadTransaction): Uint8Array {
  return encodeCbor(fileUploadTransactionToCbor(t))
}

/** Decodes a transaction record read from /.transactions (untrusted: written by any of the user's clients). */
export function decodeFileUploadTransaction(bytes: Uint8Array): FileUploadTransaction {
  if (bytes.length > MAX_TRANSACTION_BYTES) throw new InvalidObjectError(`Transaction record of ${bytes.length} bytes is too large`)
  return fileUploadTransactionFromCbor(decodeCbor(bytes))
}
