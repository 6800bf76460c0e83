// Follow requests on the wire (reference §6.1; UserContext.blindAndSendFollowRequest,
// getFollowRequests, removeFollowRequest): a FollowRequest sealed to the target's boxing key from a
// one-time key pair and stored on the target's home server; listed by the target with its identity's
// signed time; removed with its identity's signature of the stored bytes.
import { decodeCbor, encodeCbor, type CborValue } from '../../codec/cbor.ts'
import { asList } from '../../codec/cbor-read.ts'
import {
  blindFollowRequestFromCbor, buildBlindFollowRequest, encodeBlindFollowRequest, openBlindFollowRequest, type BlindFollowRequest,
} from '../../model/blind-follow-request.ts'
import { MAP_KEY_BYTES, type AbsoluteCapability } from '../../model/capability.ts'
import type { FollowRequest } from '../../model/follow-request.ts'
import { signTime } from '../../model/signed-time.ts'
import type { SocialContext } from './context.ts'
import type { PublicKeys } from './public-keys.ts'

/** A follow request (or a reply to ours) addressed to us, decrypted. */
export interface ReceivedFollowRequest {
  readonly request: FollowRequest
  readonly blind: BlindFollowRequest
  /** The stored bytes (what removal signs). */
  readonly raw: Uint8Array
  /** The sender's username (the request's entry point owner). */
  readonly from: string
}

export async function sendBlindRequest(x: SocialContext, to: PublicKeys, request: FollowRequest): Promise<void> {
  await sendSealedRequest(x, sealFollowRequest(x, to, request))
}

/** A follow request sealed to its target (the costly half of sending: a key agreement, ML-KEM for a hybrid boxer). */
export interface SealedFollowRequest {
  readonly to: PublicKeys
  readonly bytes: Uint8Array
}

export function sealFollowRequest(x: SocialContext, to: PublicKeys, request: FollowRequest): SealedFollowRequest {
  return { to, bytes: encodeBlindFollowRequest(buildBlindFollowRequest(x.net.crypto, to.boxer, request)) }
}

export async function sendSealedRequest(x: SocialContext, sealed: SealedFollowRequest): Promise<void> {
  await x.net.social.sendFollowRequest(sealed.to.identity, sealed.bytes)
}

/** getFollowRequests + decryption: requests that do not open with our boxer, or carry no entry point, are left out. */
export async function receivedFollowRequests(x: SocialContext): Promise<ReceivedFollowRequest[]> {
  const c = x.net.crypto
  const reply = await x.net.social.getFollowRequests(x.identity.publicKeyHash, signTime(c, x.identity.secretKey))
  const out: ReceivedFollowRequest[] = []
  for (const item of asList(decodeCbor(reply, { maxDepth: 8 }), 'follow requests') as CborValue[]) {
    try {
      const blind = blindFollowRequestFromCbor(item)
      const request = openBlindFollowRequest(c, x.boxer.secretKey, blind)
      if (request.entry === undefined) continue
      out.push({ request, blind, raw: encodeCbor(item), from: request.entry.ownerName })
    } catch {
      // not for us, or malformed: Peergos skips those too
    }
  }
  return out
}

export async function removeFollowRequest(x: SocialContext, r: ReceivedFollowRequest): Promise<void> {
  await x.net.social.removeFollowRequest(x.identity.publicKeyHash, x.net.crypto.signAttached(r.raw, x.identity.secretKey))
}

/** AbsoluteCapability.isNull: the capability of a rejection (zero label and key). */
export function isNullCapability(cap: AbsoluteCapability): boolean {
  return cap.mapKey.length === MAP_KEY_BYTES && cap.mapKey.every((b) => b === 0) && cap.rBaseKey.key.every((b) => b === 0)
}
