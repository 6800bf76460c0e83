// Named errors of the model layer (besides the codec's CborDecodeError family, which model
// decoders throw for malformed bytes).
import { PeergosError } from '../errors.ts'

/** A decoded object violates a Peergos rule (wrong key type, bad version, invalid claim...). */
export class InvalidObjectError extends PeergosError {}

/** Decrypted padding was not all zero bytes. */
export class InvalidPaddingError extends PeergosError {}
