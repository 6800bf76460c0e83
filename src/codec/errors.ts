// Named errors of the codec layer: every way untrusted bytes can be wrong has its own class.
import { PeergosError } from '../errors.ts'

/** Bytes are not well-formed CBOR (truncated, reserved encodings, bad UTF-8, trailing bytes...). */
export class CborDecodeError extends PeergosError {}

/** Well-formed CBOR that is not in the canonical form Peergos writes (non-minimal lengths, unsorted or duplicate map keys, indefinite lengths). */
export class NonCanonicalCborError extends CborDecodeError {}

/** A CBOR feature Peergos never uses (floats, undefined, unknown tags, non-string map keys). */
export class UnsupportedCborError extends CborDecodeError {}

/** A decoding limit (depth, item count, declared length) was exceeded. */
export class CborLimitError extends CborDecodeError {}

/** A CBOR value had the wrong type or shape for the object being decoded. */
export class CborTypeError extends CborDecodeError {}

/** Bytes or a string are not a valid CID / multihash / multibase value. */
export class InvalidCidError extends PeergosError {}

/** A block's bytes do not hash to the CID it was fetched or stored under. */
export class BlockHashMismatchError extends PeergosError {}
