// What a block store accepts and serves: sha2-256 blocks of at most MAX_BLOCK_SIZE whose bytes hash
// to their CID (B4 items 9-11). Identity CIDs carry their content inline and are never stored.
import { HASH_SHA2_256, blockCid, equalBytes, isIdentity, verifyBlock, type CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { MAX_BLOCK_SIZE } from '../../services/content-addressed-storage.ts'
import { BlockTooLargeError } from './errors.ts'

/** Only sha2-256 blocks are ever stored (Peergos writes no other hash). */
export function isStoredKind(cid: CID): boolean {
  return cid.multihash.code === HASH_SHA2_256
}

/**
 * Checks a block offered to put(): size cap, then the hash (BlockHashMismatchError, also for an
 * unsupported multihash). Returns false for an identity CID, which needs no storage.
 */
export function checkBlockForPut(crypto: CryptoProvider, cid: CID, bytes: Uint8Array): boolean {
  checkBlockSize(bytes)
  verifyBlock(crypto, cid, bytes)
  return !isIdentity(cid)
}

export function checkBlockSize(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('block bytes must be a Uint8Array')
  if (bytes.length > MAX_BLOCK_SIZE) throw new BlockTooLargeError(`Block of ${bytes.length} bytes exceeds the maximum of ${MAX_BLOCK_SIZE}`)
}

/** The CIDv1 sha2-256 of a new block (raw codec for fragments, dag-cbor otherwise), after the size cap. */
export function cidOfNewBlock(crypto: CryptoProvider, bytes: Uint8Array, raw: boolean): CID {
  checkBlockSize(bytes)
  return blockCid(crypto, bytes, raw)
}

/** True when stored bytes still hash to their sha2-256 CID. */
export function matchesCid(crypto: CryptoProvider, cid: CID, bytes: Uint8Array): boolean {
  return equalBytes(crypto.sha256(bytes), cid.multihash.digest)
}

/** The content of an identity CID (a copy, so callers may keep or modify it). */
export function identityContent(cid: CID): Uint8Array {
  return new Uint8Array(cid.multihash.digest)
}
