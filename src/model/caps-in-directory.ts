// CapsInDirectory (Peergos IncomingCapCache.CapsInDirectory and ChildElement, stored as items.cbor in
// the mirror tree /<user>/.capabilitycache/world/<owner>/<path>/): the capabilities shared with us
// for the children of one directory of someone else's tree, each with who shared it. CBOR
// {c: [{n: name, c: AbsoluteCapability, s: [sharer...]}]}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, asString, cborMap, Fields } from '../codec/cbor-read.ts'
import { capabilityFromCbor, capabilityToCbor, type AbsoluteCapability } from './capability.ts'

export interface CapChild {
  readonly name: string
  readonly cap: AbsoluteCapability
  readonly sharers: readonly string[]
}

export interface CapsInDirectory {
  readonly children: readonly CapChild[]
}

export const EMPTY_CAPS_IN_DIRECTORY: CapsInDirectory = { children: [] }

export function capsInDirectoryToCbor(d: CapsInDirectory): CborValue {
  return cborMap({ c: d.children.map((ch) => cborMap({ c: capabilityToCbor(ch.cap), n: ch.name, s: [...ch.sharers] })) })
}

export function capsInDirectoryFromCbor(v: CborValue): CapsInDirectory {
  const children = Fields.of(v, 'CapsInDirectory').list('c').map((x) => {
    const f = Fields.of(x, 'ChildElement')
    return { name: f.string('n'), cap: capabilityFromCbor(f.req('c')), sharers: asList(f.req('s'), 'ChildElement.s').map((s) => asString(s, 'ChildElement.s')) }
  })
  return { children }
}

export function encodeCapsInDirectory(d: CapsInDirectory): Uint8Array {
  return encodeCbor(capsInDirectoryToCbor(d))
}

export function decodeCapsInDirectory(bytes: Uint8Array): CapsInDirectory {
  return capsInDirectoryFromCbor(decodeCbor(bytes, { maxDepth: 7 }))
}
