// Block Access Tokens (reference §7.6): a BAT is 32 random bytes, CBOR {s: secret}.
import type { CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'

export const BAT_BYTES = 32

export interface Bat { readonly secret: Uint8Array }

export function randomBat(c: CryptoProvider): Bat {
  return { secret: c.randomBytes(BAT_BYTES) }
}

export function batToCbor(b: Bat): CborValue {
  return cborMap({ s: b.secret })
}

export function batFromCbor(v: CborValue): Bat {
  return { secret: Fields.of(v, 'Bat').bytes('s', BAT_BYTES) }
}
