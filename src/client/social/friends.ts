// The user's record of whom they follow (UserContext.addExternalEntryPoint, getFriendsEntryPoints,
// unfollow, getBlocked, unblock): /<user>/.from-friends.cborstream holds, appended, the EntryPoint of
// each sharing folder a friend made for us (the latest one per writing key counts), and
// /<user>/.blocked-usernames.txt the users we unfollowed, one per line.
import { encodeEntryPoint, entryPointFromCbor, type EntryPoint } from '../../model/entry-point.ts'
import { joinPath } from '../paths.ts'
import { parseCborStream } from './cbor-stream.ts'
import type { SocialContext } from './context.ts'
import { ForgedOwnerError } from './errors.ts'
import { BLOCKED_FILE, FROM_FRIENDS_FILE, homeOf } from './names.ts'
import { ownsKey } from './public-keys.ts'
import { appendToFile, readIfExists, writeSmallFile } from './user-files.ts'

/** Every entry point friends gave us, the latest per writing key, blocked users left out. */
export async function friendEntryPoints(x: SocialContext): Promise<EntryPoint[]> {
  const bytes = await readIfExists(x.fs, joinPath(homeOf(x.username), FROM_FRIENDS_FILE))
  if (bytes === undefined) return []
  const blocked = new Set(await blockedUsers(x))
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
export async function checkEntryPoint(x: SocialContext, e: EntryPoint): Promise<void> {
  const identity = await x.net.coreNode.getPublicKeyHash(e.ownerName)
  if (identity === undefined || !identity.equals(e.pointer.owner) || !(await ownsKey(x.net, x.reader, identity, e.pointer.writer))) {
    throw new ForgedOwnerError(`Incorrect claimed owner ${e.ownerName} for entry point`)
  }
}

/** addExternalEntryPoint: appends a friend's (checked) entry point to .from-friends.cborstream. */
export async function addFriendEntryPoint(x: SocialContext, e: EntryPoint): Promise<void> {
  if (e.ownerName === x.username) throw new ForgedOwnerError('Cannot add an entry point to your own filesystem!')
  await checkEntryPoint(x, e)
  await appendToFile(x.fs, joinPath(homeOf(x.username), FROM_FRIENDS_FILE), encodeEntryPoint(e), true)
}

export async function blockedUsers(x: SocialContext): Promise<string[]> {
  const bytes = await readIfExists(x.fs, joinPath(homeOf(x.username), BLOCKED_FILE))
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

/** The users we follow (getFollowing): owners of the entry points friends gave us, minus blocked ones. */
export async function following(x: SocialContext): Promise<string[]> {
  return [...new Set((await friendEntryPoints(x)).map((e) => e.ownerName))].sort()
}
