// Groups (Peergos Groups and SocialState's built-in group names, stored as /<user>/shared/.groups.cbor):
// the uid of each social group, a '.' followed by 64 hex digits so it never clashes with a username,
// mapped to its name ("friends", "followers"). CBOR {n: {uid: name}}. Each group has a sharing folder
// /<user>/shared/<uid> that is itself shared with the group's members.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asString, cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { InvalidObjectError } from './errors.ts'

export const FRIENDS_GROUP_NAME = 'friends'
export const FOLLOWERS_GROUP_NAME = 'followers'

export interface Groups {
  /** uid → group name. */
  readonly uidToGroupName: ReadonlyMap<string, string>
}

const UID = /^\.[0-9a-f]{64}$/

/** Groups.generateUid: "." + hex of 32 random bytes. */
export function generateGroupUid(c: CryptoProvider): string {
  return '.' + Array.from(c.randomBytes(32), (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Groups.generate: a fresh uid for the friends group and one for the followers group. */
export function generateGroups(c: CryptoProvider): Groups {
  return { uidToGroupName: new Map([[generateGroupUid(c), FRIENDS_GROUP_NAME], [generateGroupUid(c), FOLLOWERS_GROUP_NAME]]) }
}

/** The uid of the group called `name`, if any. */
export function groupUid(g: Groups, name: string): string | undefined {
  for (const [uid, n] of g.uidToGroupName) if (n === name) return uid
  return undefined
}

export function groupsToCbor(g: Groups): CborValue {
  return cborMap({ n: new Map([...g.uidToGroupName]) })
}

export function groupsFromCbor(v: CborValue): Groups {
  const n = Fields.of(v, 'Groups').fields('n')
  const out = new Map<string, string>()
  for (const [uid, name] of n.map) {
    if (!UID.test(uid)) throw new InvalidObjectError(`Groups: '${uid}' is not a group uid`)
    out.set(uid, asString(name, 'Groups.n'))
  }
  return { uidToGroupName: out }
}

export function encodeGroups(g: Groups): Uint8Array {
  return encodeCbor(groupsToCbor(g))
}

export function decodeGroups(bytes: Uint8Array): Groups {
  return groupsFromCbor(decodeCbor(bytes, { maxDepth: 3 }))
}
