// Username claim chains (reference §4.2; Peergos UserPublicKeyLink): a link is CBOR {owner, claim,
// keychange?}; a chain is a CBOR list of links. createInitial / createChain (key change), the
// validity rules (validClaim, validLink, validChain) and the append-only merge of the PKI.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { equalBytes, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import { buildClaim, claimFromCbor, claimsEqual, claimToCbor, decodeSignedClaim, MAX_USERNAME_SIZE, type Claim } from './claim.ts'
import { InvalidClaimChainError } from './errors.ts'
import { compareLocalDate, LOCAL_DATE_MAX, type LocalDate } from './local-date.ts'
import { publicKeyFromHash, publicKeyHashFromCbor, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from './signing-keys.ts'

/** UserPublicKeyLink.MAX_SIZE: the largest serialized chain accepted. */
export const MAX_CHAIN_SIZE = 2 * 1024 * 1024

export interface UserPublicKeyLink {
  readonly owner: PublicKeyHash
  readonly claim: Claim
  /** Present on every link but the last: the owner's attached signature over the next owner's PublicKeyHash CBOR. */
  readonly keyChangeProof?: Uint8Array
}

/** Finds the Ed25519 public key of a PublicKeyHash (identity hashes carry it; legacy sha256 ones need a block fetch). */
export type SigningKeyResolver = (hash: PublicKeyHash) => Uint8Array | undefined | Promise<Uint8Array | undefined>

export const identityKeyResolver: SigningKeyResolver = (hash) => publicKeyFromHash(hash)

export function userPublicKeyLinkToCbor(link: UserPublicKeyLink): CborValue {
  return cborMap({ claim: claimToCbor(link.claim), keychange: link.keyChangeProof, owner: link.owner })
}

export function userPublicKeyLinkFromCbor(v: CborValue): UserPublicKeyLink {
  const f = Fields.of(v, 'UserPublicKeyLink')
  const keyChangeProof = f.optBytes('keychange')
  const link = { owner: publicKeyHashFromCbor(f.req('owner'), 'UserPublicKeyLink.owner'), claim: claimFromCbor(f.req('claim')) }
  return keyChangeProof === undefined ? link : { ...link, keyChangeProof }
}

export function chainToCbor(chain: readonly UserPublicKeyLink[]): CborValue {
  return chain.map(userPublicKeyLinkToCbor)
}

export function chainFromCbor(v: CborValue): UserPublicKeyLink[] {
  return asList(v, 'UserPublicKeyLink chain').map(userPublicKeyLinkFromCbor)
}

export function encodeChain(chain: readonly UserPublicKeyLink[]): Uint8Array {
  return encodeCbor(chainToCbor(chain))
}

export function decodeChain(bytes: Uint8Array): UserPublicKeyLink[] {
  if (bytes.length > MAX_CHAIN_SIZE) throw new InvalidClaimChainError(`Claim chain of ${bytes.length} bytes is too large`)
  return chainFromCbor(decodeCbor(bytes, { maxDepth: 5 }))
}

export function linksEqual(a: UserPublicKeyLink, b: UserPublicKeyLink): boolean {
  if (!a.owner.equals(b.owner) || !claimsEqual(a.claim, b.claim)) return false
  if (a.keyChangeProof === undefined || b.keyChangeProof === undefined) return a.keyChangeProof === b.keyChangeProof
  return equalBytes(a.keyChangeProof, b.keyChangeProof)
}

function chainsEqual(a: readonly UserPublicKeyLink[], b: readonly UserPublicKeyLink[]): boolean {
  return a.length === b.length && a.every((l, i) => linksEqual(l, b[i]))
}

/** UserPublicKeyLink.createInitial: a one-link chain claiming `username` for the signer. */
export function createInitialChain(c: CryptoProvider, signer: SigningPrivateKeyAndPublicHash, username: string, expiry: LocalDate, storageProviders: readonly CID[]): UserPublicKeyLink[] {
  return [{ owner: signer.publicKeyHash, claim: buildClaim(c, username, signer.secretKey, expiry, storageProviders) }]
}

/**
 * UserPublicKeyLink.createChain (key change): the old key's never-expiring claim (LocalDate.MAX, no
 * providers) with a proof signing the new key's hash, then the new key's claim.
 */
export function createKeyChangeChain(c: CryptoProvider, oldUser: SigningPrivateKeyAndPublicHash, newUser: SigningPrivateKeyAndPublicHash, username: string, expiry: LocalDate, storageProviders: readonly CID[]): UserPublicKeyLink[] {
  const newClaim = buildClaim(c, username, newUser.secretKey, expiry, storageProviders)
  const keyChangeProof = c.signAttached(encodeCbor(newUser.publicKeyHash), oldUser.secretKey)
  const oldClaim = buildClaim(c, username, oldUser.secretKey, LOCAL_DATE_MAX, [])
  return [{ owner: oldUser.publicKeyHash, claim: oldClaim, keyChangeProof }, { owner: newUser.publicKeyHash, claim: newClaim }]
}

async function resolveKey(resolve: SigningKeyResolver, hash: PublicKeyHash): Promise<Uint8Array | undefined> {
  try {
    return await resolve(hash)
  } catch (e) {
    if (e instanceof PeergosError) return undefined
    throw e
  }
}

/** validClaim: a well-formed username, at most one provider, and a signed payload equal to the claim. */
export async function validClaim(c: CryptoProvider, link: UserPublicKeyLink, username: string, resolve: SigningKeyResolver = identityKeyResolver): Promise<boolean> {
  if (username.includes(' ') || username.includes('\t') || username.includes('\n')) return false
  if (username.length > MAX_USERNAME_SIZE) return false
  if (link.claim.username !== username) return false
  if (link.claim.storageProviders.length > 1) return false
  const key = await resolveKey(resolve, link.owner)
  if (key === undefined) return false
  try {
    return claimsEqual(link.claim, decodeSignedClaim(c, link.claim.signedContents, key))
  } catch (e) {
    if (e instanceof PeergosError) return false
    throw e
  }
}

/** validLink: a valid claim plus a key-change proof, signed by this owner, naming `nextOwner`. */
export async function validLink(c: CryptoProvider, from: UserPublicKeyLink, nextOwner: PublicKeyHash, username: string, resolve: SigningKeyResolver = identityKeyResolver): Promise<boolean> {
  if (!(await validClaim(c, from, username, resolve))) return false
  if (from.keyChangeProof === undefined) return false
  const key = await resolveKey(resolve, from.owner)
  if (key === undefined) return false
  try {
    const target = publicKeyHashFromCbor(decodeCbor(c.openAttached(from.keyChangeProof, key)))
    return equalBytes(encodeCbor(target), encodeCbor(nextOwner))
  } catch (e) {
    if (e instanceof PeergosError) return false
    throw e
  }
}

/**
 * validChain: every link but the last is a valid key change to the next owner and has no providers;
 * the last claim is valid and has exactly one provider. The provider rules throw
 * InvalidClaimChainError with Peergos' texts; signature failures give false.
 */
export async function validChain(c: CryptoProvider, chain: readonly UserPublicKeyLink[], username: string, resolve: SigningKeyResolver = identityKeyResolver): Promise<boolean> {
  if (chain.length === 0) return false
  for (let i = 0; i < chain.length; i++) {
    const n = chain[i].claim.storageProviders.length
    if (i === chain.length - 1) {
      if (n !== 1) throw new InvalidClaimChainError(`More than 1 storage providers in claim for ${username}`)
    } else if (n !== 0) {
      throw new InvalidClaimChainError(`Non empty storage providers in old claim for ${username}`)
    }
  }
  for (let i = 0; i < chain.length - 1; i++) {
    if (!(await validLink(c, chain[i], chain[i + 1].owner, username, resolve))) return false
  }
  return validClaim(c, chain[chain.length - 1], username, resolve)
}

/**
 * UserPublicKeyLink.merge: the PKI's append-only update of a user's chain. The updated chain may
 * renew the last claim or append key changes after it, never rewrite history or reuse an old key.
 */
export async function mergeChains(c: CryptoProvider, existing: readonly UserPublicKeyLink[], updated: readonly UserPublicKeyLink[], resolve: SigningKeyResolver = identityKeyResolver): Promise<UserPublicKeyLink[]> {
  if (existing.length === 0 || chainsEqual(existing, updated)) return [...updated]
  let indexOfChange = 0
  while (indexOfChange < updated.length && indexOfChange < existing.length && linksEqual(updated[indexOfChange], existing[indexOfChange])) indexOfChange++
  const tail = updated.slice(indexOfChange)
  if (tail.length === 0) throw new InvalidClaimChainError('Invalid key chain merge!')
  const currentLast = existing[existing.length - 1]
  if (compareLocalDate(tail[0].claim.expiry, currentLast.claim.expiry) < 0) throw new InvalidClaimChainError('New claim chain expiry before existing!')
  if (!tail[0].owner.equals(currentLast.owner)) {
    throw new InvalidClaimChainError(tail.length === 1 ? 'User already exists: Invalid key change attempt!' : 'Different keys in merge chains intersection!')
  }
  const newLastOwner = tail[tail.length - 1].owner
  if (existing.slice(0, -1).some((l) => l.owner.equals(newLastOwner))) throw new InvalidClaimChainError('You cannot reuse a previous password!')
  const result = [...existing.slice(0, -1), ...tail]
  if (!(await validChain(c, result, tail[0].claim.username, resolve))) throw new InvalidClaimChainError('Invalid key chain merge!')
  return result
}

/** CoreNode.getPublicKeyHash: the owner of the last link. */
export function chainOwner(chain: readonly UserPublicKeyLink[]): PublicKeyHash | undefined {
  return chain.length === 0 ? undefined : chain[chain.length - 1].owner
}

/** The user's home server: the only storage provider of the last claim. */
export function chainHomeServer(chain: readonly UserPublicKeyLink[]): CID | undefined {
  return chain.length === 0 ? undefined : chain[chain.length - 1].claim.storageProviders[0]
}

/** UserPublicKeyLink.isExpiredClaim. */
export function isExpiredClaim(link: UserPublicKeyLink, today: LocalDate): boolean {
  return compareLocalDate(link.claim.expiry, today) < 0
}
