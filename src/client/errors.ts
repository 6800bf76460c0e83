// Named errors of the client library.
import { PeergosError } from '../errors.ts'

/** A server returned an older pointer than one this client already saw for the same writer. */
export class PointerRollbackError extends PeergosError {}

/** A path, capability or block the client needs is not there. */
export class NotFoundError extends PeergosError {}
