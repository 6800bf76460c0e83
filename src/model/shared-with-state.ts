// SharedWithState (Peergos SharedWithState, stored as sharedWith.cbor in the mirror tree
// /<user>/.capabilitycache/outbound/<path of a directory>/): for the children of one directory of ours,
// who has read access, who has write access, and the secret links. CBOR
// {r: {name: [user...]}, w: {name: [user...]}, l: {name: [LinkProperties...]}} (`l` may be absent).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, asString, cborMap, Fields } from '../codec/cbor-read.ts'
import { linkPropertiesFromCbor, linkPropertiesToCbor, type LinkProperties } from './link-properties.ts'

export type Access = 'read' | 'write'

export interface SharedWithState {
  readonly read: ReadonlyMap<string, readonly string[]>
  readonly write: ReadonlyMap<string, readonly string[]>
  readonly links: ReadonlyMap<string, readonly LinkProperties[]>
}

export const EMPTY_SHARED_WITH: SharedWithState = { read: new Map(), write: new Map(), links: new Map() }

/** Who a child of the directory is shared with (FileSharedWithState). */
export interface FileSharedWith {
  readonly read: readonly string[]
  readonly write: readonly string[]
  readonly links: readonly LinkProperties[]
}

export function sharedWithOf(s: SharedWithState, name: string): FileSharedWith {
  return { read: s.read.get(name) ?? [], write: s.write.get(name) ?? [], links: s.links.get(name) ?? [] }
}

/** SharedWithState.add: `names` gain `access` to the child `name`. */
export function addSharedWith(s: SharedWithState, access: Access, name: string, names: readonly string[]): SharedWithState {
  if (names.length === 0) return s
  const m = new Map(access === 'read' ? s.read : s.write)
  m.set(name, [...new Set([...(m.get(name) ?? []), ...names])])
  return access === 'read' ? { ...s, read: m } : { ...s, write: m }
}

/** SharedWithState.remove: `names` lose `access` to the child `name` (the entry goes when empty). */
export function removeSharedWith(s: SharedWithState, access: Access, name: string, names: readonly string[]): SharedWithState {
  const m = new Map(access === 'read' ? s.read : s.write)
  const left = (m.get(name) ?? []).filter((n) => !names.includes(n))
  if (left.length === 0) m.delete(name)
  else m.set(name, left)
  return access === 'read' ? { ...s, read: m } : { ...s, write: m }
}

function namesToCbor(m: ReadonlyMap<string, readonly string[]>): Map<string, CborValue> {
  const out = new Map<string, CborValue>()
  for (const [k, v] of m) out.set(k, [...v])
  return out
}

function namesFromCbor(f: Fields, key: string): Map<string, string[]> {
  const out = new Map<string, string[]>()
  for (const [k, v] of f.fields(key).map) out.set(k, [...new Set(asList(v, `SharedWithState.${key}`).map((x) => asString(x, `SharedWithState.${key}`)))])
  return out
}

export function sharedWithStateToCbor(s: SharedWithState): CborValue {
  const links = new Map<string, CborValue>()
  for (const [k, v] of s.links) links.set(k, v.map(linkPropertiesToCbor))
  return cborMap({ l: links, r: namesToCbor(s.read), w: namesToCbor(s.write) })
}

export function sharedWithStateFromCbor(v: CborValue): SharedWithState {
  const f = Fields.of(v, 'SharedWithState')
  const links = new Map<string, LinkProperties[]>()
  if (f.has('l')) for (const [k, l] of f.fields('l').map) links.set(k, asList(l, 'SharedWithState.l').map(linkPropertiesFromCbor))
  return { read: namesFromCbor(f, 'r'), write: namesFromCbor(f, 'w'), links }
}

export function encodeSharedWithState(s: SharedWithState): Uint8Array {
  return encodeCbor(sharedWithStateToCbor(s))
}

export function decodeSharedWithState(bytes: Uint8Array): SharedWithState {
  return sharedWithStateFromCbor(decodeCbor(bytes, { maxDepth: 6 }))
}
