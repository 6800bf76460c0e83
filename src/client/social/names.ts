// The file and folder names Peergos uses for social state, so a Peergos client and this one read and
// write the same files in the same account (UserContext, CapabilityStore, IncomingCapCache,
// SharedWithCache constants).
import { joinPath } from '../paths.ts'

/** /<user>/shared: one folder per follower (/<user>/shared/<follower>) and per group (/<user>/shared/<uid>). */
export const SHARED_DIR = 'shared'
/** /<user>/shared/.groups.cbor: the group uids (Groups). */
export const GROUPS_FILE = '.groups.cbor'
/** /<user>/.social-state.cbor: follow requests we sent and await a reply to (PendingSocialState). */
export const SOCIAL_STATE_FILE = '.social-state.cbor'
/** /<user>/.from-friends.cborstream: EntryPoints of the sharing folders friends made for us, appended. */
export const FROM_FRIENDS_FILE = '.from-friends.cborstream'
/** /<user>/.groups-from-friends.cborstream: the group folders friends shared with us (FriendsGroups). */
export const GROUPS_FROM_FRIENDS_FILE = '.groups-from-friends.cborstream'
/** /<user>/.blocked-usernames.txt: users we unfollowed, one per line. */
export const BLOCKED_FILE = '.blocked-usernames.txt'
/** CapabilityStore: read capabilities shared with the folder's user, appended AbsoluteCapability CBOR. */
export const READ_SHARING_FILE = 'sharing.r'
/** CapabilityStore: write capabilities, appended AbsoluteCapability CBOR. */
export const WRITE_SHARING_FILE = 'sharing.w'
/** /<user>/.capabilitycache: the incoming (world) and outbound (sharedWith) mirror trees. */
export const CAPABILITY_CACHE_DIR = '.capabilitycache'
/** IncomingCapCache: /<user>/.capabilitycache/world/<owner>/<path>/items.cbor (CapsInDirectory). */
export const WORLD_DIR = 'world'
export const DIR_CAPS_FILE = 'items.cbor'
/** IncomingCapCache: /<user>/.capabilitycache/<friend>$incoming.cbor (ProcessedCaps). */
export const FRIEND_STATE_SUFFIX = '$incoming.cbor'
/** SharedWithCache: /<user>/.capabilitycache/outbound/<owner>/<dir path>/sharedWith.cbor (SharedWithState). */
export const OUTBOUND_DIR = 'outbound'
export const SHARED_WITH_FILE = 'sharedWith.cbor'
/** TofuCoreNode.KEY_STORE_NAME: /<user>/.keystore, the claim chains of users as first seen (TofuKeyStore). */
export const KEY_STORE_FILE = '.keystore'
/** UserContext.FRIEND_ANNOTATIONS_FILE_NAME: /<user>/.annotations, friends whose identity we verified. */
export const FRIEND_ANNOTATIONS_FILE = '.annotations'
/** The mime type Peergos records for all of these files. */
export const OCTET_STREAM = 'application/octet-stream'

export function homeOf(username: string): string {
  return '/' + username
}

export function sharedDirOf(username: string, name?: string): string {
  const dir = joinPath(homeOf(username), SHARED_DIR)
  return name === undefined ? dir : joinPath(dir, name)
}

export function capCacheDirOf(username: string): string {
  return joinPath(homeOf(username), CAPABILITY_CACHE_DIR)
}
