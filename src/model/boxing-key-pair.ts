// PublicBoxingKey, SecretBoxingKey, BoxingKeyPair over both types (reference §0.1, §0.3): 1 = Curve25519
// [1, key32], 2 = hybrid (hybrid-boxing.ts); pair = [public, secret]. Type-dispatched encrypt/decrypt;
// a key's hash is its identity CID if its CBOR fits 36 bytes, else the sha256 CID of its block.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asInt, asList } from '../codec/cbor-read.ts'
import { blockCid, CODEC_DAG_CBOR, identityCid, type CID } from '../codec/cid.ts'
import { CborTypeError } from '../codec/errors.ts'
import { InvalidCryptoInputError } from '../crypto/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import {
  BOXING_TYPE_CURVE25519, BOXING_TYPE_HYBRID, curve25519DecryptFrom, curve25519EncryptFor, curve25519KeyFromCbor,
  curve25519PublicToCbor, curve25519SecretToCbor,
} from './boxing-keys.ts'
import {
  hybridDecrypt, hybridEncrypt, hybridPublicKeyFromCbor, hybridPublicKeyToCbor, hybridSecretKeyFromCbor, hybridSecretKeyToCbor,
  randomHybridKeyPair, type HybridPublicKey, type HybridSecretKey,
} from './hybrid-boxing.ts'

/** Multihash.MAX_IDENTITY_HASH_SIZE: keys whose CBOR is larger are stored as blocks. */
export const MAX_IDENTITY_KEY_BYTES = 36

export interface Curve25519PublicBoxingKey { readonly type: typeof BOXING_TYPE_CURVE25519; readonly publicKey: Uint8Array }
export interface Curve25519SecretBoxingKey { readonly type: typeof BOXING_TYPE_CURVE25519; readonly secretKey: Uint8Array }

export type PublicBoxingKey = Curve25519PublicBoxingKey | HybridPublicKey
export type SecretBoxingKey = Curve25519SecretBoxingKey | HybridSecretKey

export interface BoxingKeyPair {
  readonly publicKey: PublicBoxingKey
  readonly secretKey: SecretBoxingKey
}

export function randomCurve25519BoxingKeyPair(c: CryptoProvider): BoxingKeyPair {
  const kp = c.boxKeyPairFromSecret(c.randomBytes(32))
  return { publicKey: { type: BOXING_TYPE_CURVE25519, publicKey: kp.publicKey }, secretKey: { type: BOXING_TYPE_CURVE25519, secretKey: kp.secretKey } }
}

/** BoxingKeyPair.randomHybrid: the post-quantum boxer every new account gets. */
export function randomHybridBoxingKeyPair(c: CryptoProvider): BoxingKeyPair {
  return randomHybridKeyPair(c)
}

function boxingType(v: CborValue, what: string): number {
  const l = asList(v, what)
  if (l.length === 0) throw new CborTypeError(`${what}: empty list`)
  const type = asInt(l[0], `${what}.type`)
  if (type !== BOXING_TYPE_CURVE25519 && type !== BOXING_TYPE_HYBRID) throw new CborTypeError(`Unknown boxing key type: ${type}`)
  return type
}

export function publicBoxingKeyToCbor(k: PublicBoxingKey): CborValue {
  return k.type === BOXING_TYPE_CURVE25519 ? curve25519PublicToCbor(k.publicKey) : hybridPublicKeyToCbor(k)
}

export function publicBoxingKeyFromCbor(v: CborValue): PublicBoxingKey {
  if (boxingType(v, 'PublicBoxingKey') === BOXING_TYPE_HYBRID) return hybridPublicKeyFromCbor(v)
  return { type: BOXING_TYPE_CURVE25519, publicKey: curve25519KeyFromCbor(v, 'PublicBoxingKey') }
}

export function secretBoxingKeyToCbor(k: SecretBoxingKey): CborValue {
  return k.type === BOXING_TYPE_CURVE25519 ? curve25519SecretToCbor(k.secretKey) : hybridSecretKeyToCbor(k)
}

export function secretBoxingKeyFromCbor(v: CborValue): SecretBoxingKey {
  if (boxingType(v, 'SecretBoxingKey') === BOXING_TYPE_HYBRID) return hybridSecretKeyFromCbor(v)
  return { type: BOXING_TYPE_CURVE25519, secretKey: curve25519KeyFromCbor(v, 'SecretBoxingKey') }
}

export function boxingKeyPairToCbor(kp: BoxingKeyPair): CborValue {
  return [publicBoxingKeyToCbor(kp.publicKey), secretBoxingKeyToCbor(kp.secretKey)]
}

export function boxingKeyPairFromCbor(v: CborValue): BoxingKeyPair {
  const l = asList(v, 'BoxingKeyPair')
  if (l.length !== 2) throw new CborTypeError(`BoxingKeyPair: expected 2 elements, got ${l.length}`)
  const publicKey = publicBoxingKeyFromCbor(l[0])
  const secretKey = secretBoxingKeyFromCbor(l[1])
  if (publicKey.type !== secretKey.type) throw new CborTypeError('BoxingKeyPair: public and secret keys have different types')
  return { publicKey, secretKey }
}

export function decodePublicBoxingKey(bytes: Uint8Array): PublicBoxingKey {
  return publicBoxingKeyFromCbor(decodeCbor(bytes, { maxDepth: 4 }))
}

export function decodeBoxingKeyPair(bytes: Uint8Array): BoxingKeyPair {
  return boxingKeyPairFromCbor(decodeCbor(bytes, { maxDepth: 5 }))
}

/** The PublicKeyHash of a boxing key (ContentAddressedStorage.putBoxingKey): identity CID, or sha256 of the block for hybrid keys. */
export function publicBoxingKeyHash(c: CryptoProvider, k: PublicBoxingKey): CID {
  const raw = encodeCbor(publicBoxingKeyToCbor(k))
  return raw.length <= MAX_IDENTITY_KEY_BYTES ? identityCid(CODEC_DAG_CBOR, raw) : blockCid(c, raw, false)
}

/** PublicBoxingKey.encryptMessageFor: `from` must be a secret key of the same type as `to`. */
export function encryptMessageFor(c: CryptoProvider, to: PublicBoxingKey, message: Uint8Array, from: SecretBoxingKey): Uint8Array {
  if (to.type === BOXING_TYPE_CURVE25519) {
    if (from.type !== BOXING_TYPE_CURVE25519) throw new InvalidCryptoInputError('A Curve25519 recipient needs a Curve25519 sender key')
    return curve25519EncryptFor(c, message, to.publicKey, from.secretKey)
  }
  if (from.type !== BOXING_TYPE_HYBRID) throw new InvalidCryptoInputError("Didn't provide a HybridCurve25519MLKEMSecretKey!")
  return hybridEncrypt(c, to, message, from)
}

/** SecretBoxingKey.decryptMessage: DecryptionFailedError on a wrong key or tampered bytes. */
export function decryptMessage(c: CryptoProvider, to: SecretBoxingKey, cipher: Uint8Array, from: PublicBoxingKey): Uint8Array {
  if (to.type === BOXING_TYPE_CURVE25519) {
    if (from.type !== BOXING_TYPE_CURVE25519) throw new InvalidCryptoInputError('A Curve25519 secret key can only open messages from a Curve25519 key')
    return curve25519DecryptFrom(c, cipher, from.publicKey, to.secretKey)
  }
  if (from.type !== BOXING_TYPE_HYBRID) throw new InvalidCryptoInputError("Didn't provide a HybridCurve25519MLKEMPublicKey!")
  return hybridDecrypt(c, to, cipher, from)
}
