// Ed25519 signing keys and PublicKeyHash (reference §0.1, §0.3): public key CBOR [1, pk32],
// secret key CBOR [1, seed‖pk], key pair [public, secret]; a PublicKeyHash is the CIDv1
// dag-cbor identity CID of the public key's CBOR (so the key is recoverable from its hash),
// or, for legacy keys, a sha2-256 CID. SigningPrivateKeyAndPublicHash is {p: hash, s: secret}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, asInt, asLink, asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { CID, CODEC_DAG_CBOR, HASH_IDENTITY, HASH_SHA2_256, identityCid } from '../codec/cid.ts'
import * as Digest from 'multiformats/hashes/digest'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { InvalidObjectError } from './errors.ts'

export const SIGNING_TYPE_ED25519 = 1

/** A PublicKeyHash is a CID restricted to identity or sha2-256 multihashes. */
export type PublicKeyHash = CID

export interface PublicSigningKey { readonly publicKey: Uint8Array }
export interface SecretSigningKey { readonly secretKey: Uint8Array }
export interface SigningKeyPair { readonly publicKey: Uint8Array; readonly secretKey: Uint8Array }
export interface SigningPrivateKeyAndPublicHash { readonly publicKeyHash: PublicKeyHash; readonly secretKey: Uint8Array }

export function signingKeyPairFromSeed(c: CryptoProvider, seed: Uint8Array): SigningKeyPair {
  return c.signKeyPairFromSeed(seed)
}

export function randomSigningKeyPair(c: CryptoProvider): SigningKeyPair {
  return c.signKeyPairFromSeed(c.randomBytes(32))
}

function typedKey(v: CborValue, what: string, length: number): Uint8Array {
  const l = asList(v, what)
  if (l.length !== 2) throw new CborTypeError(`${what}: expected 2 elements, got ${l.length}`)
  const type = asInt(l[0], `${what}.type`)
  if (type !== SIGNING_TYPE_ED25519) throw new CborTypeError(`${what}: unknown key type ${type}`)
  return asBytes(l[1], `${what}.key`, length)
}

export function publicSigningKeyToCbor(publicKey: Uint8Array): CborValue {
  return [SIGNING_TYPE_ED25519, publicKey]
}

export function publicSigningKeyFromCbor(v: CborValue): Uint8Array {
  return typedKey(v, 'PublicSigningKey', 32)
}

export function secretSigningKeyToCbor(secretKey: Uint8Array): CborValue {
  return [SIGNING_TYPE_ED25519, secretKey]
}

export function secretSigningKeyFromCbor(v: CborValue): Uint8Array {
  return typedKey(v, 'SecretSigningKey', 64)
}

export function signingKeyPairToCbor(kp: SigningKeyPair): CborValue {
  return [publicSigningKeyToCbor(kp.publicKey), secretSigningKeyToCbor(kp.secretKey)]
}

export function signingKeyPairFromCbor(v: CborValue): SigningKeyPair {
  const l = asList(v, 'SigningKeyPair')
  if (l.length !== 2) throw new CborTypeError(`SigningKeyPair: expected 2 elements, got ${l.length}`)
  return { publicKey: publicSigningKeyFromCbor(l[0]), secretKey: secretSigningKeyFromCbor(l[1]) }
}

/** ContentAddressedStorage.hashKey: the identity CID of the public key's CBOR. */
export function publicKeyHash(publicKey: Uint8Array): PublicKeyHash {
  return identityCid(CODEC_DAG_CBOR, encodeCbor(publicSigningKeyToCbor(publicKey)))
}

/** Recovers the public key embedded in an identity PublicKeyHash (undefined for hashed legacy keys). */
export function publicKeyFromHash(hash: PublicKeyHash): Uint8Array | undefined {
  if (hash.multihash.code !== HASH_IDENTITY) return undefined
  return publicSigningKeyFromCbor(decodeCbor(hash.multihash.digest))
}

/** Checks a CID is acceptable as a PublicKeyHash (identity ≤ 36 bytes... legacy 4112, or sha2-256). */
export function checkPublicKeyHash(cid: CID, what = 'PublicKeyHash'): PublicKeyHash {
  const code = cid.multihash.code
  if (code !== HASH_IDENTITY && code !== HASH_SHA2_256) throw new InvalidObjectError(`${what}: multihash 0x${code.toString(16)} is not identity or sha2-256`)
  return cid
}

export function publicKeyHashFromCbor(v: CborValue, what = 'PublicKeyHash'): PublicKeyHash {
  return checkPublicKeyHash(asLink(v, what), what)
}

/** PublicKeyHash.NULL: a dag-cbor CID whose sha2-256 *digest* is 32 zero bytes (not the hash of zeros; crypto.json cids.publicKeyHashNULL). */
export function nullPublicKeyHash(_c?: CryptoProvider): PublicKeyHash {
  return CID.createV1(CODEC_DAG_CBOR, Digest.create(HASH_SHA2_256, new Uint8Array(32)))
}

export function signingPrivateKeyAndPublicHashToCbor(k: SigningPrivateKeyAndPublicHash): CborValue {
  return cborMap({ p: k.publicKeyHash, s: secretSigningKeyToCbor(k.secretKey) })
}

export function signingPrivateKeyAndPublicHashFromCbor(v: CborValue): SigningPrivateKeyAndPublicHash {
  const f = Fields.of(v, 'SigningPrivateKeyAndPublicHash')
  return { publicKeyHash: publicKeyHashFromCbor(f.req('p'), 'SigningPrivateKeyAndPublicHash.p'), secretKey: secretSigningKeyFromCbor(f.req('s')) }
}
