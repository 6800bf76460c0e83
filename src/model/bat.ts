// Block Access Tokens (reference §7.6): a BAT is 32 random bytes, CBOR {s: secret}, text form
// multibase base58btc of the secret (Bat.encodeSecret, the S3 signing secret).
import type { CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { multibase58Decode, multibase58Encode } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { InvalidObjectError } from './errors.ts'

export const BAT_BYTES = 32

export interface Bat { readonly secret: Uint8Array }

/** A BAT, BatId or BAT prefix that breaks Peergos' rules (wrong length, identity id where a hash is required...). */
export class InvalidBatError extends InvalidObjectError {}

export function bat(secret: Uint8Array): Bat {
  if (secret.length !== BAT_BYTES) throw new InvalidBatError(`A BAT must be ${BAT_BYTES} bytes, got ${secret.length}`)
  return { secret }
}

export function randomBat(c: CryptoProvider): Bat {
  return { secret: c.randomBytes(BAT_BYTES) }
}

export function batToCbor(b: Bat): CborValue {
  return cborMap({ s: b.secret })
}

export function batFromCbor(v: CborValue): Bat {
  return { secret: Fields.of(v, 'Bat').bytes('s', BAT_BYTES) }
}

/** Bat.encodeSecret: multibase base58btc ('z…') of the secret. */
export function batToString(b: Bat): string {
  return multibase58Encode(b.secret)
}

/** Bat.fromString; throws InvalidCidError (bad base58) or InvalidBatError (wrong length). */
export function batFromString(s: string): Bat {
  if (s.length > 64) throw new InvalidBatError('Encoded BAT is too long')
  return bat(multibase58Decode(s))
}

export function sameBat(a: Bat | undefined, b: Bat | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.secret.length !== b.secret.length) return false
  for (let i = 0; i < a.secret.length; i++) if (a.secret[i] !== b.secret[i]) return false
  return true
}
