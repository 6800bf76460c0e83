// Named errors that any service implementation may throw and that travel over HTTP the way Peergos
// sends them (reference §7.2, §7.5): quota exhausted, rate limited, second factor required.
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
