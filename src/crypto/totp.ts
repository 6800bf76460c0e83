// One-time codes as Peergos' second factor computes them (reference §5.4; TotpKey.ALGORITHM,
// JdbcAccount.validateTotpCode): HOTP (RFC 4226) with HMAC-SHA1 and dynamic truncation, TOTP
// (RFC 6238) with 30 s steps counted from the Unix epoch, 6 digits; a server accepts the code of the
// current step and of the previous one. Isomorphic: the client computes the same codes.
import { InvalidCryptoInputError } from './errors.ts'
import { constantTimeEqual } from './peergos.ts'
import type { CryptoProvider } from './provider.ts'

/** Peergos' (and every authenticator app's) step: 30 seconds. */
export const TOTP_STEP_SECONDS = 30
/** Peergos' code length. */
export const TOTP_DIGITS = 6

/** RFC 4226 §5.3: the decimal code of HMAC-SHA1(key, 8-byte big-endian counter), `digits` long with leading zeros. */
export function hotp(c: CryptoProvider, key: Uint8Array, counter: number, digits: number = TOTP_DIGITS): string {
  if (!Number.isSafeInteger(counter) || counter < 0) throw new InvalidCryptoInputError(`HOTP counter out of range: ${counter}`)
  if (!Number.isInteger(digits) || digits < 1 || digits > 9) throw new InvalidCryptoInputError(`HOTP digits out of range: ${digits}`)
  const message = new Uint8Array(8)
  const view = new DataView(message.buffer)
  view.setUint32(0, Math.floor(counter / 2 ** 32))
  view.setUint32(4, counter >>> 0)
  const mac = c.hmacSha1(key, message)
  const offset = mac[mac.length - 1] & 0x0f
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3]
  return String(binary % 10 ** digits).padStart(digits, '0')
}

/** RFC 6238 §4.2: the step counter T = floor(unix seconds / step). */
export function totpStep(millis: number, stepSeconds: number = TOTP_STEP_SECONDS): number {
  if (!Number.isFinite(millis) || millis < 0) throw new InvalidCryptoInputError(`TOTP time out of range: ${millis}`)
  return Math.floor(millis / 1000 / stepSeconds)
}

/** The code for the step containing `millis`. */
export function totp(c: CryptoProvider, key: Uint8Array, millis: number, digits: number = TOTP_DIGITS): string {
  return hotp(c, key, totpStep(millis), digits)
}

/**
 * JdbcAccount.validateTotpCode's rule: `code` is the code of the step containing `millis`, or of the
 * step before it (a code typed just before a step boundary). Compared in constant time.
 */
export function verifyTotp(c: CryptoProvider, key: Uint8Array, code: string, millis: number): boolean {
  const given = new TextEncoder().encode(code)
  const step = totpStep(millis)
  let ok = false
  for (const s of [step, step - 1]) {
    if (s >= 0 && constantTimeEqual(new TextEncoder().encode(hotp(c, key, s)), given)) ok = true
  }
  return ok
}
