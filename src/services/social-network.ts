// The SocialNetwork service (reference §6.1): the home server's store of blinded follow requests.
import type { PublicKeyHash } from '../model/signing-keys.ts'

export interface SocialNetwork {
  /** Stores a BlindFollowRequest (CBOR bytes) for the target identity. */
  sendFollowRequest(target: PublicKeyHash, blindRequest: Uint8Array): Promise<boolean>
  /** The pending requests of `owner` as Peergos sends them, authorised by the owner's signed time. */
  getFollowRequests(owner: PublicKeyHash, signedTime: Uint8Array): Promise<Uint8Array>
  /** Removes a request; `signedRequest` is the owner's signature of the request bytes. */
  removeFollowRequest(owner: PublicKeyHash, signedRequest: Uint8Array): Promise<boolean>
}
