// FollowRequest (reference §6.1; Peergos FollowRequest): {e?: EntryPoint, k?: SymmetricKey}. With `e`
// the request (or reply) is accepted (a read cap to the sender's shared dir for the target); with `k`
// it is reciprocated (the key the target should use for its dir for the sender). Neither = rejected.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { entryPointFromCbor, entryPointToCbor, type EntryPoint } from './entry-point.ts'
import { symmetricKeyFromCbor, symmetricKeyToCbor, type SymmetricKey } from './symmetric-key.ts'

export interface FollowRequest {
  readonly entry?: EntryPoint
  readonly key?: SymmetricKey
}

export function isAccepted(r: FollowRequest): boolean {
  return r.entry !== undefined
}

export function isReciprocated(r: FollowRequest): boolean {
  return r.key !== undefined
}

export function followRequestToCbor(r: FollowRequest): CborValue {
  return cborMap({
    e: r.entry === undefined ? undefined : entryPointToCbor(r.entry),
    k: r.key === undefined ? undefined : symmetricKeyToCbor(r.key),
  })
}

export function followRequestFromCbor(v: CborValue): FollowRequest {
  const f = Fields.of(v, 'FollowRequest')
  const e = f.raw('e')
  const k = f.raw('k')
  return {
    ...(e === undefined ? {} : { entry: entryPointFromCbor(e) }),
    ...(k === undefined ? {} : { key: symmetricKeyFromCbor(k) }),
  }
}

export function encodeFollowRequest(r: FollowRequest): Uint8Array {
  return encodeCbor(followRequestToCbor(r))
}

export function decodeFollowRequest(bytes: Uint8Array): FollowRequest {
  return followRequestFromCbor(decodeCbor(bytes, { maxDepth: 6 }))
}
