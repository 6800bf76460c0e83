// Named errors of the crypto layer.
import { PeergosError } from '../errors.ts'

/** A signature (attached or detached) did not verify against the given public key. */
export class InvalidSignatureError extends PeergosError {}

/** An authenticated ciphertext (secretbox, box, hybrid) failed to open: wrong key or tampered bytes. */
export class DecryptionFailedError extends PeergosError {}

/** A key, nonce or other input had the wrong length or type. */
export class InvalidCryptoInputError extends PeergosError {}
