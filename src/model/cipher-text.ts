// CipherText and PaddedCipherText (reference §0.4): CBOR [nonce24, secretbox(serialize(obj))];
// the padded form zero-pads the serialized object to a multiple of a block size before sealing,
// and on opening requires the padding to be zeros.
import { decodeCbor, decodeCborPrefix, encodeCbor, type CborValue, type DecodeLimits } from '../codec/cbor.ts'
import { asBytes, asList } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { InvalidPaddingError } from './errors.ts'
import { createNonce, NONCE_BYTES, symmetricDecrypt, symmetricEncrypt, type SymmetricKey } from './symmetric-key.ts'

export interface CipherText {
  readonly nonce: Uint8Array
  readonly cipherText: Uint8Array
}

export function cipherTextToCbor(ct: CipherText): CborValue {
  return [ct.nonce, ct.cipherText]
}

export function cipherTextFromCbor(v: CborValue, what = 'CipherText'): CipherText {
  const l = asList(v, what)
  if (l.length !== 2) throw new CborTypeError(`${what}: expected 2 elements, got ${l.length}`)
  return { nonce: asBytes(l[0], `${what}.nonce`, NONCE_BYTES), cipherText: asBytes(l[1], `${what}.cipherText`) }
}

/** CipherText.build: seals the CBOR serialization of `obj`. */
export function sealCbor(c: CryptoProvider, key: SymmetricKey, obj: CborValue, nonce: Uint8Array = createNonce(c)): CipherText {
  return { nonce, cipherText: symmetricEncrypt(c, key, encodeCbor(obj), nonce) }
}

/**
 * Opens a CipherText and decodes its CBOR payload strictly. Its byte strings are views of the
 * plaintext just opened, which nothing else holds or writes (a copy each cost more than the opening).
 */
export function openCbor(c: CryptoProvider, key: SymmetricKey, ct: CipherText, limits?: DecodeLimits): CborValue {
  return decodeCbor(symmetricDecrypt(c, key, ct.cipherText, ct.nonce), { viewBytes: true, ...limits })
}

/** Length of `n` bytes zero-padded to a whole number of blocks (at least one block). */
export function paddedLength(n: number, blockSize: number): number {
  return Math.max(1, Math.ceil(n / blockSize)) * blockSize
}

/** PaddedCipherText.build: serialize, zero-pad to a multiple of blockSize, seal. */
export function sealPaddedCbor(c: CryptoProvider, key: SymmetricKey, obj: CborValue, blockSize: number, nonce: Uint8Array = createNonce(c)): CipherText {
  const plain = encodeCbor(obj)
  const padded = new Uint8Array(paddedLength(plain.length, blockSize))
  padded.set(plain)
  return { nonce, cipherText: symmetricEncrypt(c, key, padded, nonce) }
}

/** Opens a PaddedCipherText: decodes the leading CBOR value and requires zero padding after it (byte strings as views, as openCbor). */
export function openPaddedCbor(c: CryptoProvider, key: SymmetricKey, ct: CipherText, limits?: DecodeLimits): CborValue {
  const plain = symmetricDecrypt(c, key, ct.cipherText, ct.nonce)
  return decodePadded(plain, { viewBytes: true, ...limits })
}

/** Decodes a CBOR value followed only by zero bytes. */
export function decodePadded(plain: Uint8Array, limits?: DecodeLimits): CborValue {
  const { value, length } = decodeCborPrefix(plain, limits)
  checkZeroPadding(plain, length)
  return value
}

/** Requires the bytes from `from` on to be zeros (PaddedCipherText's padding). */
export function checkZeroPadding(plain: Uint8Array, from: number): void {
  for (let i = from; i < plain.length; i++) {
    if (plain[i] !== 0) throw new InvalidPaddingError(`Non-zero padding byte at offset ${i}`)
  }
}
