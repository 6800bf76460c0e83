// A TOTP second factor's secret (reference §5.4; Peergos TotpKey): 32 random bytes under a 32-byte
// credential id. addTotp replies with the text base32(credentialId) + ":" + base32(key) (upper case,
// no padding); the authenticator app gets otpauth://totp/peergos:<user>@peergos?secret=…&issuer=peergos.
import { base32Decode, base32Encode } from '../codec/base32.ts'
import { InvalidObjectError } from './errors.ts'

/** TotpKey.getQRCode's issuer. */
export const TOTP_ISSUER = 'peergos'

export interface TotpKey {
  readonly credentialId: Uint8Array
  readonly key: Uint8Array
}

/** TotpKey.encode. */
export function encodeTotpKey(k: TotpKey): string {
  return `${base32Encode(k.credentialId)}:${base32Encode(k.key)}`
}

/** TotpKey.fromString. */
export function decodeTotpKey(text: string): TotpKey {
  const colon = text.indexOf(':')
  if (colon < 0 || text.length > 4096) throw new InvalidObjectError('Invalid TotpKey: expected <credential id>:<key> in base32')
  const credentialId = base32Decode(text.slice(0, colon))
  const key = base32Decode(text.slice(colon + 1))
  if (credentialId.length === 0 || key.length === 0) throw new InvalidObjectError('Invalid TotpKey: empty credential id or key')
  return { credentialId, key }
}

/** The otpauth URI TotpKey.getQRCode puts in its QR code (Key Uri Format: issuer "peergos", label "peergos:<user>@peergos"). */
export function totpUri(username: string, key: Uint8Array): string {
  const label = `${TOTP_ISSUER}:${username}@${TOTP_ISSUER}`
  return `otpauth://totp/${label}?secret=${base32Encode(key)}&issuer=${TOTP_ISSUER}`
}
