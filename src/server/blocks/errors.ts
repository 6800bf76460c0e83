// Named errors of the server's raw block stores (file and S3). A mismatching block reuses the
// codec's BlockHashMismatchError; everything else a caller may act on has its own class here.
import { PeergosError } from '../../errors.ts'

export { BlockHashMismatchError } from '../../codec/errors.ts'

/** Base class of the block-store failures below. */
export class BlockStoreError extends PeergosError {}

/** A block larger than MAX_BLOCK_SIZE (1 MiB + 100) was offered; nothing was stored. */
export class BlockTooLargeError extends BlockStoreError {}

/** An owner directory name that is not a safe Peergos username (path traversal, upper case, empty...). */
export class InvalidOwnerDirError extends BlockStoreError {}

/** A stored block no longer hashes to its CID (bit rot, truncation, tampering). It was not served. */
export class CorruptBlockError extends BlockStoreError {
  constructor(message: string, readonly cidString: string, readonly quarantinedTo?: string) {
    super(message)
  }
}

/** The backend is out of space (ENOSPC / EDQUOT); the write left no partial block behind. */
export class BlockStoreFullError extends BlockStoreError {}

/** Any other I/O failure of the backend (EIO, EROFS, network, S3 5xx); the write left no partial block. */
export class BlockStoreIOError extends BlockStoreError {
  constructor(message: string, readonly code?: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** The store was closed. */
export class BlockStoreClosedError extends BlockStoreError {}
