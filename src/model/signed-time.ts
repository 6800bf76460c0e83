// What a client signs to authorise time-limited requests (reference §7.2; Peergos
// TimeLimitedClient.signNow / SignedRequest): the attached signature of the CBOR long epoch
// millis, or of CBOR {p: path, t: millis}. The server side checks them in server/services/signed-time.ts.
import { encodeCbor } from '../codec/cbor.ts'
import { cborMap } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'

/** TimeLimitedClient.signNow: sign(CBOR long millis). */
export function signTime(c: CryptoProvider, secretKey: Uint8Array, millis: number = Date.now()): Uint8Array {
  return c.signAttached(encodeCbor(millis), secretKey)
}

/** SignedRequest(path, millis).sign(secret). */
export function signRequest(c: CryptoProvider, secretKey: Uint8Array, path: string, millis: number = Date.now()): Uint8Array {
  return c.signAttached(encodeCbor(cborMap({ p: path, t: millis })), secretKey)
}
