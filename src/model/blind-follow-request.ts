// BlindFollowRequest (reference §6.1; Peergos BlindFollowRequest): {k: a one-time sender boxing public
// key, f: PaddedAsymmetricCipherText of the FollowRequest padded to 512 bytes}, so the target's server
// cannot tell who sent it. The one-time key is hybrid when the target's boxer is.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { BOXING_TYPE_HYBRID } from './boxing-keys.ts'
import {
  publicBoxingKeyFromCbor, publicBoxingKeyToCbor, randomCurve25519BoxingKeyPair, randomHybridBoxingKeyPair,
  type PublicBoxingKey, type SecretBoxingKey,
} from './boxing-key-pair.ts'
import { followRequestFromCbor, followRequestToCbor, type FollowRequest } from './follow-request.ts'
import {
  openPaddedAsymmetric, paddedAsymmetricCipherTextFromCbor, sealPaddedAsymmetric, type PaddedAsymmetricCipherText,
} from './padded-asymmetric-cipher-text.ts'

export const FOLLOW_REQUEST_PADDING = 512

export interface BlindFollowRequest {
  readonly dummySource: PublicBoxingKey
  readonly followRequest: PaddedAsymmetricCipherText
}

export function blindFollowRequestToCbor(r: BlindFollowRequest): CborValue {
  return cborMap({ f: r.followRequest, k: publicBoxingKeyToCbor(r.dummySource) })
}

export function blindFollowRequestFromCbor(v: CborValue): BlindFollowRequest {
  const f = Fields.of(v, 'BlindFollowRequest')
  return { dummySource: publicBoxingKeyFromCbor(f.req('k')), followRequest: paddedAsymmetricCipherTextFromCbor(f.req('f'), 'BlindFollowRequest.f') }
}

export function encodeBlindFollowRequest(r: BlindFollowRequest): Uint8Array {
  return encodeCbor(blindFollowRequestToCbor(r))
}

export function decodeBlindFollowRequest(bytes: Uint8Array): BlindFollowRequest {
  return blindFollowRequestFromCbor(decodeCbor(bytes, { maxDepth: 5 }))
}

/** BlindFollowRequest.build: a fresh one-time key pair (hybrid iff the target's boxer is) seals the request. */
export function buildBlindFollowRequest(c: CryptoProvider, targetBoxer: PublicBoxingKey, request: FollowRequest): BlindFollowRequest {
  const tmp = targetBoxer.type === BOXING_TYPE_HYBRID ? randomHybridBoxingKeyPair(c) : randomCurve25519BoxingKeyPair(c)
  const followRequest = sealPaddedAsymmetric(c, tmp.secretKey, targetBoxer, followRequestToCbor(request), FOLLOW_REQUEST_PADDING)
  return { dummySource: tmp.publicKey, followRequest }
}

/** Opens a blind request with the target's boxer secret key (DecryptionFailedError if it is not for us). */
export function openBlindFollowRequest(c: CryptoProvider, boxerSecret: SecretBoxingKey, r: BlindFollowRequest): FollowRequest {
  return followRequestFromCbor(openPaddedAsymmetric(c, boxerSecret, r.dummySource, r.followRequest, { maxDepth: 6 }))
}
