// The ContentAddressedStorage service (reference §7.3 "/api/v0/", §8.1; Peergos
// shared/storage/ContentAddressedStorage): signed block writes inside GC-protecting transactions,
// BAT-guarded reads, one-round-trip CHAMP lookups, secret links. Implemented locally by the
// server, over HTTP by the http layer, and proxied to other servers over p2p.
import type { CID } from '../codec/cid.ts'
import type { BatWithId } from '../model/bat-id.ts'
import type { BlockAuth } from '../model/block-auth.ts'
import type { EncryptedCapability } from '../model/encrypted-capability.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'

export type TransactionId = string

/** ChunkMirrorCap {m: mapKey, b?: BatWithId}: one CHAMP key to look up, with the BAT of its value block. */
export interface ChunkMirrorCap {
  readonly mapKey: Uint8Array
  readonly bat?: BatWithId
}

/**
 * A BlockAuth presented by another node (Peergos' `auth=` reads between servers), together with that
 * node's peer id as authenticated by the transport (the libp2p remote peer of the stream), never a
 * value taken from the request itself: the S3 V4 signature is bound to it, which stops replays.
 */
export interface PeerBlockAuth {
  readonly auth: BlockAuth
  readonly requester: CID
}

/** Blocks larger than this (1 MiB of fragment plus 100 bytes of BAT prefix) are refused. */
export { MAX_BLOCK_SIZE } from '../model/fragmented-cipher-text.ts'
/** champ/get/bulk answers at most this many keys per call (Peergos MAX_CHAMP_GETS). */
export const MAX_CHAMP_GETS = 20

export interface ContentAddressedStorage {
  /** This server's current peer id (a libp2p-key CID). */
  id(): Promise<CID>
  /** All peer ids this server answers for (current and past). */
  ids(): Promise<CID[]>

  startTransaction(owner: PublicKeyHash): Promise<TransactionId>
  closeTransaction(owner: PublicKeyHash, tid: TransactionId): Promise<void>

  /**
   * Stores blocks written by `writer` for `owner`. `signatures[i]` is the writer's attached
   * signature of sha256(blocks[i]); a signing key's first block may be signed by itself.
   * `raw` selects the raw codec (fragments) instead of dag-cbor.
   */
  put(owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean): Promise<CID[]>

  /**
   * A block's bytes, or undefined when absent. Blocks that carry BAT ids need a matching `bat` (a
   * client of its home server) or `peerAuth` (another node); otherwise UnauthorisedError.
   */
  get(owner: PublicKeyHash, cid: CID, bat?: BatWithId, peerAuth?: PeerBlockAuth): Promise<Uint8Array | undefined>

  /** Every block on the CHAMP path of each key plus its value block, in one round trip. */
  getChampLookup(owner: PublicKeyHash, root: CID, caps: ChunkMirrorCap[], committedRoot?: CID): Promise<Uint8Array[]>

  /** A block's size, or undefined when absent. */
  getSize(owner: PublicKeyHash, cid: CID): Promise<number | undefined>

  /** The encrypted capability of a secret link, after the server checked its expiry and use count. */
  getSecretLink(owner: PublicKeyHash, label: number): Promise<EncryptedCapability>
}
