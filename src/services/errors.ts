// Named errors that any service implementation may throw and that a client must tell apart, so they
// travel over HTTP by name and with Peergos' texts (reference §5.4, §7.2, §7.5, §7.6): quota, rate limits,
// second factor, BATs, write rights, sizes, missing blocks, signed-time auth, usernames.
import { PeergosError } from '../errors.ts'

/** A write would exceed the owner's quota (Peergos "Storage quota reached", StorageQuotaExceededException). */
export class QuotaExceededError extends PeergosError {}

/** The server is overloaded or the caller too fast (Peergos RateLimitException: HTTP 429, or "Queue full"). */
export class RateLimitError extends PeergosError {}

/**
 * getLoginData needs a second factor first (Peergos LoginResponse with a MultiFactorAuthRequest).
 * `request` is the CBOR MultiFactorAuthRequest, to be answered with a MultiFactorAuthResponse.
 */
export class MfaRequiredError extends PeergosError {
  constructor(readonly request: Uint8Array) {
    super('A second factor is required to log in')
  }
}

/** A second factor's code is wrong or used up (Peergos "Invalid TOTP code for credId <hex>", "Invalid backup code for credId <hex>"). */
export class InvalidMfaCodeError extends PeergosError {}

/**
 * A second-factor request the server refuses (Peergos' texts: "Too many multi factor auth methods. Please
 * delete some.", "Unknown credential id for user <name>", "Second factor <hex> is not a TOTP!", "Please set
 * up an authenticator app or security key before generating backup codes.", "Not a webauthn credential!"...).
 */
export class MfaRefusedError extends PeergosError {}

/** A block carries BAT ids and the request had no BAT or BlockAuth that opens it (Peergos "Unauthorised!"). */
export class UnauthorisedError extends PeergosError {}

/**
 * The writer key may not write for this owner on this server: not the owner, not owned by it through
 * the owned-keys CHAMPs, or the owner is not a user here (Peergos "Key not allowed to write to this server").
 */
export class WriterNotAllowedError extends PeergosError {}

/** A block, or a group of blocks in one write, exceeds the size cap (Peergos "Block too big!"). */
export class OversizedBlockError extends PeergosError {}

/** A block the request depends on is not stored here (a CHAMP root, a pointer's WriterData, a legacy key). */
export class MissingBlockError extends PeergosError {}

/** A secret link is absent, expired or used up (Peergos "No secret link present!", "Secret link expired!"...). */
export class SecretLinkUnavailableError extends PeergosError {}

/** A signed time or signed request is valid but outside the allowed window (Peergos "Stale auth time, is your clock accurate?"). */
export class AuthExpiredError extends PeergosError {}

/** An auth payload is well signed but not what was expected (not a CBOR long, wrong path...). */
export class InvalidAuthError extends PeergosError {}

/** Peergos' reply to a refused username (IpfsCoreNode.updateChain). */
export const INVALID_USERNAME_MESSAGE = 'Invalid username'

/** A username that breaks Peergos' username rules. */
export class InvalidUsernameError extends PeergosError {
  constructor(message: string = INVALID_USERNAME_MESSAGE) {
    super(message)
  }
}

/** The username has no claim in the PKI, so nobody can authorise for it. */
export class UnknownUserError extends PeergosError {}

/** A follow request (or a signed removal) larger than SocialHandler reads (Peergos' Serialize.readFully text). */
export class FollowRequestTooLargeError extends PeergosError {}

/** A migration to another home server the server refuses or cannot complete (reference §4.4; Peergos MirrorCoreNode.migrateUser's texts). */
export class MigrationError extends PeergosError {}
