// FriendAnnotation (Peergos shared/user/FriendAnnotation.java, stored appended in /<user>/.annotations,
// the latest per username counting): that we verified a friend's identity (compared safety numbers),
// with the key hashes the safety number was made from, so a later key change is noticed.
// CBOR {k: [PublicKeyHash...], u: username, v: verified}.
import { encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'

export interface FriendAnnotation {
  readonly username: string
  readonly verified: boolean
  readonly keysAtVerification: readonly PublicKeyHash[]
}

export function friendAnnotationToCbor(a: FriendAnnotation): CborValue {
  return cborMap({ k: [...a.keysAtVerification], u: a.username, v: a.verified })
}

export function friendAnnotationFromCbor(v: CborValue): FriendAnnotation {
  const f = Fields.of(v, 'FriendAnnotation')
  return { username: f.string('u'), verified: f.bool('v'), keysAtVerification: f.list('k').map((k) => publicKeyHashFromCbor(k, 'FriendAnnotation.k')) }
}

export function encodeFriendAnnotation(a: FriendAnnotation): Uint8Array {
  return encodeCbor(friendAnnotationToCbor(a))
}
