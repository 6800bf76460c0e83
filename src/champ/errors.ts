// Named errors of the CHAMP (reference §3.1): CAS failures, malformed or missing node blocks,
// hash collisions deeper than the maximum depth, and 3-way merge conflicts.
import type { CID } from '../codec/cid.ts'
import { CborDecodeError } from '../codec/errors.ts'
import { PeergosError } from '../errors.ts'

/** put/remove found a current value different from the expected one (Peergos `CasException`). */
export class ChampCasError extends PeergosError {
  constructor(
    readonly key: Uint8Array,
    readonly expected: CID | undefined,
    readonly actual: CID | undefined,
  ) {
    super(`CHAMP CAS failed: expected ${expected?.toString() ?? 'no value'}, found ${actual?.toString() ?? 'no value'}`)
  }
}

/** A node block is not a well-formed CHAMP node for these parameters (bad CBOR, shape, bitmaps, buckets, depth). */
export class InvalidChampNodeError extends CborDecodeError {}

/** The block store does not have a node block the tree links to. */
export class ChampBlockNotFoundError extends PeergosError {
  constructor(readonly cid: CID) {
    super(`CHAMP node block not found: ${cid.toString()}`)
  }
}

/** More than maxCollisions keys share every hash bit down to the maximum depth (Peergos "Hash collision!"). */
export class ChampHashCollisionError extends PeergosError {}

/** A 3-way merge found a key changed differently on both sides. */
export class ChampMergeConflictError extends PeergosError {
  constructor(readonly key: Uint8Array) {
    super('Concurrent modification of the same CHAMP key on both sides of a merge')
  }
}
