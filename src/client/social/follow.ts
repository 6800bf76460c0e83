// Following (reference §6.1; UserContext.sendFollowRequest, processFollowRequests,
// sendReplyFollowRequest). A request carries a read capability to /<me>/shared/<target> (so the
// target can follow us once we share things there) and a requested key (asking them to follow us
// back). The target accepts (makes /<target>/shared/<me>, puts us in its followers group and sends
// that folder's capability), reciprocates (follows us: keeps our entry point, and says so by
// returning our folder's key), both (we join its friends group too), or rejects (a null capability,
// no key). Replies to our own requests are processed when we list our requests. The files each step
// changes (folder, sharing files, records, pending state, entry points, and what a newly followed user
// shares with us, read while their entry point is checked) go in one commit (batch.ts), the independent
// lookups of a step run together, and a request is sealed while the commit before it is under way.
import { nullCapability, readOnly } from '../../model/capability.ts'
import type { EntryPoint } from '../../model/entry-point.ts'
import { FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME } from '../../model/groups.ts'
import { encodePendingSocialState, withoutPending, withPending } from '../../model/pending-social-state.ts'
import { EMPTY_PROCESSED_CAPS } from '../../model/processed-caps.ts'
import { randomSymmetricKey, type SymmetricKey } from '../../model/symmetric-key.ts'
import { PeergosError } from '../../errors.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { SocialContext } from './context.ts'
import { AlreadyFollowingError, ForgedOwnerError } from './errors.ts'
import type { CapabilityWithPath } from './capability-store.ts'
import {
  isNullCapability, receivedFollowRequests, removeFollowRequest, sealFollowRequest, sendBlindRequest, sendSealedRequest, type ReceivedFollowRequest, type SealedFollowRequest,
} from './follow-requests.ts'
import type { FriendRead, IncomingCaps } from './incoming-caps.ts'
import { joinPath } from '../paths.ts'
import { SocialBatch } from './batch.ts'
import { checkEntryPoint, following } from './friends.ts'
import { trustedIdentity } from './identity-verification.ts'
import { capCacheDirOf, FRIEND_STATE_SUFFIX, homeOf, sharedDirOf, SOCIAL_STATE_FILE } from './names.ts'
import type { OwnFiles } from './own-view.ts'
import { publicKeysFor } from './public-keys.ts'
import { followerFolders, pendingOutgoing, savePendingOutgoing } from './social-state.ts'
import { stageAddToGroups, stageFriendEntryPoint, type GroupName } from './staged-sharing.ts'

/** sendInitialFollowRequest: false when asked to follow ourselves. */
export async function sendFollowRequest(x: SocialContext, target: string, requestedKey: SymmetricKey = randomSymmetricKey(x.net.crypto)): Promise<boolean> {
  if (target === x.username) return false
  const batch = new SocialBatch(x)
  prefetchOwnVersion(x)
  const keys = publicKeysFor(x, target) // needed once committed
  keys.catch(() => {})
  // first seen now, or still the key first seen (IdentityKeyChangedError); the key store is written with the rest
  const [followed, , pending] = await Promise.all([following(x, batch.view), trustedIdentity(x, target, batch), pendingOutgoing(x, batch.view)])
  if (followed.includes(target)) throw new AlreadyFollowingError(`User ${target} is already a follower!`)
  const dir = await batch.folder(sharedDirOf(x.username, target), true)
  batch.write(socialStatePath(x), encodePendingSocialState(withPending(pending, target)), true)
  const entry: EntryPoint = { pointer: readOnly(dir), ownerName: x.username }
  // the request is sealed (a key agreement) while the commit is under way
  const committed = batch.commit()
  try {
    let sealed: SealedFollowRequest
    try {
      sealed = sealFollowRequest(x, await keys, { entry, key: requestedKey })
    } finally {
      await committed
    }
    await sendSealedRequest(x, sealed)
  } catch (e) {
    if (await committed.then(() => true, () => false)) await savePendingOutgoing(x, pending).catch(() => {}) // not sent: not pending
    throw e
  }
  return true
}

function socialStatePath(x: SocialContext): string {
  return joinPath(homeOf(x.username), SOCIAL_STATE_FILE)
}

export interface ProcessedFollowRequests {
  /** Requests from users who want to follow us, awaiting our reply. */
  readonly incoming: ReceivedFollowRequest[]
  /** Entry points of users we now follow (their replies accepted our requests). */
  readonly newlyFollowing: EntryPoint[]
  /** The processed replies' removal from the server (under way; await it once the rest is done). */
  readonly removals: Promise<void>
}

/**
 * processFollowRequests: applies the replies to our requests and returns the others. With `incoming`,
 * what a user who accepted us shares is read while their entry point is checked, and goes into the
 * step's one commit (our capability cache); it is mounted once committed.
 */
export async function processFollowRequests(x: SocialContext, incoming?: IncomingCaps): Promise<ProcessedFollowRequests> {
  const batch = new SocialBatch(x)
  const theirs = x.reader.snapshot() // those who answered: their pointers read once, for the check and for reading their shares
  const [all, folderNames, pending0] = await Promise.all([receivedFollowRequests(x), followerFolders(x, false, batch.view), pendingOutgoing(x, batch.view)])
  const folders = new Set(folderNames)
  const waiting = new Set(pending0.pendingOutgoing)
  // every accepting reply's entry point checked at once, and what its sender shares read meanwhile (used only once proven)
  const replies = all.filter((r) => waiting.has(r.from)).map((r) => {
    const entry = r.request.entry!
    if (isNullCapability(entry.pointer)) return { r, proven: Promise.resolve(false), shares: undefined }
    prefetchWriters(theirs, entry)
    const proven = checkEntryPoint(x, entry, theirs).then(() => true, (e: unknown) => {
      if (e instanceof ForgedOwnerError) return false // someone posing as the user we asked: ignored
      throw e
    })
    proven.catch(() => {}) // awaited below in order
    const shares = incoming === undefined || entry.ownerName === x.username ? undefined : startReading(incoming, entry, theirs, batch.view)
    return { r, proven, shares }
  })
  if (replies.length > 0) prefetchOwnVersion(x) // replies are always recorded by a commit
  let pending = pending0
  const newlyFollowing: EntryPoint[] = []
  const pickUps: { entry: EntryPoint; shares: Promise<FriendRead | undefined> }[] = []
  const answered: ReceivedFollowRequest[] = []
  for (const { r, proven, shares } of replies) {
    const entry = r.request.entry!
    const accepted = !isNullCapability(entry.pointer)
    if (accepted && !(await proven)) {
      answered.push(r)
      continue
    }
    const groups: GroupName[] = r.request.key === undefined ? [] : accepted ? [FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME] : [FOLLOWERS_GROUP_NAME]
    // they do not follow us back: our folder for them goes
    if (r.request.key === undefined && folders.has(r.from)) await x.fs.remove(sharedDirOf(x.username, r.from))
    await stageAddToGroups(x, batch, r.from, groups)
    // addToStatic: an accepting reply's entry point joins those we follow
    if (accepted && entry.ownerName !== x.username) {
      await stageFriendEntryPoint(x, batch, entry, true)
      newlyFollowing.push(entry)
      if (shares !== undefined) pickUps.push({ entry, shares })
    }
    pending = withoutPending(pending, r.from)
    answered.push(r)
  }
  if (pending !== pending0) batch.write(socialStatePath(x), encodePendingSocialState(pending), true)
  const picked = incoming === undefined ? [] : await stagePickUps(x, incoming, batch, theirs, pickUps)
  await batch.commit()
  const removals = Promise.all(answered.map((r) => removeFollowRequest(x, r))).then(() => undefined)
  removals.catch(() => {}) // awaited by the caller; not unhandled meanwhile
  if (incoming !== undefined) await mountPickedUp(incoming, picked)
  return { incoming: all.filter((r) => !waiting.has(r.from) && !folders.has(r.from)), newlyFollowing, removals }
}

/**
 * The WriterData an entry point's check reads (the claimed owner's identity; the PKI confirms it
 * meanwhile) and the one reading their shares needs (their folder's writer), fetched at once. Reads
 * only: nothing is trusted before the check.
 */
function prefetchWriters(theirs: TreeReader, e: EntryPoint): void {
  theirs.writerData(e.pointer.owner, e.pointer.owner).catch(() => undefined)
  theirs.writerData(e.pointer.owner, e.pointer.writer).catch(() => undefined)
}

/** Our root writer's current version, read while a step that commits does its lookups (its first commit of the session would read it first). */
/** Before a step's certain commit: our writer's version and the server transaction, fetched while the step reads. */
function prefetchOwnVersion(x: SocialContext): void {
  x.rootWriter.latest().catch(() => undefined)
  x.rootWriter.warmTransaction()
}

/**
 * Reading what a newly followed user shares (IncomingCaps.readFriend: writes nothing, so it starts
 * before their entry point is proven); undefined when it cannot be read: a broken share of theirs must
 * not fail the handshake (it is read again on the next refresh).
 */
function startReading(incoming: IncomingCaps, e: EntryPoint, theirs: TreeReader, files: OwnFiles): Promise<FriendRead | undefined> {
  const read = incoming.readFriend(e, theirs, files).catch(tolerated)
  read.catch(() => {}) // awaited once the entry point is proven, or dropped
  return read
}

function tolerated(e: unknown): undefined {
  if (e instanceof PeergosError) return undefined
  throw e
}

/**
 * The pick-ups' reads staged in the step's batch (one commit for the step and its pick-ups). A user's
 * entry point that replaces an older one resets our offsets in their files (stageFriendEntryPoint):
 * those are read again from the start. One pick-up per user.
 */
async function stagePickUps(x: SocialContext, incoming: IncomingCaps, batch: SocialBatch, theirs: TreeReader, pickUps: readonly { entry: EntryPoint; shares: Promise<FriendRead | undefined> }[]): Promise<CapabilityWithPath[]> {
  const reset = new Set(pickUps.filter((p) => batch.staged(friendStatePath(x, p.entry)) !== undefined).map((p) => p.entry.ownerName))
  const seen = new Set<string>()
  const out: CapabilityWithPath[] = []
  for (const { entry, shares } of pickUps) {
    if (seen.has(entry.ownerName)) continue
    seen.add(entry.ownerName)
    let read = await shares
    if (read !== undefined && reset.has(entry.ownerName)) read = await incoming.readFriend(entry, theirs, batch.view, EMPTY_PROCESSED_CAPS).catch(tolerated)
    if (read === undefined) continue
    const caps = await incoming.stageFriend(batch, read).catch(tolerated)
    if (caps !== undefined) out.push(...caps)
  }
  return out
}

function friendStatePath(x: SocialContext, e: EntryPoint): string {
  return joinPath(capCacheDirOf(x.username), e.ownerName + FRIEND_STATE_SUFFIX)
}

/** The items picked up, mounted (after the commit that recorded them). */
async function mountPickedUp(incoming: IncomingCaps, caps: readonly CapabilityWithPath[]): Promise<void> {
  if (caps.length > 0) await incoming.mountNew(caps).catch(tolerated)
}

export interface FollowReply {
  /** Let them follow us (they get a folder of ours). */
  readonly accept: boolean
  /** Follow them back (we keep their entry point). */
  readonly reciprocate: boolean
}

/**
 * sendReplyFollowRequest: answers a request; returns their entry point when we now follow them. Our
 * changes are staged while their entry point is checked and committed once it is proven; with
 * `incoming`, what they share is read meanwhile too and goes into the same commit.
 */
export async function replyToFollowRequest(x: SocialContext, r: ReceivedFollowRequest, reply: FollowReply, incoming?: IncomingCaps): Promise<EntryPoint | undefined> {
  const them = r.from
  const theirEntry = r.request.entry!
  // their identity WriterData is read once, for their boxer and for checking their entry point
  const theirs = x.reader.snapshot()
  const keys = publicKeysFor(x, them, theirs)
  if (!reply.accept && !reply.reciprocate) {
    await sendBlindRequest(x, await keys, { entry: { pointer: nullCapability(x.net.crypto), ownerName: x.username } })
    await removeFollowRequest(x, r)
    return undefined
  }
  keys.catch(() => {}) // needed once committed
  prefetchWriters(theirs, theirEntry)
  const batch = new SocialBatch(x)
  prefetchOwnVersion(x)
  const shares = reply.reciprocate && incoming !== undefined ? startReading(incoming, theirEntry, theirs, batch.view) : undefined
  // the reply is sealed (a key agreement: CPU) as soon as its folder's capability is chosen, while the
  // step still waits for its reads, not when the commit's nodes are being built and sent
  const sealing = (entry: EntryPoint): Promise<SealedFollowRequest> => {
    const s = keys.then((k) => sealFollowRequest(x, k, { entry, key: reply.reciprocate ? theirEntry.pointer.rBaseKey : undefined }))
    s.catch(() => {}) // awaited once committed
    return s
  }
  let sealed: Promise<SealedFollowRequest> | undefined = reply.accept ? undefined : sealing({ pointer: nullCapability(x.net.crypto), ownerName: x.username })
  const staging = async (): Promise<void> => {
    if (reply.accept) {
      sealed = sealing({ pointer: readOnly(await batch.folder(sharedDirOf(x.username, them), true)), ownerName: x.username })
      await stageAddToGroups(x, batch, them, reply.reciprocate ? [FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME] : [FOLLOWERS_GROUP_NAME])
    }
    if (reply.reciprocate) await stageFriendEntryPoint(x, batch, theirEntry, true) // committed only once proven (below)
  }
  // nothing is made or sent before their entry point is proven
  await Promise.all([checkEntryPoint(x, theirEntry, theirs), staging()])
  const picked = shares === undefined ? [] : await stagePickUps(x, incoming!, batch, theirs, [{ entry: theirEntry, shares }])
  await batch.commit()
  await Promise.all([
    sendSealedRequest(x, await sealed!),
    removeFollowRequest(x, r),
    incoming === undefined ? undefined : mountPickedUp(incoming, picked),
  ])
  return reply.reciprocate ? theirEntry : undefined
}
