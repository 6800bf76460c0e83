// Curve25519 boxing keys (reference §0.1): public CBOR [1, pk32], secret [1, sk32], pair
// [public, secret]; encryptMessageFor = crypto_box(m, nonce, theirPk, ourSk) ‖ nonce.
// The hybrid Curve25519 + ML-KEM-1024 form (type 2) lives in hybrid-boxing.ts.
import type { CborValue } from '../codec/cbor.ts'
import { asBytes, asInt, asList } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { NONCE_BYTES } from './symmetric-key.ts'

export const BOXING_TYPE_CURVE25519 = 1
export const BOXING_TYPE_HYBRID = 2

export function curve25519PublicToCbor(publicKey: Uint8Array): CborValue {
  return [BOXING_TYPE_CURVE25519, publicKey]
}

export function curve25519SecretToCbor(secretKey: Uint8Array): CborValue {
  return [BOXING_TYPE_CURVE25519, secretKey]
}

/** Decodes [1, key32] (public or secret Curve25519 key). */
export function curve25519KeyFromCbor(v: CborValue, what = 'Curve25519Key'): Uint8Array {
  const l = asList(v, what)
  if (l.length !== 2) throw new CborTypeError(`${what}: expected 2 elements, got ${l.length}`)
  const type = asInt(l[0], `${what}.type`)
  if (type !== BOXING_TYPE_CURVE25519) throw new CborTypeError(`${what}: expected Curve25519 type 1, got ${type}`)
  return asBytes(l[1], `${what}.key`, 32)
}

/** Curve25519PublicKey.encryptMessageFor: crypto_box(m) ‖ nonce. */
export function curve25519EncryptFor(c: CryptoProvider, message: Uint8Array, theirPublic: Uint8Array, ourSecret: Uint8Array, nonce: Uint8Array = c.randomBytes(NONCE_BYTES)): Uint8Array {
  const boxed = c.box(message, nonce, theirPublic, ourSecret)
  const out = new Uint8Array(boxed.length + NONCE_BYTES)
  out.set(boxed)
  out.set(nonce, boxed.length)
  return out
}

/** Inverse of curve25519EncryptFor; throws DecryptionFailedError. */
export function curve25519DecryptFrom(c: CryptoProvider, cipher: Uint8Array, theirPublic: Uint8Array, ourSecret: Uint8Array): Uint8Array {
  if (cipher.length < NONCE_BYTES + 16) throw new DecryptionFailedError('Curve25519 ciphertext too short')
  const nonce = cipher.subarray(cipher.length - NONCE_BYTES)
  return c.boxOpen(cipher.subarray(0, cipher.length - NONCE_BYTES), nonce, theirPublic, ourSecret)
}
