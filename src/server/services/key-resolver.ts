// Finding the Ed25519 public key of a PublicKeyHash on the server (Peergos
// ContentAddressedStorage.getSigningKey): identity hashes carry the key inline; legacy sha2-256
// hashes name a dag-cbor block holding the key's CBOR, fetched from storage and checked.
import { decodeCbor } from '../../codec/cbor.ts'
import { HASH_SHA2_256, type CID } from '../../codec/cid.ts'
import { PeergosError } from '../../errors.ts'
import { publicKeyFromHash, publicSigningKeyFromCbor, type PublicKeyHash } from '../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../model/user-public-key-link.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'

/** A signing key needed for an authorisation check could not be found. */
export class UnknownSigningKeyError extends PeergosError {}

/** Resolves keys from identity hashes only (no storage). */
export function inlineKeyResolver(): SigningKeyResolver {
  return (hash) => publicKeyFromHash(hash)
}

/** Resolves identity hashes inline and legacy hashes through `storage` (owner = the key's own hash, as Peergos does). */
export function storageKeyResolver(storage: Pick<ContentAddressedStorage, 'get'>): SigningKeyResolver {
  return async (hash: PublicKeyHash) => {
    const inline = publicKeyFromHash(hash)
    if (inline !== undefined) return inline
    if (hash.multihash.code !== HASH_SHA2_256) return undefined
    // storage.get re-hashes what it returns against the CID (ContentAddressedStorage contract).
    const block = await storage.get(hash, hash as CID)
    if (block === undefined || block.length > 256) return undefined
    return publicSigningKeyFromCbor(decodeCbor(block, { maxDepth: 2 }))
  }
}

/** The public key of `hash`, or UnknownSigningKeyError ("Couldn't retrieve owner key!" in Peergos). */
export async function requireKey(resolve: SigningKeyResolver, hash: PublicKeyHash): Promise<Uint8Array> {
  let key: Uint8Array | undefined
  try {
    key = await resolve(hash)
  } catch (e) {
    if (!(e instanceof PeergosError)) throw e
  }
  if (key === undefined) throw new UnknownSigningKeyError("Couldn't retrieve owner key!")
  return key
}
