// Hybrid Curve25519 + ML-KEM-1024 boxing (reference §0.1; Peergos HybridCurve25519MLKEMPublicKey,
// HybridCurve25519MLKEMSecretKey, HybridCipherText): public [2, {c: [1, pk32], m: {p: ek1568}}],
// secret [2, {c: [1, sk32], m: {s: dk3168}}], ciphertext {c, m, i, n}; k = hkdfKey(s1 ‖ s2).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asInt, asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import { hkdfKey } from '../crypto/peergos.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { BOXING_TYPE_CURVE25519, BOXING_TYPE_HYBRID, curve25519DecryptFrom, curve25519EncryptFor, curve25519KeyFromCbor } from './boxing-keys.ts'
import { concatBytes } from './bytes.ts'
import { NONCE_BYTES } from './symmetric-key.ts'

export const MLKEM1024_PUBLIC_BYTES = 1568
/** Peergos stores the FIPS 203 decapsulation key (dkPKE ‖ ek ‖ H(ek) ‖ z), not a 64-byte seed. */
export const MLKEM1024_SECRET_BYTES = 3168
export const MLKEM1024_CIPHERTEXT_BYTES = 1568
/** The random Curve25519 share s1 (32 bytes) boxed: 16-byte MAC ‖ 32 ‖ 24-byte nonce. */
export const HYBRID_CURVE25519_CIPHERTEXT_BYTES = 16 + 32 + NONCE_BYTES

export interface HybridPublicKey {
  readonly type: typeof BOXING_TYPE_HYBRID
  readonly curve25519: Uint8Array
  readonly mlkem: Uint8Array
}

export interface HybridSecretKey {
  readonly type: typeof BOXING_TYPE_HYBRID
  readonly curve25519: Uint8Array
  readonly mlkem: Uint8Array
}

export interface HybridCipherText {
  readonly curve25519CipherText: Uint8Array
  readonly mlkemCipherText: Uint8Array
  readonly encryptedInput: Uint8Array
  readonly nonce: Uint8Array
}

export function randomHybridKeyPair(c: CryptoProvider): { publicKey: HybridPublicKey; secretKey: HybridSecretKey } {
  const box = c.boxKeyPairFromSecret(c.randomBytes(32))
  const kem = c.mlkemKeyPair()
  return {
    publicKey: { type: BOXING_TYPE_HYBRID, curve25519: box.publicKey, mlkem: kem.publicKey },
    secretKey: { type: BOXING_TYPE_HYBRID, curve25519: box.secretKey, mlkem: kem.secretKey },
  }
}

function hybridParts(v: CborValue, what: string): Fields {
  const l = asList(v, what)
  if (l.length !== 2) throw new CborTypeError(`${what}: expected 2 elements, got ${l.length}`)
  const type = asInt(l[0], `${what}.type`)
  if (type !== BOXING_TYPE_HYBRID) throw new CborTypeError(`${what}: expected hybrid type 2, got ${type}`)
  return Fields.of(l[1], what)
}

export function hybridPublicKeyToCbor(k: HybridPublicKey): CborValue {
  return [BOXING_TYPE_HYBRID, cborMap({ c: [BOXING_TYPE_CURVE25519, k.curve25519], m: cborMap({ p: k.mlkem }) })]
}

export function hybridPublicKeyFromCbor(v: CborValue): HybridPublicKey {
  const f = hybridParts(v, 'HybridPublicKey')
  return {
    type: BOXING_TYPE_HYBRID,
    curve25519: curve25519KeyFromCbor(f.req('c'), 'HybridPublicKey.c'),
    mlkem: f.fields('m').bytes('p', MLKEM1024_PUBLIC_BYTES),
  }
}

export function hybridSecretKeyToCbor(k: HybridSecretKey): CborValue {
  return [BOXING_TYPE_HYBRID, cborMap({ c: [BOXING_TYPE_CURVE25519, k.curve25519], m: cborMap({ s: k.mlkem }) })]
}

export function hybridSecretKeyFromCbor(v: CborValue): HybridSecretKey {
  const f = hybridParts(v, 'HybridSecretKey')
  return {
    type: BOXING_TYPE_HYBRID,
    curve25519: curve25519KeyFromCbor(f.req('c'), 'HybridSecretKey.c'),
    mlkem: f.fields('m').bytes('s', MLKEM1024_SECRET_BYTES),
  }
}

export function hybridCipherTextToCbor(ct: HybridCipherText): CborValue {
  return cborMap({ c: ct.curve25519CipherText, i: ct.encryptedInput, m: ct.mlkemCipherText, n: ct.nonce })
}

export function hybridCipherTextFromCbor(v: CborValue): HybridCipherText {
  const f = Fields.of(v, 'HybridCipherText')
  return {
    curve25519CipherText: f.bytes('c', HYBRID_CURVE25519_CIPHERTEXT_BYTES),
    mlkemCipherText: f.bytes('m', MLKEM1024_CIPHERTEXT_BYTES),
    encryptedInput: f.bytes('i'),
    nonce: f.bytes('n', NONCE_BYTES),
  }
}

export function decodeHybridCipherText(bytes: Uint8Array): HybridCipherText {
  return hybridCipherTextFromCbor(decodeCbor(bytes, { maxDepth: 1 }))
}

/**
 * HybridCurve25519MLKEMPublicKey.encryptMessageFor: box a random s1 with Curve25519 (sender's secret,
 * recipient's public), ML-KEM-encapsulate s2, secretbox the message under hkdfKey(s1 ‖ s2) with a
 * random nonce; returns the HybridCipherText CBOR.
 */
export function hybridEncrypt(c: CryptoProvider, to: HybridPublicKey, message: Uint8Array, from: HybridSecretKey): Uint8Array {
  const s1 = c.randomBytes(32)
  const { cipherText: mlkemCipherText, sharedSecret: s2 } = c.mlkemEncapsulate(to.mlkem)
  const k = hkdfKey(c, concatBytes(s1, s2))
  const curve25519CipherText = curve25519EncryptFor(c, s1, to.curve25519, from.curve25519)
  const nonce = c.randomBytes(NONCE_BYTES)
  const encryptedInput = c.secretbox(message, nonce, k)
  return encodeCbor(hybridCipherTextToCbor({ curve25519CipherText, mlkemCipherText, encryptedInput, nonce }))
}

/** HybridCurve25519MLKEMSecretKey.decryptMessage; a wrong key or tampered bytes give DecryptionFailedError. */
export function hybridDecrypt(c: CryptoProvider, to: HybridSecretKey, cipher: Uint8Array, from: HybridPublicKey): Uint8Array {
  const ct = decodeHybridCipherText(cipher)
  const s1 = curve25519DecryptFrom(c, ct.curve25519CipherText, from.curve25519, to.curve25519)
  if (s1.length !== 32) throw new DecryptionFailedError(`Hybrid Curve25519 share must be 32 bytes, got ${s1.length}`)
  const s2 = c.mlkemDecapsulate(ct.mlkemCipherText, to.mlkem)
  return c.secretboxOpen(ct.encryptedInput, ct.nonce, hkdfKey(c, concatBytes(s1, s2)))
}
