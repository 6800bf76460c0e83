// Errors over HTTP (reference §7.2): Peergos replies 400 with the URL-encoded message in the
// `Trailer` header; this maps our named errors to Peergos' texts on the server side, and a reply's
// status + Trailer (plus our optional X-Peergos-Error-Class header) back to named errors on the client.
import { InvalidChampNodeError } from '../champ/errors.ts'
import { CborDecodeError, CborLimitError, CborTypeError, NonCanonicalCborError, UnsupportedCborError, BlockHashMismatchError, InvalidCidError } from '../codec/errors.ts'
import { DataFormatError } from '../codec/data-output.ts'
import { DecryptionFailedError, InvalidCryptoInputError, InvalidSignatureError } from '../crypto/errors.ts'
import { PeergosError } from '../errors.ts'
import { InvalidBatError } from '../model/bat.ts'
import { InvalidBatPrefixError } from '../model/bat-prefix.ts'
import { InvalidBlockAuthError } from '../model/block-auth.ts'
import { CasFailedError, IncorrectPasswordError, InvalidClaimChainError, InvalidObjectError, InvalidPaddingError, InvalidSequenceError } from '../model/errors.ts'
import { InvalidSecretLinkError } from '../model/secret-link.ts'
import {
  AuthExpiredError, FollowRequestTooLargeError, InvalidAuthError, InvalidMfaCodeError, InvalidUsernameError, MfaRefusedError, MigrationError, MissingBlockError,
  OversizedBlockError, QuotaExceededError, RateLimitError, SecretLinkUnavailableError, UnauthorisedError, UnknownUserError, WriterNotAllowedError,
} from '../services/errors.ts'
import { javaUrlDecode } from './url-encoding.ts'

/** A request parameter or body is missing or malformed (HTTP 400). Messages name the parameter, never echo its value. */
export class BadRequestError extends PeergosError {}

/** A request body is larger than its route allows (HTTP 413). */
export class BodyTooLargeError extends PeergosError {}

/** A server's error message that maps to none of our named errors. */
export class RemoteError extends PeergosError {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** A non-200 reply without a Peergos error message (404 unknown path, 405 method, 5xx...). */
export class HttpStatusError extends PeergosError {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** The request could not be made or its reply not read (network failure, timeout, oversized reply, bad reply encoding). */
export class HttpTransportError extends PeergosError {}

/** Our extension header naming the error class; Peergos ignores it. Values are class names from the registry only. */
export const ERROR_CLASS_HEADER = 'X-Peergos-Error-Class'
/** The longest message put in a Trailer header (before URL-encoding), so error headers stay small. */
export const MAX_ERROR_MESSAGE = 512

export type ErrorClass = new (message: string) => Error
/** What `names` maps a class to: its wire name, or INTERNAL for a server failure whose text stays on the server. */
const INTERNAL = Symbol('internal')
const registry = new Map<string, ErrorClass>()
const names = new Map<ErrorClass, string | typeof INTERNAL>()

/** Lets an error class travel by name (both ends must register it; unregistered names are ignored). */
export function registerWireError(name: string, cls: ErrorClass): void {
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) throw new TypeError(`Invalid wire error name ${name}`)
  registry.set(name, cls)
  names.set(cls, name)
}

/**
 * Registers classes by the keys of `classes`, written in shorthand ({ CasFailedError, ... }) so the
 * wire names are the class names even where a bundler renames classes.
 */
export function registerWireErrors(classes: Readonly<Record<string, ErrorClass>>): void {
  for (const [name, cls] of Object.entries(classes)) registerWireError(name, cls)
}

/** A server-side failure class (database, disk) replied as "Internal server error": its text may hold paths or SQL. */
export function registerInternalError(cls: abstract new (...args: never[]) => Error): void {
  names.set(cls as unknown as ErrorClass, INTERNAL)
}

registerWireErrors({
  CasFailedError, InvalidSequenceError, InvalidClaimChainError, IncorrectPasswordError, InvalidObjectError,
  InvalidPaddingError, InvalidSignatureError, DecryptionFailedError, InvalidCryptoInputError, CborDecodeError,
  NonCanonicalCborError, UnsupportedCborError, CborLimitError, CborTypeError, InvalidCidError, BlockHashMismatchError,
  DataFormatError, InvalidBatError, InvalidBatPrefixError, InvalidBlockAuthError, InvalidSecretLinkError,
  QuotaExceededError, RateLimitError, UnauthorisedError, WriterNotAllowedError, OversizedBlockError, MissingBlockError,
  SecretLinkUnavailableError, AuthExpiredError, InvalidAuthError, InvalidUsernameError, UnknownUserError,
  FollowRequestTooLargeError, InvalidChampNodeError, BadRequestError, BodyTooLargeError, InvalidMfaCodeError, MfaRefusedError, MigrationError,
})

/** The registered name (or INTERNAL) of an error's class or of its nearest registered ancestor. */
function wireName(e: Error): string | typeof INTERNAL | undefined {
  for (let p = Object.getPrototypeOf(e); p !== null && p !== Error.prototype; p = Object.getPrototypeOf(p)) {
    const name = names.get(p.constructor as ErrorClass)
    if (name !== undefined) return name
  }
  return undefined
}

/** PointerCasException's text: "PointerCAS:" + existing + "," + sequence + "," + claimed (absent hashes as EMPTY). */
export function pointerCasMessage(existing: string | undefined, sequence: number | bigint | undefined, claimed: string | undefined): string {
  return `PointerCAS:${existing ?? 'EMPTY'},${sequence === undefined ? '' : sequence.toString()},${claimed ?? 'EMPTY'}`
}

export const QUOTA_MESSAGE = 'Storage quota reached'
export const INCORRECT_PASSWORD_MESSAGE = 'Incorrect username or password'
export const INTERNAL_MESSAGE = 'Internal server error'

function truncate(s: string): string {
  return s.length <= MAX_ERROR_MESSAGE ? s : s.slice(0, MAX_ERROR_MESSAGE)
}

export interface WireError {
  readonly status: number
  readonly message: string
  readonly errorClass?: string
}

/**
 * How a thrown error is replied (server side). Only PeergosErrors carry their message; anything
 * else, and the classes registered as internal, is a failure whose text (paths, SQL) stays on the server.
 */
export function errorToWire(e: unknown): WireError {
  const errorClass = e instanceof PeergosError ? wireName(e) : INTERNAL
  if (!(e instanceof PeergosError) || errorClass === INTERNAL) return { status: 400, message: INTERNAL_MESSAGE }
  let message = e.message
  let status = 400
  if (e instanceof CasFailedError) {
    if (!message.startsWith('PointerCAS:')) message = `PointerCAS:${message}`
  } else if (e instanceof QuotaExceededError) {
    if (!message.includes(QUOTA_MESSAGE)) message = `${QUOTA_MESSAGE}! ${message}`
  } else if (e instanceof IncorrectPasswordError) {
    message = INCORRECT_PASSWORD_MESSAGE
  } else if (e instanceof RateLimitError) {
    status = 429
    if (message === '') message = 'Too Many Requests'
  } else if (e instanceof BodyTooLargeError) {
    status = 413
  }
  return { status, message: truncate(message === '' ? e.name : message), ...(errorClass === undefined ? {} : { errorClass }) }
}

/** JdbcAccount's and AccountHandler's refusals of second-factor requests. */
const MFA_REFUSALS = new RegExp('^(Too many multi factor auth methods|Unknown credential id for user |Second factor [0-9a-f]* is not a |' +
  'Please set up an authenticator app|Not a webauthn credential!|Not a code based credential!|Concurrent modification of backup codes|' +
  'Second factor names must be smaller|Unknown method in AccountHandler!)')

/** The named error a Peergos message denotes (a reply without our class header), recognised by Peergos' own texts. */
function classify(status: number, message: string): Error {
  if (message.startsWith('PointerCAS:') || /cas failed/i.test(message)) return new CasFailedError(message)
  if (message.includes(QUOTA_MESSAGE)) return new QuotaExceededError(message)
  if (message.includes('Queue full')) return new RateLimitError(message)
  if (message.includes(INCORRECT_PASSWORD_MESSAGE)) return new IncorrectPasswordError(message)
  if (message.startsWith('Invalid sequence number update')) return new InvalidSequenceError(message)
  if (message.startsWith('Unauthorised!')) return new UnauthorisedError(message)
  if (message.startsWith('Key not allowed to write to this server')) return new WriterNotAllowedError(message)
  if (message.startsWith('Invalid signature for block!')) return new InvalidSignatureError(message)
  if (message.startsWith('Stale auth time')) return new AuthExpiredError(message)
  if (message === 'Invalid username') return new InvalidUsernameError(message)
  if (/^Invalid (TOTP|backup) code for credId /.test(message)) return new InvalidMfaCodeError(message)
  if (MFA_REFUSALS.test(message)) return new MfaRefusedError(message)
  return new RemoteError(status, message)
}

/**
 * The error a non-200 reply denotes (client side), as JavaPoster.handleError reads it: 429/502/503/504
 * are rate limits; otherwise the URL-decoded Trailer message, typed by our class header when it
 * names a registered class, else by the Peergos texts; without a Trailer, the bare status.
 */
export function errorFromWire(status: number, trailer: string | null, errorClass: string | null): Error {
  if (status === 429 || status === 502 || status === 503 || status === 504) return new RateLimitError(trailer === null ? `HTTP ${status}` : javaUrlDecode(trailer))
  if (trailer === null) return new HttpStatusError(status, `Unexpected Error. Status code: ${status}`)
  const message = javaUrlDecode(trailer)
  const cls = errorClass === null ? undefined : registry.get(errorClass)
  if (cls !== undefined) return new cls(message)
  return classify(status, message)
}
