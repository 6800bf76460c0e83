// Verifying a friend's identity (Peergos TofuCoreNode + TofuKeyStore, UserContext.generateFingerPrint,
// addFriendAnnotation): the claim chain of each user we deal with is kept from the first time we see
// it in /<me>/.keystore (trust on first use). Later, a PKI answer naming another identity key is a
// key change: IdentityKeyChangedError until the user accepts the new key (after comparing safety
// numbers; a change signed by the old key, as a Peergos key change is, is said so). The safety number
// is Peergos' fingerprint of both users' names and keys (identity and follow-request boxer), the same
// 60 digits on both sides; marking a friend verified records the keys it was made from in
// /<me>/.annotations, so a later change of their keys shows as no longer verified.
import { validChain, mergeChains, chainOwner, type UserPublicKeyLink } from '../../model/user-public-key-link.ts'
import { encodeFriendAnnotation, friendAnnotationFromCbor, type FriendAnnotation } from '../../model/friend-annotation.ts'
import { generateFingerprint, safetyNumber, type FingerPrint } from '../../model/fingerprint.ts'
import { decodeTofuKeyStore, EMPTY_TOFU_KEY_STORE, encodeTofuKeyStore, withChain, type TofuKeyStore } from '../../model/tofu-key-store.ts'
import { cidToString } from '../../codec/cid.ts'
import { compareLocalDate } from '../../model/local-date.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { PeergosError } from '../../errors.ts'
import { joinPath } from '../paths.ts'
import { parseCborStream } from './cbor-stream.ts'
import type { SocialBatch } from './batch.ts'
import type { OwnFiles } from './own-view.ts'
import type { SocialContext } from './context.ts'
import { IdentityKeyChangedError, UnknownUserError } from './errors.ts'
import { FRIEND_ANNOTATIONS_FILE, homeOf, KEY_STORE_FILE } from './names.ts'
import { readIfExists, writeSmallFile } from './user-files.ts'

export interface KeyChange {
  /** The identity key first seen. */
  readonly previous: PublicKeyHash
  /** The identity key the PKI names now. */
  readonly current: PublicKeyHash
  /** The PKI's chain carries a key change signed by the previous key (a Peergos key change). */
  readonly signedByPrevious: boolean
}

export interface TrustedIdentity {
  readonly username: string
  readonly identity: PublicKeyHash
  readonly chain: readonly UserPublicKeyLink[]
  /** This is the first time we see the user (their chain was just stored). */
  readonly firstSeen: boolean
}

async function loadKeyStore(x: SocialContext, files?: OwnFiles): Promise<TofuKeyStore> {
  const path = joinPath(homeOf(x.username), KEY_STORE_FILE)
  const bytes = files === undefined ? await readIfExists(x.fs, path) : await files.read(path)
  return bytes === undefined ? EMPTY_TOFU_KEY_STORE : decodeTofuKeyStore(bytes)
}

async function saveKeyStore(x: SocialContext, s: TofuKeyStore): Promise<void> {
  await writeSmallFile(x.fs, joinPath(homeOf(x.username), KEY_STORE_FILE), encodeTofuKeyStore(s), true)
}

/** The PKI's chain for `username`, checked. */
async function pkiChain(x: SocialContext, username: string): Promise<UserPublicKeyLink[]> {
  const chain = await x.net.coreNode.getChain(username)
  if (chain.length === 0) throw new UnknownUserError(`User ${username} does not exist!`)
  if (!(await validChain(x.net.crypto, chain, username))) throw new UnknownUserError(`The PKI's claim chain for ${username} is invalid`)
  return chain
}

/**
 * TofuCoreNode.getPublicKeyHash: `username`'s identity as first seen. The first lookup stores the PKI's
 * chain; a renewed claim of the same key is merged in; another key throws IdentityKeyChangedError.
 */
export async function trustedIdentity(x: SocialContext, username: string, batch?: SocialBatch): Promise<TrustedIdentity> {
  const [fresh, store] = await Promise.all([pkiChain(x, username), loadKeyStore(x, batch?.view)])
  const stored = store.chains.get(username)
  if (stored === undefined) {
    const updated = withChain(store, username, fresh)
    if (batch === undefined) await saveKeyStore(x, updated)
    else batch.write(joinPath(homeOf(x.username), KEY_STORE_FILE), encodeTofuKeyStore(updated), true) // committed with the batch
    return { username, identity: chainOwner(fresh)!, chain: fresh, firstSeen: true }
  }
  const change = await keyChangeOf(x, stored, fresh)
  if (change !== undefined) {
    throw new IdentityKeyChangedError(
      `The identity key of ${username} has changed since it was first seen (${cidToString(change.previous)} → ${cidToString(change.current)}), ` +
      (change.signedByPrevious ? 'in a key change signed by the previous key' : 'and the previous key did not sign the change: it may be someone else') +
      `. Compare safety numbers with ${username} before accepting the new key.`,
    )
  }
  if (!sameChain(stored, fresh)) {
    const merged = await mergeChains(x.net.crypto, stored, fresh).catch(() => undefined) // a renewed claim
    if (merged !== undefined) await saveKeyStore(x, withChain(store, username, merged))
  }
  return { username, identity: chainOwner(stored)!, chain: stored, firstSeen: false }
}

async function keyChangeOf(x: SocialContext, stored: readonly UserPublicKeyLink[], fresh: readonly UserPublicKeyLink[]): Promise<KeyChange | undefined> {
  const previous = chainOwner(stored)!
  const current = chainOwner(fresh)!
  if (previous.equals(current)) return undefined
  const signedByPrevious = await mergeChains(x.net.crypto, stored, fresh).then(() => true, () => false)
  return { previous, current, signedByPrevious }
}

/** The key change of `username` since first seen, if any (nothing is stored or thrown). */
export async function identityKeyChange(x: SocialContext, username: string): Promise<KeyChange | undefined> {
  const stored = (await loadKeyStore(x)).chains.get(username)
  return stored === undefined ? undefined : keyChangeOf(x, stored, await pkiChain(x, username))
}

/** Accepts the identity key the PKI names now for `username` (after comparing safety numbers). */
export async function acceptIdentityKey(x: SocialContext, username: string): Promise<TrustedIdentity> {
  const fresh = await pkiChain(x, username)
  await saveKeyStore(x, withChain(await loadKeyStore(x), username, fresh))
  return { username, identity: chainOwner(fresh)!, chain: fresh, firstSeen: false }
}

export interface IdentityVerification {
  readonly username: string
  /** The 60-digit safety number both users see. */
  readonly safetyNumber: string
  readonly fingerprint: FingerPrint
  /** The friend's key hashes the number was made from (identity, then follow-request boxer). */
  readonly keys: readonly PublicKeyHash[]
  readonly firstSeen: boolean
  /** We marked this friend verified, with these same keys. */
  readonly verified: boolean
  /** We marked this friend verified, but with other keys (their keys changed since). */
  readonly verifiedWithOtherKeys: boolean
}

/** The key hashes a user's half of the fingerprint is made from (UserContext.getPublicKeyHashes). */
async function fingerprintKeys(x: SocialContext, identity: PublicKeyHash): Promise<PublicKeyHash[]> {
  const boxer = (await x.reader.writerData(identity, identity))?.followRequestReceiver
  return boxer === undefined ? [identity] : [identity, boxer]
}

/** generateFingerPrint: the safety number of `username` and us, with what we recorded about them. */
export async function verifyIdentity(x: SocialContext, username: string): Promise<IdentityVerification> {
  if (username === x.username) throw new PeergosError('You cannot verify your own identity against yourself')
  const them = await trustedIdentity(x, username)
  const keys = await fingerprintKeys(x, them.identity)
  const ours = await fingerprintKeys(x, x.identity.publicKeyHash)
  const fingerprint = generateFingerprint(x.net.crypto, x.username, ours, username, keys)
  const note = (await friendAnnotations(x)).get(username)
  const sameKeys = note !== undefined && note.keysAtVerification.length === keys.length && keys.every((k) => note.keysAtVerification.some((n) => n.equals(k)))
  return {
    username, safetyNumber: safetyNumber(fingerprint), fingerprint, keys, firstSeen: them.firstSeen,
    verified: note?.verified === true && sameKeys, verifiedWithOtherKeys: note?.verified === true && !sameKeys,
  }
}

/** getFriendAnnotations: the latest annotation per friend. */
export async function friendAnnotations(x: SocialContext): Promise<Map<string, FriendAnnotation>> {
  const bytes = await readIfExists(x.fs, joinPath(homeOf(x.username), FRIEND_ANNOTATIONS_FILE))
  const out = new Map<string, FriendAnnotation>()
  if (bytes !== undefined) for (const a of parseCborStream(bytes, friendAnnotationFromCbor).items) out.set(a.username, a)
  return out
}

/** addFriendAnnotation: records that we compared safety numbers with `username` (made from `keys`). */
export async function markVerified(x: SocialContext, username: string, keys: readonly PublicKeyHash[], verified = true): Promise<void> {
  const all = await friendAnnotations(x)
  all.set(username, { username, verified, keysAtVerification: [...keys] })
  const parts = [...all.keys()].sort().map((n) => encodeFriendAnnotation(all.get(n)!))
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    bytes.set(p, off)
    off += p.length
  }
  await writeSmallFile(x.fs, joinPath(homeOf(x.username), FRIEND_ANNOTATIONS_FILE), bytes, true)
}

function sameChain(a: readonly UserPublicKeyLink[], b: readonly UserPublicKeyLink[]): boolean {
  return a.length === b.length && a.every((l, i) => l.owner.equals(b[i].owner) && compareLocalDate(l.claim.expiry, b[i].claim.expiry) === 0)
}
