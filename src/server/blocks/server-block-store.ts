// The server's raw block storage beneath the ContentAddressedStorage service (reference §8.1):
// immutable, hash-verified blocks filed under their owner's username, found by CID alone.
// Implemented by FileBlockStore (Peergos' on-disk layout) and S3BlockStore.
import type { CID } from '../../codec/cid.ts'

export { MAX_BLOCK_SIZE } from '../../services/content-addressed-storage.ts'

/** One stored copy of a block: Peergos files a block once per owner that wrote it. */
export interface BlockEntry {
  readonly cid: CID
  /** The owner's username directory; LEGACY_OWNER ('') for pre-partitioning blocks. */
  readonly ownerDir: string
}

export interface BlockWrite {
  readonly cid: CID
  readonly bytes: Uint8Array
}

export interface PutManyOptions {
  /**
   * The blocks are written meanwhile but become visible (renamed into place, indexed) only once this
   * settles: the service's open-transaction rows, which protect new blocks from GC, so their commit and
   * the blocks' writes overlap. When it rejects, none of the blocks is made visible and putMany rejects
   * with its error.
   */
  readonly visibleAfter?: Promise<unknown>
}

export interface DeleteOptions {
  /** Delete only the copy filed under this owner (default: every copy). */
  readonly ownerDir?: string
  /**
   * GC guard (epoch ms): keep a copy that was written, or re-put, at or after this instant. Stores
   * apply WRITE_TIME_SLACK_MS of slack for coarse file-system clocks and S3's 1 s LastModified.
   */
  readonly notWrittenSince?: number
}

/** A copy re-put within this many ms before `notWrittenSince` still counts as recent. */
export const WRITE_TIME_SLACK_MS = 2000

export interface ServerBlockStore {
  /**
   * Stores a block under `ownerDir` after checking that `bytes` hash to `cid` (sha2-256; identity
   * CIDs are inline and not stored) and fit MAX_BLOCK_SIZE. Idempotent. Resolves only once the
   * block is durable; on failure nothing partial is visible. A re-put refreshes the write time.
   * Throws BlockHashMismatchError, BlockTooLargeError, InvalidOwnerDirError, BlockStoreFullError,
   * BlockStoreIOError.
   */
  put(ownerDir: string, cid: CID, bytes: Uint8Array): Promise<void>
  /**
   * The service's write path (Peergos computes the CIDs of what clients send): hashes `bytes` once
   * into a CIDv1 sha2-256 (raw codec or dag-cbor) and stores them as put() does.
   */
  putBlock(ownerDir: string, bytes: Uint8Array, raw: boolean): Promise<CID>
  /**
   * put() for many blocks of one owner, overlapping their I/O; resolves when all are durable. Every
   * block is checked before any is written; after an I/O error some blocks may be stored (whole).
   */
  putMany(ownerDir: string, blocks: readonly BlockWrite[], options?: PutManyOptions): Promise<void>
  /**
   * The block's bytes (re-hashed against the CID), or undefined when absent. A copy that fails its
   * hash is never returned: CorruptBlockError is thrown (see each store for what happens to it).
   */
  get(cid: CID): Promise<Uint8Array | undefined>
  has(cid: CID): Promise<boolean>
  /** Stored size in bytes, or undefined when absent. Does not re-hash. */
  size(cid: CID): Promise<number | undefined>
  /** Deletes the block's copies (see DeleteOptions); true when a copy was deleted. */
  delete(cid: CID, options?: DeleteOptions): Promise<boolean>
  /** Every distinct stored CID, once (for GC). */
  list(): AsyncIterable<CID>
  /** Every stored copy, optionally of one owner only (for per-owner GC, usage and migration). */
  entries(ownerDir?: string): AsyncIterable<BlockEntry>
  /** Waits for in-flight operations, then refuses new ones. */
  close(): Promise<void>
}
