// Named errors of following and sharing.
import { PeergosError } from '../../errors.ts'

/** The PKI knows no such user, or the user has no follow-request key. */
export class UnknownUserError extends PeergosError {}

/** A follow request to someone we already follow. */
export class AlreadyFollowingError extends PeergosError {}

/** Sharing with someone who does not follow us (there is no /<me>/shared/<them> folder). */
export class NotAFollowerError extends PeergosError {}

/** A capability or entry point claims an owner that does not own its writing key. */
export class ForgedOwnerError extends PeergosError {}

/** An item that cannot be shared this way (a home directory, someone else's item for write access...). */
export class NotShareableError extends PeergosError {}

/** A capability change that is not available yet (writable links and write revocation need write sharing). */
export class NotYetSupportedError extends PeergosError {}

/** Secret link options that cannot be honoured (a maximum of uses below 1, a bad expiry...). */
export class InvalidLinkOptionsError extends PeergosError {}

/** The secret link needs the extra password its creator set, and none was given. */
export class LinkPasswordRequiredError extends PeergosError {}

/** The secret link's password (or extra password) does not open its capability. */
export class WrongLinkPasswordError extends PeergosError {}

/** A secret link whose capability does not belong to the owner its path names. */
export class InvalidLinkError extends PeergosError {}

/**
 * A user's identity key is not the one this client first saw for them (TOFU, /<me>/.keystore): it may
 * be someone else. Compare safety numbers before accepting the new key.
 */
export class IdentityKeyChangedError extends PeergosError {}
