// SymmetricKey (reference §0.1, Peergos SymmetricKey/TweetNaClKey): 32-byte XSalsa20-Poly1305
// key with a lazily-rotated `dirty` flag. CBOR: [type = 1, key32, isDirty].
import type { CborValue } from '../codec/cbor.ts'
import { asBool, asBytes, asInt, asList } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { NONCE_BYTES } from '../crypto/sizes.ts'

export const SYMMETRIC_TYPE_TWEETNACL = 1
export const SYMMETRIC_KEY_BYTES = 32
export { NONCE_BYTES }

export interface SymmetricKey {
  readonly key: Uint8Array
  readonly dirty: boolean
}

export function symmetricKey(key: Uint8Array, dirty = false): SymmetricKey {
  if (key.length !== SYMMETRIC_KEY_BYTES) throw new RangeError(`SymmetricKey must be ${SYMMETRIC_KEY_BYTES} bytes, got ${key.length}`)
  return { key, dirty }
}

export function randomSymmetricKey(c: CryptoProvider): SymmetricKey {
  return { key: c.randomBytes(SYMMETRIC_KEY_BYTES), dirty: false }
}

/** The all-zero key Peergos uses in null capabilities. */
export function nullSymmetricKey(): SymmetricKey {
  return { key: new Uint8Array(SYMMETRIC_KEY_BYTES), dirty: false }
}

export function symmetricKeyToCbor(k: SymmetricKey): CborValue {
  return [SYMMETRIC_TYPE_TWEETNACL, k.key, k.dirty]
}

export function symmetricKeyFromCbor(v: CborValue): SymmetricKey {
  const l = asList(v, 'SymmetricKey')
  if (l.length !== 3) throw new CborTypeError(`SymmetricKey: expected 3 elements, got ${l.length}`)
  const type = asInt(l[0], 'SymmetricKey.type')
  if (type !== SYMMETRIC_TYPE_TWEETNACL) throw new CborTypeError(`SymmetricKey: unknown type ${type}`)
  return { key: asBytes(l[1], 'SymmetricKey.key', SYMMETRIC_KEY_BYTES), dirty: asBool(l[2], 'SymmetricKey.dirty') }
}

export function createNonce(c: CryptoProvider): Uint8Array {
  return c.randomBytes(NONCE_BYTES)
}

export function symmetricEncrypt(c: CryptoProvider, k: SymmetricKey, plaintext: Uint8Array, nonce: Uint8Array): Uint8Array {
  return c.secretbox(plaintext, nonce, k.key)
}

/** Throws DecryptionFailedError on a wrong key or tampered bytes. */
export function symmetricDecrypt(c: CryptoProvider, k: SymmetricKey, boxed: Uint8Array, nonce: Uint8Array): Uint8Array {
  return c.secretboxOpen(boxed, nonce, k.key)
}

export function sameSymmetricKey(a: SymmetricKey, b: SymmetricKey): boolean {
  if (a.key.length !== b.key.length) return false
  for (let i = 0; i < a.key.length; i++) if (a.key[i] !== b.key[i]) return false
  return true
}
