// PaddedAsymmetricCipherText (reference §6.1; Peergos PaddedAsymmetricCipherText, AsymmetricCipherText):
// a CBOR byte string holding encryptMessageFor(serialize(obj) zero-padded to a multiple of the block
// size), boxed from a sender's secret key to a recipient's public boxing key.
import { encodeCbor, type CborValue, type DecodeLimits } from '../codec/cbor.ts'
import { asBytes } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { decryptMessage, encryptMessageFor, type PublicBoxingKey, type SecretBoxingKey } from './boxing-key-pair.ts'
import { decodePadded, paddedLength } from './cipher-text.ts'

export type PaddedAsymmetricCipherText = Uint8Array

export function paddedAsymmetricCipherTextToCbor(ct: PaddedAsymmetricCipherText): CborValue {
  return ct
}

export function paddedAsymmetricCipherTextFromCbor(v: CborValue, what = 'PaddedAsymmetricCipherText'): PaddedAsymmetricCipherText {
  return asBytes(v, what)
}

/** PaddedAsymmetricCipherText.build: pad the CBOR to `blockSize` multiples, then box it from `from` to `to`. */
export function sealPaddedAsymmetric(c: CryptoProvider, from: SecretBoxingKey, to: PublicBoxingKey, obj: CborValue, blockSize: number): PaddedAsymmetricCipherText {
  const plain = encodeCbor(obj)
  const padded = new Uint8Array(paddedLength(plain.length, blockSize))
  padded.set(plain)
  return encryptMessageFor(c, to, padded, from)
}

/** Opens with the recipient's secret key and the sender's public key; the padding must be zeros. */
export function openPaddedAsymmetric(c: CryptoProvider, to: SecretBoxingKey, from: PublicBoxingKey, ct: PaddedAsymmetricCipherText, limits?: DecodeLimits): CborValue {
  return decodePadded(decryptMessage(c, to, ct, from), limits)
}
