// Following (reference §6.1; UserContext.sendFollowRequest, processFollowRequests,
// sendReplyFollowRequest). A request carries a read capability to /<me>/shared/<target> (so the
// target can follow us once we share things there) and a requested key (asking them to follow us
// back). The target accepts (makes /<target>/shared/<me>, puts us in its followers group and sends
// that folder's capability), reciprocates (follows us: keeps our entry point, and says so by
// returning our folder's key), both (we join its friends group too), or rejects (a null capability,
// no key). Replies to our own requests are processed when we list our requests. The files each step
// changes (folder, sharing files, records, pending state, entry points) go in one commit (batch.ts), and
// the independent lookups of a step run together.
import { nullCapability, readOnly } from '../../model/capability.ts'
import type { EntryPoint } from '../../model/entry-point.ts'
import { FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME } from '../../model/groups.ts'
import { encodePendingSocialState, withoutPending, withPending } from '../../model/pending-social-state.ts'
import { randomSymmetricKey, type SymmetricKey } from '../../model/symmetric-key.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { SocialContext } from './context.ts'
import { AlreadyFollowingError, ForgedOwnerError } from './errors.ts'
import { receivedFollowRequests, removeFollowRequest, sendBlindRequest, isNullCapability, type ReceivedFollowRequest } from './follow-requests.ts'
import { joinPath } from '../paths.ts'
import { SocialBatch } from './batch.ts'
import { checkEntryPoint, following } from './friends.ts'
import { trustedIdentity } from './identity-verification.ts'
import { homeOf, sharedDirOf, SOCIAL_STATE_FILE } from './names.ts'
import { publicKeysFor } from './public-keys.ts'
import { followerFolders, pendingOutgoing, savePendingOutgoing } from './social-state.ts'
import { stageAddToGroups, stageFriendEntryPoint, type GroupName } from './staged-sharing.ts'

/** sendInitialFollowRequest: false when asked to follow ourselves. */
export async function sendFollowRequest(x: SocialContext, target: string, requestedKey: SymmetricKey = randomSymmetricKey(x.net.crypto)): Promise<boolean> {
  if (target === x.username) return false
  const batch = new SocialBatch(x)
  // first seen now, or still the key first seen (IdentityKeyChangedError); the key store is written with the rest
  const [followed, , keys, pending] = await Promise.all([following(x, batch.view), trustedIdentity(x, target, batch), publicKeysFor(x, target), pendingOutgoing(x, batch.view)])
  if (followed.includes(target)) throw new AlreadyFollowingError(`User ${target} is already a follower!`)
  const dir = await batch.folder(sharedDirOf(x.username, target), true)
  batch.write(socialStatePath(x), encodePendingSocialState(withPending(pending, target)), true)
  await batch.commit()
  const entry: EntryPoint = { pointer: readOnly(dir), ownerName: x.username }
  try {
    await sendBlindRequest(x, keys, { entry, key: requestedKey })
  } catch (e) {
    await savePendingOutgoing(x, pending).catch(() => {}) // not sent: not pending
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
 * processFollowRequests: applies the replies to our requests and returns the others. `followed`
 * (reading what a user who accepted us shares) runs while our changes are committed: it reads their
 * files and writes only our capability cache.
 */
export async function processFollowRequests(x: SocialContext, followed?: Followed): Promise<ProcessedFollowRequests> {
  const batch = new SocialBatch(x)
  const theirs = x.reader.snapshot() // those who answered: their pointers read once, for the check and for reading their shares
  const [all, folderNames, pending0] = await Promise.all([receivedFollowRequests(x), followerFolders(x, false, batch.view), pendingOutgoing(x, batch.view)])
  const folders = new Set(folderNames)
  const waiting = new Set(pending0.pendingOutgoing)
  let pending = pending0
  const newlyFollowing: EntryPoint[] = []
  const answered: ReceivedFollowRequest[] = []
  for (const r of all.filter((r) => waiting.has(r.from))) {
    const entry = r.request.entry!
    const accepted = !isNullCapability(entry.pointer)
    if (accepted) {
      // reading their shares needs their folder's writer: fetched while its ownership is checked (used only once proven)
      theirs.writerData(entry.pointer.owner, entry.pointer.writer).catch(() => undefined)
      try {
        await checkEntryPoint(x, entry, theirs)
      } catch (e) {
        if (!(e instanceof ForgedOwnerError)) throw e
        answered.push(r) // someone posing as the user we asked: ignored
        continue
      }
    }
    const groups: GroupName[] = r.request.key === undefined ? [] : accepted ? [FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME] : [FOLLOWERS_GROUP_NAME]
    // they do not follow us back: our folder for them goes
    if (r.request.key === undefined && folders.has(r.from)) await x.fs.remove(sharedDirOf(x.username, r.from))
    await stageAddToGroups(x, batch, r.from, groups)
    // addToStatic: an accepting reply's entry point joins those we follow
    if (accepted && entry.ownerName !== x.username) {
      await stageFriendEntryPoint(x, batch, entry, true)
      newlyFollowing.push(entry)
    }
    pending = withoutPending(pending, r.from)
    answered.push(r)
  }
  if (pending !== pending0) batch.write(socialStatePath(x), encodePendingSocialState(pending), true)
  const pickUps = followed === undefined ? Promise.resolve() : (async () => { for (const e of newlyFollowing) await followed(e, theirs) })()
  const [committed, pickedUp] = await Promise.allSettled([batch.commit(), pickUps])
  if (committed.status === 'rejected') throw committed.reason
  if (pickedUp.status === 'rejected') throw pickedUp.reason
  const removals = Promise.all(answered.map((r) => removeFollowRequest(x, r))).then(() => undefined)
  removals.catch(() => {}) // awaited by the caller; not unhandled meanwhile
  return { incoming: all.filter((r) => !waiting.has(r.from) && !folders.has(r.from)), newlyFollowing, removals }
}

/** Reads what a newly followed user shares with us (`theirs`: the snapshot their entry point was checked in). */
export type Followed = (e: EntryPoint, theirs: TreeReader) => Promise<void>

export interface FollowReply {
  /** Let them follow us (they get a folder of ours). */
  readonly accept: boolean
  /** Follow them back (we keep their entry point). */
  readonly reciprocate: boolean
}

/**
 * sendReplyFollowRequest: answers a request; returns their entry point when we now follow them.
 * `followed` (reading what they share) runs while the reply is sent.
 */
export async function replyToFollowRequest(x: SocialContext, r: ReceivedFollowRequest, reply: FollowReply, followed?: Followed): Promise<EntryPoint | undefined> {
  const them = r.from
  const theirEntry = r.request.entry!
  // their entry point is checked before anything is made or sent (their identity WriterData read once for both)
  const theirs = x.reader.snapshot()
  if (reply.reciprocate) theirs.writerData(theirEntry.pointer.owner, theirEntry.pointer.writer).catch(() => undefined) // for reading their shares, once checked
  const [keys] = await Promise.all([publicKeysFor(x, them, theirs), reply.accept || reply.reciprocate ? checkEntryPoint(x, theirEntry, theirs) : undefined])
  if (!reply.accept && !reply.reciprocate) {
    await sendBlindRequest(x, keys, { entry: { pointer: nullCapability(x.net.crypto), ownerName: x.username } })
    await removeFollowRequest(x, r)
    return undefined
  }
  const batch = new SocialBatch(x)
  let entry: EntryPoint = { pointer: nullCapability(x.net.crypto), ownerName: x.username }
  if (reply.accept) {
    entry = { pointer: readOnly(await batch.folder(sharedDirOf(x.username, them), true)), ownerName: x.username }
    await stageAddToGroups(x, batch, them, reply.reciprocate ? [FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME] : [FOLLOWERS_GROUP_NAME])
  }
  if (reply.reciprocate) await stageFriendEntryPoint(x, batch, theirEntry, true)
  await batch.commit()
  await Promise.all([
    sendBlindRequest(x, keys, { entry, key: reply.reciprocate ? theirEntry.pointer.rBaseKey : undefined }),
    removeFollowRequest(x, r),
    reply.reciprocate && followed !== undefined ? followed(theirEntry, theirs) : undefined,
  ])
  return reply.reciprocate ? theirEntry : undefined
}
