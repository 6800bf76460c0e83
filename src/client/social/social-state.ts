// The social graph as Peergos keeps it in the user's own files (UserContext.getSocialState,
// getFollowerNames, getGroupNameMappings; SocialState): followers are the folders in /<me>/shared
// (not the '.'-named group folders and group file, nor users we still await a reply from); the
// users we follow are the owners of the entry points in .from-friends.cborstream; friends are both.
// The friends and followers groups each have a folder /<me>/shared/<uid> shared with their members;
// /<me>/shared/.groups.cbor names them and is created, with the folders, on first use.
import { decodeGroups, encodeGroups, FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME, generateGroups, groupUid, type Groups } from '../../model/groups.ts'
import {
  decodePendingSocialState, encodePendingSocialState, type PendingSocialState,
} from '../../model/pending-social-state.ts'
import { NotFoundError } from '../errors.ts'
import { joinPath } from '../paths.ts'
import type { SocialContext } from './context.ts'
import { blockedUsers, following } from './friends.ts'
import { GROUPS_FILE, homeOf, sharedDirOf, SOCIAL_STATE_FILE } from './names.ts'
import { shareReadAccessWith } from './sharing.ts'
import { fsFiles, type OwnFiles } from './own-view.ts'
import { readIfExists, writeSmallFile } from './user-files.ts'

export async function pendingOutgoing(x: SocialContext, files: OwnFiles = fsFiles(x)): Promise<PendingSocialState> {
  const bytes = await files.read(joinPath(homeOf(x.username), SOCIAL_STATE_FILE))
  return bytes === undefined ? { pendingOutgoing: [] } : decodePendingSocialState(bytes)
}

export async function savePendingOutgoing(x: SocialContext, s: PendingSocialState): Promise<void> {
  await writeSmallFile(x.fs, joinPath(homeOf(x.username), SOCIAL_STATE_FILE), encodePendingSocialState(s), true)
}

/** The per-follower folders in /<me>/shared (getFollowerRoots), optionally without pending outgoing requests. */
export async function followerFolders(x: SocialContext, excludePending: boolean, files: OwnFiles = fsFiles(x)): Promise<string[]> {
  const [pendingState, children] = await Promise.all([excludePending ? pendingOutgoing(x, files) : undefined, files.list(sharedDirOf(x.username))])
  const pending = new Set(pendingState?.pendingOutgoing ?? [])
  return children.filter((c) => c.isDirectory && !c.name.startsWith('.') && !pending.has(c.name)).map((c) => c.name)
}

export async function followers(x: SocialContext, files: OwnFiles = fsFiles(x)): Promise<string[]> {
  return (await followerFolders(x, true, files)).sort()
}

/** Groups.getGroupNameMappings: reads .groups.cbor, or makes both groups (folders shared with current members) and then the file. */
export async function groups(x: SocialContext): Promise<Groups> {
  const path = sharedDirOf(x.username, GROUPS_FILE)
  const bytes = await readIfExists(x.fs, path)
  if (bytes !== undefined) return decodeGroups(bytes)
  const g = generateGroups(x.net.crypto)
  const followerNames = await followers(x)
  const followed = await following(x)
  for (const [uid, name] of g.uidToGroupName) {
    await x.fs.mkdir(sharedDirOf(x.username, uid), { parents: true, hidden: true })
    const members = name === FOLLOWERS_GROUP_NAME ? followerNames : followed.filter((n) => followerNames.includes(n))
    await shareReadAccessWith(x, sharedDirOf(x.username, uid), members)
  }
  await writeSmallFile(x.fs, path, encodeGroups(g), false)
  return g
}

export async function groupFolder(x: SocialContext, groupName: typeof FRIENDS_GROUP_NAME | typeof FOLLOWERS_GROUP_NAME): Promise<{ uid: string; path: string }> {
  const uid = groupUid(await groups(x), groupName)
  if (uid === undefined) throw new NotFoundError(`${sharedDirOf(x.username, GROUPS_FILE)} has no ${groupName} group`)
  return { uid, path: sharedDirOf(x.username, uid) }
}

/** Adds a user to one of our groups: the group's folder is shared with them. */
export async function addToGroup(x: SocialContext, groupName: typeof FRIENDS_GROUP_NAME | typeof FOLLOWERS_GROUP_NAME, user: string): Promise<void> {
  await shareReadAccessWith(x, (await groupFolder(x, groupName)).path, [user])
}

export interface SocialState {
  readonly pendingOutgoing: readonly string[]
  readonly followers: readonly string[]
  readonly following: readonly string[]
  /** Followers we follow back. */
  readonly friends: readonly string[]
  readonly blocked: readonly string[]
  /** Group uid → name. */
  readonly groups: ReadonlyMap<string, string>
  readonly friendsGroupUid: string
  readonly followersGroupUid: string
}

export async function socialState(x: SocialContext): Promise<SocialState> {
  const pending = (await pendingOutgoing(x)).pendingOutgoing
  const followerNames = await followers(x)
  const followed = await following(x)
  const g = await groups(x)
  return {
    pendingOutgoing: [...pending].sort(),
    followers: followerNames,
    following: followed,
    friends: followed.filter((n) => followerNames.includes(n)),
    blocked: (await blockedUsers(x)).sort(),
    groups: g.uidToGroupName,
    friendsGroupUid: groupUid(g, FRIENDS_GROUP_NAME)!,
    followersGroupUid: groupUid(g, FOLLOWERS_GROUP_NAME)!,
  }
}
