// Encrypted login data (reference §5.2; Peergos UserStaticData, UserStaticData.EntryPoints): a
// PaddedCipherText (4096-byte blocks) under the login root key of EntryPoints
// {v: 2, e: [EntryPoint...], i?: identity SigningKeyPair, b?: boxer BoxingKeyPair}.
import type { CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { boxingKeyPairFromCbor, boxingKeyPairToCbor, type BoxingKeyPair } from './boxing-key-pair.ts'
import { cipherTextFromCbor, cipherTextToCbor, openPaddedCbor, sealPaddedCbor, type CipherText } from './cipher-text.ts'
import { entryPointFromCbor, entryPointToCbor, type EntryPoint } from './entry-point.ts'
import { IncorrectPasswordError } from './errors.ts'
import { signingKeyPairFromCbor, signingKeyPairToCbor, type SigningKeyPair } from './signing-keys.ts'
import type { SymmetricKey } from './symmetric-key.ts'

export const ENTRY_POINTS_VERSION = 2
export const USER_STATIC_DATA_PADDING = 4096

export interface EntryPoints {
  readonly version: number
  readonly entries: readonly EntryPoint[]
  /** Absent only on legacy accounts (whose identity is the login key). */
  readonly identity?: SigningKeyPair
  /** Absent only on legacy accounts (whose boxer comes from the 96-byte scrypt output). */
  readonly boxer?: BoxingKeyPair
}

/** The server-stored, encrypted form: a PaddedCipherText ([nonce, ciphertext]). */
export type UserStaticData = CipherText

export function entryPointsToCbor(e: EntryPoints): CborValue {
  return cborMap({
    b: e.boxer === undefined ? undefined : boxingKeyPairToCbor(e.boxer),
    e: e.entries.map(entryPointToCbor),
    i: e.identity === undefined ? undefined : signingKeyPairToCbor(e.identity),
    v: e.version,
  })
}

export function entryPointsFromCbor(v: CborValue): EntryPoints {
  const f = Fields.of(v, 'EntryPoints')
  const version = f.int('v')
  if (version > ENTRY_POINTS_VERSION || version < 0) throw new CborTypeError(`Unknown UserStaticData version: ${version}`)
  const boxer = f.raw('b')
  const identity = f.raw('i')
  return {
    version,
    entries: asList(f.req('e'), 'EntryPoints.e').map(entryPointFromCbor),
    ...(identity === undefined ? {} : { identity: signingKeyPairFromCbor(identity) }),
    ...(boxer === undefined ? {} : { boxer: boxingKeyPairFromCbor(boxer) }),
  }
}

export function userStaticDataToCbor(d: UserStaticData): CborValue {
  return cipherTextToCbor(d)
}

export function userStaticDataFromCbor(v: CborValue): UserStaticData {
  return cipherTextFromCbor(v, 'UserStaticData')
}

/** new UserStaticData(entryPoints, rootKey): pads the CBOR to 4096-byte blocks and seals it. */
export function encryptEntryPoints(c: CryptoProvider, rootKey: SymmetricKey, entryPoints: EntryPoints, nonce?: Uint8Array): UserStaticData {
  return sealPaddedCbor(c, rootKey, entryPointsToCbor(entryPoints), USER_STATIC_DATA_PADDING, nonce)
}

/** UserStaticData.getData: a wrong root key (wrong password) gives IncorrectPasswordError. */
export function decryptEntryPoints(c: CryptoProvider, rootKey: SymmetricKey, data: UserStaticData): EntryPoints {
  let plain: CborValue
  try {
    plain = openPaddedCbor(c, rootKey, data, { maxDepth: 16 })
  } catch (e) {
    if (e instanceof DecryptionFailedError) throw new IncorrectPasswordError('Incorrect username or password', { cause: e })
    throw e
  }
  return entryPointsFromCbor(plain)
}
