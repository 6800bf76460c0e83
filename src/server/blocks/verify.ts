// What a block store accepts and serves: sha2-256 blocks of at most MAX_BLOCK_SIZE whose bytes hash
// to their CID (B4 items 9-11). Identity CIDs carry their content inline and are never stored.
import { webcrypto } from 'node:crypto'
import { BlockHashMismatchError } from '../../codec/errors.ts'
import { HASH_SHA2_256, blockCid, cidToString, equalBytes, isIdentity, verifyBlock, type CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { MAX_BLOCK_SIZE } from '../../services/content-addressed-storage.ts'
import { BlockTooLargeError } from './errors.ts'
import { fragmentWorkers, isShared } from './fragment-workers.ts'

/** Only sha2-256 blocks are ever stored (Peergos writes no other hash). */
export function isStoredKind(cid: CID): boolean {
  return cid.multihash.code === HASH_SHA2_256
}

/**
 * Blocks at least this large (file fragments) are hashed off the event loop, which can then parse the
 * next request: in shared memory (the daemon's request bodies) by a fragment worker, with no copy;
 * elsewhere on libuv's threadpool through WebCrypto's digest, which copies them first (the event loop
 * pays ~0.1 ms per MiB instead of the hash's ~0.6 ms) and refuses shared memory.
 */
export const OFFLOADED_HASH_MIN = 128 * 1024

/** sha-256 of `bytes`: in the calling thread when small, off it when large. */
export async function sha256Of(crypto: CryptoProvider, bytes: Uint8Array): Promise<Uint8Array> {
  return bytes.length < OFFLOADED_HASH_MIN ? crypto.sha256(bytes) : offloadedSha256(bytes)
}

/** sha-256 of `bytes` off the event loop: a fragment worker for shared memory, else libuv's thread pool. */
export async function offloadedSha256(bytes: Uint8Array): Promise<Uint8Array> {
  if (isShared(bytes)) return fragmentWorkers('hashing').sha256(bytes)
  return new Uint8Array(await webcrypto.subtle.digest('SHA-256', bytes))
}

/**
 * Checks a block offered to put(): size cap, then the hash (BlockHashMismatchError, also for an
 * unsupported multihash). Returns false for an identity CID, which needs no storage.
 */
export async function checkBlockForPut(crypto: CryptoProvider, cid: CID, bytes: Uint8Array): Promise<boolean> {
  checkBlockSize(bytes)
  const offloaded = cid.multihash.code === HASH_SHA2_256 && bytes.length >= OFFLOADED_HASH_MIN
  if (!offloaded) verifyBlock(crypto, cid, bytes)
  else if (!(await matchesCid(crypto, cid, bytes))) throw new BlockHashMismatchError(`Block does not hash to ${cidToString(cid)}`)
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
export async function matchesCid(crypto: CryptoProvider, cid: CID, bytes: Uint8Array): Promise<boolean> {
  return equalBytes(await sha256Of(crypto, bytes), cid.multihash.digest)
}

/** The content of an identity CID (a copy, so callers may keep or modify it). */
export function identityContent(cid: CID): Uint8Array {
  return new Uint8Array(cid.multihash.digest)
}
