// The user's record of whom they follow (UserContext.addExternalEntryPoint, getFriendsEntryPoints,
// unfollow, getBlocked, unblock): /<user>/.from-friends.cborstream holds, appended, the EntryPoint of
// each sharing folder a friend made for us (the latest one per writing key counts), and
// /<user>/.blocked-usernames.txt the users we unfollowed, one per line.
import { equalBytes } from '../../codec/cid.ts'
import { encodeEntryPoint, entryPointFromCbor, type EntryPoint } from '../../model/entry-point.ts'
import { joinPath } from '../paths.ts'
import { parseCborStream } from './cbor-stream.ts'
import type { SocialContext } from './context.ts'
import { ForgedOwnerError } from './errors.ts'
import { BLOCKED_FILE, capCacheDirOf, FRIEND_STATE_SUFFIX, FROM_FRIENDS_FILE, homeOf } from './names.ts'
import type { TreeReader } from '../tree-reader.ts'
import { fsFiles, type OwnFiles } from './own-view.ts'
import { identityOf, ownsKeyFor } from './public-keys.ts'
import { appendToFile, readIfExists, removeIfExists, writeSmallFile } from './user-files.ts'

/** Every entry point friends gave us, the latest per writing key, blocked users left out. */
export async function friendEntryPoints(x: SocialContext, files: OwnFiles = fsFiles(x)): Promise<EntryPoint[]> {
  const [bytes, blockedNames] = await Promise.all([files.read(joinPath(homeOf(x.username), FROM_FRIENDS_FILE)), blockedUsers(x, files)])
  if (bytes === undefined) return []
  const blocked = new Set(blockedNames)
  const latest = new Map<string, EntryPoint>()
  for (const e of parseCborStream(bytes, entryPointFromCbor).items) {
    if (blocked.has(e.ownerName) || e.ownerName === x.username) continue
    const key = e.pointer.writer.toString()
    latest.delete(key)
    latest.set(key, e)
  }
  return [...latest.values()]
}

/** EntryPoint.isValid: the claimed owner's identity (from the PKI) is the capability's owner and owns its writing key. */
export async function checkEntryPoint(x: SocialContext, e: EntryPoint, reader: TreeReader = x.reader): Promise<void> {
  const key = `${e.ownerName}|${e.pointer.owner.toString()}|${e.pointer.writer.toString()}`
  if (x.memo.checkedEntries.has(key)) return // an owner's writing keys stay its own
  // whether the claimed owner owns the writing key is a fact about those keys whoever claims them:
  // looked up while the PKI is asked whose identity that is
  const owns = ownsKeyFor(x, e.pointer.owner, e.pointer.writer, reader)
  owns.catch(() => {}) // not awaited when the identity does not match
  const identity = await identityOf(x, e.ownerName)
  if (identity === undefined || !identity.equals(e.pointer.owner) || !(await owns)) {
    throw new ForgedOwnerError(`Incorrect claimed owner ${e.ownerName} for entry point`)
  }
  x.memo.checkedEntries.add(key)
}

/** addExternalEntryPoint: appends a friend's (checked) entry point to .from-friends.cborstream. */
export async function addFriendEntryPoint(x: SocialContext, e: EntryPoint): Promise<void> {
  if (e.ownerName === x.username) throw new ForgedOwnerError('Cannot add an entry point to your own filesystem!')
  await checkEntryPoint(x, e)
  const path = joinPath(homeOf(x.username), FROM_FRIENDS_FILE)
  const bytes = await readIfExists(x.fs, path)
  const earlier = bytes === undefined ? [] : parseCborStream(bytes, entryPointFromCbor).items.filter((p) => p.ownerName === e.ownerName)
  // A new folder from someone we followed before (they removed us, then accepted us again): the byte
  // offsets reached in their old sharing files mean nothing in the new ones, which are read from the start.
  if (earlier.length > 0 && !earlier.some((p) => sameEntry(p, e))) await removeIfExists(x.fs, joinPath(capCacheDirOf(x.username), e.ownerName + FRIEND_STATE_SUFFIX))
  await appendToFile(x.fs, path, encodeEntryPoint(e), true)
}

function sameEntry(a: EntryPoint, b: EntryPoint): boolean {
  return a.pointer.writer.equals(b.pointer.writer) && equalBytes(a.pointer.mapKey, b.pointer.mapKey)
}

export async function blockedUsers(x: SocialContext, files: OwnFiles = fsFiles(x)): Promise<string[]> {
  const bytes = await files.read(joinPath(homeOf(x.username), BLOCKED_FILE))
  if (bytes === undefined) return []
  return [...new Set(new TextDecoder().decode(bytes).split('\n').filter((n) => n !== ''))]
}

/** unfollow: the user is appended to the blocked list; their shares are no longer read. */
export async function block(x: SocialContext, name: string): Promise<void> {
  await appendToFile(x.fs, joinPath(homeOf(x.username), BLOCKED_FILE), new TextEncoder().encode(name + '\n'), true)
}

/** unblock: the list is rewritten without the user, sorted. */
export async function unblock(x: SocialContext, name: string): Promise<void> {
  const path = joinPath(homeOf(x.username), BLOCKED_FILE)
  const all = await blockedUsers(x)
  if (!all.includes(name)) return
  const rest = all.filter((n) => n !== name).sort()
  await writeSmallFile(x.fs, path, new TextEncoder().encode(rest.map((n) => n + '\n').join('')), true)
}

/**
 * The users we follow (getFollowing, i.e. the friend roots that still resolve): owners of the entry
 * points friends gave us, minus blocked ones, minus those whose folder for us is gone (they removed us
 * as a follower). When the folders cannot be read at all (a server unreachable), none is dropped.
 */
export async function following(x: SocialContext, files: OwnFiles = fsFiles(x)): Promise<string[]> {
  const entries = await friendEntryPoints(x, files)
  const found = entries.length === 0 ? [] : await x.reader.snapshot().readChunks(entries.map((e) => e.pointer), false).catch(() => undefined)
  const live = found === undefined ? entries : entries.filter((_, i) => found[i] !== undefined)
  return [...new Set(live.map((e) => e.ownerName))].sort()
}
