// Errors over HTTP (reference §7.2): Peergos replies 400 with the URL-encoded message in the
// `Trailer` header; this maps our named errors to Peergos' texts on the server side, and a reply's
// status + Trailer (plus our optional X-Peergos-Error-Class header) back to named errors on the client.
import { CborDecodeError, CborLimitError, CborTypeError, NonCanonicalCborError, UnsupportedCborError, BlockHashMismatchError, InvalidCidError } from '../codec/errors.ts'
import { DataFormatError } from '../codec/data-output.ts'
import { DecryptionFailedError, InvalidCryptoInputError, InvalidSignatureError } from '../crypto/errors.ts'
import { PeergosError } from '../errors.ts'
import { InvalidBatError } from '../model/bat.ts'
import { InvalidBatPrefixError } from '../model/bat-prefix.ts'
import { InvalidBlockAuthError } from '../model/block-auth.ts'
import { CasFailedError, IncorrectPasswordError, InvalidClaimChainError, InvalidObjectError, InvalidPaddingError, InvalidSequenceError } from '../model/errors.ts'
import { InvalidSecretLinkError } from '../model/secret-link.ts'
import { QuotaExceededError, RateLimitError } from '../services/errors.ts'
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

type ErrorClass = new (message: string) => Error
const registry = new Map<string, ErrorClass>()
const names = new Map<ErrorClass, string>()

/** Lets an error class travel by name (both ends must register it; unregistered names are ignored). */
export function registerWireError(name: string, cls: ErrorClass): void {
  if (!/^[A-Za-z][A-Za-z0-9]{0,63}$/.test(name)) throw new TypeError(`Invalid wire error name ${name}`)
  registry.set(name, cls)
  names.set(cls, name)
}

for (const [name, cls] of Object.entries({
  CasFailedError, InvalidSequenceError, InvalidClaimChainError, IncorrectPasswordError, InvalidObjectError,
  InvalidPaddingError, InvalidSignatureError, DecryptionFailedError, InvalidCryptoInputError, CborDecodeError,
  NonCanonicalCborError, UnsupportedCborError, CborLimitError, CborTypeError, InvalidCidError, BlockHashMismatchError,
  DataFormatError, InvalidBatError, InvalidBatPrefixError, InvalidBlockAuthError, InvalidSecretLinkError,
  QuotaExceededError, RateLimitError, BadRequestError, BodyTooLargeError,
} as Record<string, ErrorClass>)) registerWireError(name, cls)

/** The registered name of an error's class or of its nearest registered ancestor. */
function wireName(e: Error): string | undefined {
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
 * else is an internal failure whose text (paths, stack details) stays on the server.
 */
export function errorToWire(e: unknown): WireError {
  if (!(e instanceof PeergosError)) return { status: 400, message: 'Internal server error' }
  const errorClass = wireName(e)
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

/** The named error a Peergos message denotes, recognised by the texts Peergos clients match on. */
function classify(status: number, message: string): Error {
  if (message.startsWith('PointerCAS:') || /cas failed/i.test(message)) return new CasFailedError(message)
  if (message.includes(QUOTA_MESSAGE)) return new QuotaExceededError(message)
  if (message.includes('Queue full')) return new RateLimitError(message)
  if (message.includes(INCORRECT_PASSWORD_MESSAGE)) return new IncorrectPasswordError(message)
  if (message.startsWith('Invalid sequence number update')) return new InvalidSequenceError(message)
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
