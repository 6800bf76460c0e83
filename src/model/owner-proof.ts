// OwnerProof (reference §3.2; Peergos OwnerProof): {o: owned key's PublicKeyHash, p: the owned key's
// attached signature over the owner's PublicKeyHash CBOR}, proving a writer key belongs to an owner.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { InvalidObjectError } from './errors.ts'
import { publicKeyFromHash, publicKeyHashFromCbor, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from './signing-keys.ts'

export interface OwnerProof {
  readonly ownedKey: PublicKeyHash
  readonly signedOwner: Uint8Array
}

/** OwnerProof.build: the owned key signs the owner's hash. */
export function buildOwnerProof(c: CryptoProvider, owned: SigningPrivateKeyAndPublicHash, owner: PublicKeyHash): OwnerProof {
  return { ownedKey: owned.publicKeyHash, signedOwner: c.signAttached(encodeCbor(owner), owned.secretKey) }
}

/**
 * OwnerProof.getAndVerifyOwner: checks the signature with the owned key (taken from its identity hash
 * unless given) and returns the owner it names (InvalidSignatureError, CborDecodeError...).
 */
export function verifyOwnerProof(c: CryptoProvider, proof: OwnerProof, ownedPublicKey?: Uint8Array): PublicKeyHash {
  const key = ownedPublicKey ?? publicKeyFromHash(proof.ownedKey)
  if (key === undefined) throw new InvalidObjectError('OwnerProof: the owned key is not an identity hash; pass its public key')
  return publicKeyHashFromCbor(decodeCbor(c.openAttached(proof.signedOwner, key)), 'OwnerProof owner')
}

/** OwnedKeyChamp.keyToBytes: an owned key's CHAMP key is its PublicKeyHash CBOR, reversed. */
export function ownedKeyChampKey(owned: PublicKeyHash): Uint8Array {
  return encodeCbor(owned).reverse()
}

export function ownerProofToCbor(p: OwnerProof): CborValue {
  return cborMap({ o: p.ownedKey, p: p.signedOwner })
}

export function ownerProofFromCbor(v: CborValue): OwnerProof {
  const f = Fields.of(v, 'OwnerProof')
  return { ownedKey: publicKeyHashFromCbor(f.req('o'), 'OwnerProof.o'), signedOwner: f.bytes('p') }
}

export function encodeOwnerProof(p: OwnerProof): Uint8Array {
  return encodeCbor(ownerProofToCbor(p))
}

export function decodeOwnerProof(bytes: Uint8Array): OwnerProof {
  return ownerProofFromCbor(decodeCbor(bytes, { maxDepth: 2 }))
}
