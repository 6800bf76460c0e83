// EntryPoint (reference §1.2; Peergos EntryPoint): {c: AbsoluteCapability, n: owner's username}, the
// root of what a user can reach (own home, friends' shares); used in login data and follow requests.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { capabilityFromCbor, capabilityToCbor, type AbsoluteCapability } from './capability.ts'

export interface EntryPoint {
  readonly pointer: AbsoluteCapability
  readonly ownerName: string
}

export function entryPointToCbor(e: EntryPoint): CborValue {
  return cborMap({ c: capabilityToCbor(e.pointer), n: e.ownerName })
}

export function entryPointFromCbor(v: CborValue): EntryPoint {
  const f = Fields.of(v, 'EntryPoint')
  return { pointer: capabilityFromCbor(f.req('c')), ownerName: f.string('n') }
}

export function encodeEntryPoint(e: EntryPoint): Uint8Array {
  return encodeCbor(entryPointToCbor(e))
}

export function decodeEntryPoint(bytes: Uint8Array): EntryPoint {
  return entryPointFromCbor(decodeCbor(bytes, { maxDepth: 5 }))
}
