// FriendsGroups (Peergos FriendsGroups, stored as /<user>/.groups-from-friends.cborstream): the group
// sharing folders friends have shared with us, by their path (/<friend>/shared/<uid>), each as an
// EntryPoint. CBOR {g: {path: EntryPoint}}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { entryPointFromCbor, entryPointToCbor, type EntryPoint } from './entry-point.ts'

export interface FriendsGroups {
  readonly pathToGroup: ReadonlyMap<string, EntryPoint>
}

export const EMPTY_FRIENDS_GROUPS: FriendsGroups = { pathToGroup: new Map() }

/** FriendsGroups.getFriends: the groups of one friend (paths under /<friend>/), with their paths. */
export function groupsOfFriend(g: FriendsGroups, friend: string): [string, EntryPoint][] {
  return [...g.pathToGroup].filter(([path]) => path.startsWith(`/${friend}/`))
}

export function addFriendGroup(g: FriendsGroups, path: string, group: EntryPoint): FriendsGroups {
  return { pathToGroup: new Map([...g.pathToGroup, [path, group]]) }
}

export function friendsGroupsToCbor(g: FriendsGroups): CborValue {
  const m = new Map<string, CborValue>()
  for (const [path, e] of g.pathToGroup) m.set(path, entryPointToCbor(e))
  return cborMap({ g: m })
}

export function friendsGroupsFromCbor(v: CborValue): FriendsGroups {
  const g = Fields.of(v, 'FriendsGroups').fields('g')
  const out = new Map<string, EntryPoint>()
  for (const [path, e] of g.map) out.set(path, entryPointFromCbor(e))
  return { pathToGroup: out }
}

export function encodeFriendsGroups(g: FriendsGroups): Uint8Array {
  return encodeCbor(friendsGroupsToCbor(g))
}

export function decodeFriendsGroups(bytes: Uint8Array): FriendsGroups {
  return friendsGroupsFromCbor(decodeCbor(bytes, { maxDepth: 7 }))
}
