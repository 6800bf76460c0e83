// Signed-time and signed-request authorisation (reference §7.2; Peergos TimeLimited.isAllowedTime /
// isAllowed, TimeLimitedClient.signNow / SignedRequest): an Ed25519 attached signature of the CBOR
// long epoch millis, or of CBOR {p: path, t: millis}, accepted within a window of the server's clock.
import { decodeCbor, type CborValue } from '../../codec/cbor.ts'
import { Fields } from '../../codec/cbor-read.ts'
import { PeergosError } from '../../errors.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { AuthExpiredError, InvalidAuthError } from '../../services/errors.ts'

/** getLogin (VerifyingAccount / LocalOnlyAccount): 24 hours. */
export const LOGIN_AUTH_WINDOW_SECONDS = 24 * 3600
/** getFollowRequests (UserRepository): 300 s. */
export const SOCIAL_AUTH_WINDOW_SECONDS = 300
/** addBat / getUserBats (BatCaveHandler): 300 s. */
export const BATS_AUTH_WINDOW_SECONDS = 300

/** Peergos' text when the signed time is outside the window (either direction). */
export const STALE_AUTH_MESSAGE = 'Stale auth time, is your clock accurate?'
/** Auth bytes are never more than a signature plus a short CBOR payload; refuse anything larger unparsed. */
export const MAX_AUTH_BYTES = 1024

export { AuthExpiredError, InvalidAuthError }

export type Clock = () => number

function open(c: CryptoProvider, signed: Uint8Array, publicKey: Uint8Array): CborValue {
  if (!(signed instanceof Uint8Array) || signed.length > MAX_AUTH_BYTES) throw new InvalidAuthError('Invalid authorisation size')
  // openAttached throws InvalidSignatureError for a bad or truncated signature.
  const raw = c.openAttached(signed, publicKey)
  try {
    return decodeCbor(raw, { maxDepth: 2, maxItems: 8 })
  } catch (e) {
    if (e instanceof PeergosError) throw new InvalidAuthError('Invalid cbor for time in authorisation!', { cause: e })
    throw e
  }
}

function checkWindow(millis: number, windowSeconds: number, now: number): void {
  if (!Number.isFinite(millis) || Math.abs(now - millis) > windowSeconds * 1000) throw new AuthExpiredError(STALE_AUTH_MESSAGE)
}

/**
 * TimeLimited.isAllowedTime: `signed` = publicKey's attached signature of CBOR long millis, within
 * `windowSeconds` of now (past or future). Returns the signed millis. Throws InvalidSignatureError,
 * InvalidAuthError, AuthExpiredError.
 */
export function verifySignedTime(c: CryptoProvider, signed: Uint8Array, publicKey: Uint8Array, windowSeconds: number, now: number = Date.now()): number {
  const v = open(c, signed, publicKey)
  if (typeof v !== 'number' && typeof v !== 'bigint') throw new InvalidAuthError('Invalid cbor for time in authorisation!')
  const millis = Number(v)
  checkWindow(millis, windowSeconds, now)
  return millis
}

/**
 * TimeLimited.isAllowed: `signed` = publicKey's attached signature of CBOR SignedRequest {p, t}; the
 * path must equal `expectedPath` (e.g. "peergos/v0/bats/addBat") and t be within the window.
 */
export function verifySignedRequest(c: CryptoProvider, signed: Uint8Array, publicKey: Uint8Array, expectedPath: string, windowSeconds: number, now: number = Date.now()): number {
  const v = open(c, signed, publicKey)
  let path: string
  let millis: number
  try {
    const f = Fields.of(v, 'SignedRequest')
    path = f.string('p')
    const t = f.req('t')
    if (typeof t !== 'number' && typeof t !== 'bigint') throw new InvalidAuthError('Invalid cbor for SignedRequest!')
    millis = Number(t)
  } catch (e) {
    if (e instanceof InvalidAuthError) throw e
    if (e instanceof PeergosError) throw new InvalidAuthError('Invalid cbor for SignedRequest!', { cause: e })
    throw e
  }
  checkWindow(millis, windowSeconds, now)
  if (path !== expectedPath) throw new InvalidAuthError(`Illegal path for signed request: ${path.slice(0, 100)}`)
  return millis
}

export { signRequest, signTime } from '../../model/signed-time.ts'

/** True for the errors these checks throw (callers map them to Peergos' replies). */
export function isAuthError(e: unknown): boolean {
  return e instanceof AuthExpiredError || e instanceof InvalidAuthError || e instanceof InvalidSignatureError
}
