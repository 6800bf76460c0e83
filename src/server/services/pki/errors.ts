// Named errors of the PKI node (reference §4.1-§4.3, §5.3) with the texts Peergos replies with
// (IpfsCoreNode, MirrorCoreNode, SignUpFilter).
import { PeergosError } from '../../../errors.ts'

/** SignUpFilter: no token, no free place. */
export const SIGNUPS_CLOSED_MESSAGE = 'This server is not currently accepting new sign ups. Please try again later'
/** SignUpFilter: a token was given but is not (or no longer) valid. */
export const INVALID_TOKEN_MESSAGE = 'Invalid signup token.'

/** A signup this server does not accept (closed, or for another home server). */
export class SignupRefusedError extends PeergosError {}

/** The signup token is unknown or already used. */
export class InvalidSignupTokenError extends SignupRefusedError {
  constructor() {
    super(INVALID_TOKEN_MESSAGE)
  }
}

/** getUsername of a key the PKI has never seen ("Unknown identity key: <key>"). */
export class UnknownIdentityKeyError extends PeergosError {}
