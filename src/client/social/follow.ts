// Following (reference §6.1; UserContext.sendFollowRequest, processFollowRequests,
// sendReplyFollowRequest). A request carries a read capability to /<me>/shared/<target> (so the
// target can follow us once we share things there) and a requested key (asking them to follow us
// back). The target accepts (makes /<target>/shared/<me>, puts us in its followers group and sends
// that folder's capability), reciprocates (follows us: keeps our entry point, and says so by
// returning our folder's key), both (we join its friends group too), or rejects (a null capability,
// no key). Replies to our own requests are processed when we list our requests.
import { nullCapability, readOnly } from '../../model/capability.ts'
import type { EntryPoint } from '../../model/entry-point.ts'
import { FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME } from '../../model/groups.ts'
import { withoutPending, withPending } from '../../model/pending-social-state.ts'
import { randomSymmetricKey, type SymmetricKey } from '../../model/symmetric-key.ts'
import type { SocialContext } from './context.ts'
import { AlreadyFollowingError, ForgedOwnerError } from './errors.ts'
import { receivedFollowRequests, removeFollowRequest, sendBlindRequest, isNullCapability, type ReceivedFollowRequest } from './follow-requests.ts'
import { addFriendEntryPoint, checkEntryPoint, following } from './friends.ts'
import { trustedIdentity } from './identity-verification.ts'
import { sharedDirOf } from './names.ts'
import { publicKeysOf } from './public-keys.ts'
import { addToGroup, followerFolders, pendingOutgoing, savePendingOutgoing } from './social-state.ts'

/** sendInitialFollowRequest: false when asked to follow ourselves. */
export async function sendFollowRequest(x: SocialContext, target: string, requestedKey: SymmetricKey = randomSymmetricKey(x.net.crypto)): Promise<boolean> {
  if (target === x.username) return false
  if ((await following(x)).includes(target)) throw new AlreadyFollowingError(`User ${target} is already a follower!`)
  await trustedIdentity(x, target) // first seen now, or still the key first seen (IdentityKeyChangedError)
  const keys = await publicKeysOf(x.net, x.reader, target)
  const dir = sharedDirOf(x.username, target)
  await x.fs.mkdir(dir, { parents: true, hidden: true })
  const entry: EntryPoint = { pointer: readOnly(await x.fs.capabilityOf(dir)), ownerName: x.username }
  await sendBlindRequest(x, keys, { entry, key: requestedKey })
  await savePendingOutgoing(x, withPending(await pendingOutgoing(x), target))
  return true
}

export interface ProcessedFollowRequests {
  /** Requests from users who want to follow us, awaiting our reply. */
  readonly incoming: ReceivedFollowRequest[]
  /** Entry points of users we now follow (their replies accepted our requests). */
  readonly newlyFollowing: EntryPoint[]
}

/** processFollowRequests: applies the replies to our requests and returns the others. */
export async function processFollowRequests(x: SocialContext): Promise<ProcessedFollowRequests> {
  const all = await receivedFollowRequests(x)
  const folders = new Set(await followerFolders(x, false))
  let pending = await pendingOutgoing(x)
  const waiting = new Set(pending.pendingOutgoing)
  const newlyFollowing: EntryPoint[] = []
  const done = async (who: string): Promise<void> => {
    if (!pending.pendingOutgoing.includes(who)) return
    pending = withoutPending(pending, who)
    await savePendingOutgoing(x, pending)
  }
  /** addToStatic: an accepting reply's entry point joins those we follow. */
  const keepEntry = async (r: ReceivedFollowRequest): Promise<void> => {
    const entry = r.request.entry!
    if (!isNullCapability(entry.pointer) && entry.ownerName !== x.username) {
      await addFriendEntryPoint(x, entry)
      newlyFollowing.push(entry)
    }
    await done(r.from)
    await removeFollowRequest(x, r)
  }
  for (const r of all.filter((r) => waiting.has(r.from))) {
    const entry = r.request.entry!
    if (!isNullCapability(entry.pointer)) {
      try {
        await checkEntryPoint(x, entry)
      } catch (e) {
        if (!(e instanceof ForgedOwnerError)) throw e
        await removeFollowRequest(x, r) // someone posing as the user we asked: ignored
        continue
      }
    }
    if (r.request.key === undefined) {
      // they do not follow us back: our folder for them goes
      if (folders.has(r.from)) await x.fs.remove(sharedDirOf(x.username, r.from))
      await keepEntry(r)
    } else if (isNullCapability(entry.pointer)) {
      // they follow us, but we may not follow them
      await addToGroup(x, FOLLOWERS_GROUP_NAME, r.from)
      await done(r.from)
      await removeFollowRequest(x, r)
    } else {
      await addToGroup(x, FOLLOWERS_GROUP_NAME, r.from)
      await addToGroup(x, FRIENDS_GROUP_NAME, r.from)
      await keepEntry(r)
    }
  }
  return { incoming: all.filter((r) => !waiting.has(r.from) && !folders.has(r.from)), newlyFollowing }
}

export interface FollowReply {
  /** Let them follow us (they get a folder of ours). */
  readonly accept: boolean
  /** Follow them back (we keep their entry point). */
  readonly reciprocate: boolean
}

/** sendReplyFollowRequest: answers a request; returns their entry point when we now follow them. */
export async function replyToFollowRequest(x: SocialContext, r: ReceivedFollowRequest, reply: FollowReply): Promise<EntryPoint | undefined> {
  const them = r.from
  const theirEntry = r.request.entry!
  const keys = await publicKeysOf(x.net, x.reader, them)
  if (reply.accept || reply.reciprocate) await checkEntryPoint(x, theirEntry) // before anything is made or sent
  if (!reply.accept && !reply.reciprocate) {
    await sendBlindRequest(x, keys, { entry: { pointer: nullCapability(x.net.crypto), ownerName: x.username } })
    await removeFollowRequest(x, r)
    return undefined
  }
  let entry: EntryPoint = { pointer: nullCapability(x.net.crypto), ownerName: x.username }
  if (reply.accept) {
    const dir = sharedDirOf(x.username, them)
    await x.fs.mkdir(dir, { parents: true, hidden: true })
    entry = { pointer: readOnly(await x.fs.capabilityOf(dir)), ownerName: x.username }
    await addToGroup(x, FOLLOWERS_GROUP_NAME, them)
  }
  if (reply.accept && reply.reciprocate) await addToGroup(x, FRIENDS_GROUP_NAME, them)
  await sendBlindRequest(x, keys, { entry, key: reply.reciprocate ? theirEntry.pointer.rBaseKey : undefined })
  if (reply.reciprocate) await addFriendEntryPoint(x, theirEntry)
  await removeFollowRequest(x, r)
  return reply.reciprocate ? theirEntry : undefined
}
