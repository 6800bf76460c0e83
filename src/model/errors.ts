// Named errors of the model layer (besides the codec's CborDecodeError family, which model
// decoders throw for malformed bytes).
import { PeergosError } from '../errors.ts'

/** A decoded object violates a Peergos rule (wrong key type, bad version, invalid claim...). */
export class InvalidObjectError extends PeergosError {}

/** Decrypted padding was not all zero bytes. */
export class InvalidPaddingError extends PeergosError {}

/** A pointer update's `original` is not the current target (Peergos PointerCasException, text "PointerCAS:existing,sequence,claimed"). */
export class CasFailedError extends PeergosError {}

/** A pointer update's sequence does not increase on the current one. */
export class InvalidSequenceError extends PeergosError {}

/** A username claim chain is invalid or may not replace the current one (append-only PKI rules). */
export class InvalidClaimChainError extends PeergosError {}

/** Login data did not decrypt under the derived root key (Peergos: "Incorrect username or password"). */
export class IncorrectPasswordError extends PeergosError {}
