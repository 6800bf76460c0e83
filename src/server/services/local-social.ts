// The server's SocialNetwork (reference §6.1; Peergos UserRepository + JdbcIpnsAndSocial +
// SocialHandler): blinded follow requests kept per target identity, listed with the owner's signed
// time (300 s) as a CBOR list, removed with the owner's signature of the request bytes.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import { decodeBlindFollowRequest } from '../../model/blind-follow-request.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../model/user-public-key-link.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'
import type { CoreNode } from '../../services/core-node.ts'
import { FollowRequestTooLargeError } from '../../services/errors.ts'
import type { SocialNetwork } from '../../services/social-network.ts'
import { MAX_PENDING_FOLLOWERS, type FollowRequestStore } from '../db/follow-request-store.ts'
import { inlineKeyResolver, requireKey, storageKeyResolver } from './key-resolver.ts'
import { UnknownUserError } from './local-account.ts'
import { SOCIAL_AUTH_WINDOW_SECONDS, verifySignedTime, type Clock } from './signed-time.ts'

/** SocialHandler reads at most this many bytes of a follow request (and of a signed removal). */
export const MAX_FOLLOW_REQUEST_SIZE = 4096

export { FollowRequestTooLargeError }

export interface LocalSocialNetworkOptions {
  readonly crypto: CryptoProvider
  readonly followRequests: FollowRequestStore
  /** When given, requests are accepted only for identities the PKI knows (Peergos accepts any target). */
  readonly core?: Pick<CoreNode, 'getUsername'>
  /** For legacy (sha2-256) identity keys. */
  readonly storage?: Pick<ContentAddressedStorage, 'get'>
  readonly maxPendingPerTarget?: number
  readonly now?: Clock
}

export class LocalSocialNetwork implements SocialNetwork {
  private readonly c: CryptoProvider
  private readonly resolve: SigningKeyResolver
  private readonly now: Clock

  constructor(private readonly o: LocalSocialNetworkOptions) {
    this.c = o.crypto
    this.resolve = o.storage === undefined ? inlineKeyResolver() : storageKeyResolver(o.storage)
    this.now = o.now ?? Date.now
  }

  /**
   * Stores a BlindFollowRequest for `target`; false (as Peergos replies) once the target already has
   * more than MAX_PENDING_FOLLOWERS pending. The bytes must be one canonical BlindFollowRequest, so a
   * junk row can never break the owner's getFollowRequests (Peergos re-parses every row there).
   */
  async sendFollowRequest(target: PublicKeyHash, blindRequest: Uint8Array): Promise<boolean> {
    if (blindRequest.length > MAX_FOLLOW_REQUEST_SIZE) throw new FollowRequestTooLargeError(`Input exceeds maximum size of ${MAX_FOLLOW_REQUEST_SIZE} bytes`)
    decodeBlindFollowRequest(blindRequest)
    if (this.o.core !== undefined) {
      try {
        await this.o.core.getUsername(target)
      } catch (e) {
        if (e instanceof PeergosError) throw new UnknownUserError('Unknown follow request target', { cause: e })
        throw e
      }
    }
    return this.o.followRequests.add(target, blindRequest, this.o.maxPendingPerTarget ?? MAX_PENDING_FOLLOWERS)
  }

  /** JdbcIpnsAndSocial.getFollowRequests: the CBOR list of the stored requests, in arrival order. */
  async getFollowRequests(owner: PublicKeyHash, signedTime: Uint8Array): Promise<Uint8Array> {
    verifySignedTime(this.c, signedTime, await requireKey(this.resolve, owner), SOCIAL_AUTH_WINDOW_SECONDS, this.now())
    const rows = await this.o.followRequests.list(owner)
    return encodeCbor(rows.map((r) => decodeCbor(r, { maxDepth: 8 })))
  }

  /**
   * UserRepository.removeFollowRequest: `signedRequest` is the owner's attached signature of the
   * stored request bytes. A bad signature gives false; otherwise true, whether or not a row matched.
   */
  async removeFollowRequest(owner: PublicKeyHash, signedRequest: Uint8Array): Promise<boolean> {
    if (signedRequest.length > MAX_FOLLOW_REQUEST_SIZE + 64) throw new FollowRequestTooLargeError(`Input exceeds maximum size of ${MAX_FOLLOW_REQUEST_SIZE + 64} bytes`)
    const key = await requireKey(this.resolve, owner)
    let unsigned: Uint8Array
    try {
      unsigned = this.c.openAttached(signedRequest, key)
    } catch (e) {
      if (e instanceof InvalidSignatureError) return false
      throw e
    }
    await this.o.followRequests.remove(owner, unsigned.slice())
    return true
  }
}
