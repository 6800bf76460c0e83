// UserContext.getPublicKeys and EntryPoint.isValid, client side: a user's identity from the PKI and
// their follow-request boxing key from the identity WriterData's `inbound` (an identity CID for a
// Curve25519 key, a stored block for a hybrid one, re-hashed here); and whether an owner's identity
// owns a writing key, through the owned-keys CHAMPs and their signed OwnerProofs.
import { Champ, cidKey, type BlockStore } from '../../champ/index.ts'
import { blockCid, isIdentity, type CID } from '../../codec/cid.ts'
import { decodePublicBoxingKey, type PublicBoxingKey } from '../../model/boxing-key-pair.ts'
import { decodeOwnerProof, ownedKeyChampKey, verifyOwnerProof } from '../../model/owner-proof.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { PeergosError } from '../../errors.ts'
import type { NetworkAccess } from '../../services/network-access.ts'
import type { TreeReader } from '../tree-reader.ts'
import { VerifiedStorage } from '../verified-storage.ts'
import type { SocialContext } from './context.ts'
import { UnknownUserError } from './errors.ts'

export interface PublicKeys {
  readonly identity: PublicKeyHash
  readonly boxer: PublicBoxingKey
}

export async function publicKeysOf(net: NetworkAccess, reader: TreeReader, username: string, knownIdentity?: Promise<PublicKeyHash | undefined>): Promise<PublicKeys> {
  const identity = await (knownIdentity ?? net.coreNode.getPublicKeyHash(username))
  if (identity === undefined) throw new UnknownUserError(`User ${username} does not exist!`)
  const wd = await reader.writerData(identity, identity)
  const hash = wd?.followRequestReceiver
  if (hash === undefined) throw new UnknownUserError(`User ${username} has no follow request key`)
  const bytes = isIdentity(hash) ? hash.multihash.digest : await new VerifiedStorage(net.crypto, net.storage).get(identity, hash)
  if (bytes === undefined) throw new UnknownUserError(`The follow request key of ${username} is missing`)
  return { identity, boxer: decodePublicBoxingKey(bytes) }
}

/** A lookup kept for the session; a failed one is not kept. */
function memoised<T>(m: Map<string, Promise<T>>, key: string, f: () => Promise<T>): Promise<T> {
  let p = m.get(key)
  if (p === undefined) {
    m.set(key, (p = f()))
    p.catch(() => m.delete(key))
  }
  return p
}

/** publicKeysOf, kept for the session (`reader`: a snapshot shared with other lookups of the step). */
export function publicKeysFor(x: SocialContext, username: string, reader: TreeReader = x.reader): Promise<PublicKeys> {
  return memoised(x.memo.publicKeys, username, () => publicKeysOf(x.net, reader, username, identityOf(x, username)))
}

/** The PKI's identity of `username` (undefined: no such user), kept for the session. */
export function identityOf(x: SocialContext, username: string): Promise<PublicKeyHash | undefined> {
  return memoised(x.memo.identities, username, () => x.net.coreNode.getPublicKeyHash(username))
}

/** ownsKey, kept for the session (an owner's writing keys stay its own while we look). */
export function ownsKeyFor(x: SocialContext, owner: PublicKeyHash, writer: PublicKeyHash, reader: TreeReader = x.reader): Promise<boolean> {
  return memoised(x.memo.owns, `${owner.toString()}|${writer.toString()}`, () => ownsKey(x.net, reader, owner, writer))
}

/** Keys searched per ownership check (a user has a few writing keys; this bounds a hostile tree). */
const MAX_KEYS = 200

/** WriterData.ownsKey: `writer` is `owner`, or owned by it directly or through keys it owns. */
export async function ownsKey(net: NetworkAccess, reader: TreeReader, owner: PublicKeyHash, writer: PublicKeyHash): Promise<boolean> {
  if (owner.equals(writer)) return true
  const verified = new VerifiedStorage(net.crypto, net.storage)
  // blocks of one champ/get lookup (cached under the hash computed here: a forged block is never found)
  const fetched = new Map<string, Uint8Array>()
  const get = async (cid: CID): Promise<Uint8Array | undefined> => fetched.get(cidKey(cid)) ?? verified.get(owner, cid)
  const store: BlockStore = {
    trusted: true, // every block comes through VerifiedStorage or is hashed on arrival
    get,
    put: () => Promise.reject(new PeergosError('Ownership checks never write')),
  }
  const champ = new Champ({ store, crypto: net.crypto, cacheSize: 64 })
  const seen = new Set<string>([owner.toString()])
  const queue: PublicKeyHash[] = [owner]
  while (queue.length > 0 && seen.size <= MAX_KEYS) {
    const parent = queue.shift()!
    const root = (await reader.writerData(owner, parent).catch(() => undefined))?.ownedKeys
    if (root === undefined) continue
    // the key's CHAMP path and its proof in one round trip, not a block at a time
    const lookup = await net.storage.getChampLookup(owner, root, [{ mapKey: ownedKeyChampKey(writer) }]).catch(() => [])
    for (const b of lookup) fetched.set(cidKey(blockCid(net.crypto, b, false)), b)
    const direct = await provenOwned(net, get, champ, parent, root, writer)
    if (direct === true) return true
    for (const key of direct) {
      if (seen.has(key.toString())) continue
      seen.add(key.toString())
      queue.push(key)
    }
  }
  return false
}

/** True when `target` is in `parent`'s owned-keys CHAMP with a valid proof; otherwise the keys it does own. */
async function provenOwned(net: NetworkAccess, get: (cid: CID) => Promise<Uint8Array | undefined>, champ: Champ, parent: PublicKeyHash, root: CID, target: PublicKeyHash): Promise<true | PublicKeyHash[]> {
  const proves = async (proofCid: CID, key: PublicKeyHash): Promise<boolean> => {
    try {
      const block = await get(proofCid)
      if (block === undefined) return false
      const proof = decodeOwnerProof(block)
      return proof.ownedKey.equals(key) && verifyOwnerProof(net.crypto, proof).equals(parent)
    } catch {
      return false
    }
  }
  const hit = await champ.get(root, ownedKeyChampKey(target)).catch(() => undefined)
  if (hit !== undefined && (await proves(hit, target))) return true
  const owned: PublicKeyHash[] = []
  try {
    for await (const { value } of champ.entries(root)) {
      if (owned.length >= MAX_KEYS) break
      const block = await get(value).catch(() => undefined)
      if (block === undefined) continue
      try {
        const proof = decodeOwnerProof(block)
        if (verifyOwnerProof(net.crypto, proof).equals(parent)) owned.push(proof.ownedKey)
      } catch {
        // an invalid proof grants nothing
      }
    }
  } catch {
    // a missing or malformed CHAMP node: only the keys read so far
  }
  return owned
}
