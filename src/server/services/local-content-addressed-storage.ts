// The server's ContentAddressedStorage (reference §7.3, §7.6, §8.1; Peergos StorageHandler block/put,
// WriteFilter, SpaceCheckingKeyFilter.allowWrite, TransactionalIpfs, AuthedStorage): signed writes by owned
// writers within quota, GC-protected by their transaction; BAT-guarded reads; CHAMP lookups; secret links.
import * as Digest from 'multiformats/hashes/digest'
import { CID, CODEC_DAG_CBOR, CODEC_RAW, HASH_SHA2_256, cidToString } from '../../codec/cid.ts'
import { BlockHashMismatchError } from '../../codec/errors.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import type { Bat } from '../../model/bat.ts'
import type { BatWithId } from '../../model/bat-id.ts'
import type { EncryptedCapability } from '../../model/encrypted-capability.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import {
  MAX_BLOCK_SIZE, type ChunkMirrorCap, type ContentAddressedStorage, type PeerBlockAuth, type TransactionId,
} from '../../services/content-addressed-storage.ts'
import { MissingBlockError, OversizedBlockError, QuotaExceededError, WriterNotAllowedError } from '../../services/errors.ts'
import type { BatStore } from '../db/bat-store.ts'
import type { LinkCountStore } from '../db/link-count-store.ts'
import type { TransactionStore } from '../db/transaction-store.ts'
import { checkBlockFormat } from './block-format.ts'
import { BlockReadAuthoriser } from './block-read-auth.ts'
import { champLookup } from './champ-lookup.ts'
import { SmallBlockCache } from '../blocks/small-block-cache.ts'
import { isShared } from '../blocks/fragment-workers.ts'
import { OFFLOADED_HASH_MIN } from '../blocks/verify.ts'
import type { ServiceContext } from './context.ts'
import type { OpLogScoped, OpLogWriter, PendingOwnership } from './oplog-scope.ts'
import { getSecretLink } from './secret-links.ts'
import { TransactionBatcher } from './transaction-batcher.ts'
import { currentTarget } from './stored-pointer.ts'

const SHA256_BYTES = 32

/** `bytes`, or a copy of them in memory of their own when they lie in shared memory. */
function unshared(bytes: Uint8Array): Uint8Array {
  return isShared(bytes) ? bytes.slice() : bytes
}
const MAX_TID_LENGTH = 128

/** Decides whether `owner` may store `bytes` more (written by `writer`); false refuses with QuotaExceededError. */
export type QuotaCheck = (owner: PublicKeyHash, bytes: number, writer: PublicKeyHash) => boolean | Promise<boolean>

export interface LocalContentAddressedStorageOptions {
  readonly transactions: TransactionStore
  readonly bats: BatStore
  readonly linkCounts: LinkCountStore
  /** The owner's username on this server (its block directory), or undefined when not a user here. */
  readonly usernameOf: (owner: PublicKeyHash) => Promise<string | undefined>
  /** This server's peer ids, oldest first; the last is the current one. */
  readonly serverIds: () => readonly CID[] | Promise<readonly CID[]>
  readonly checkQuota?: QuotaCheck
  /** A BAT that opens every block here (Peergos `-instance-bat`). */
  readonly instanceBat?: Bat
  /** Cap on the total bytes of one put (default MAX_BLOCK_SIZE, what Peergos clients send at most). */
  readonly maxPutBytes?: number
  readonly now?: () => Date
}

type OpLogBlocks = Pick<OpLogWriter, 'startTransaction' | 'closeTransaction' | 'put'>

export class LocalContentAddressedStorage implements ContentAddressedStorage, OpLogScoped<OpLogBlocks> {
  private readonly auth: BlockReadAuthoriser
  private readonly txRows: TransactionBatcher
  private readonly maxPutBytes: number
  private readonly now: () => Date
  /** Cryptree and CHAMP nodes served by champ/get lookups, kept in memory (listings read them over and over). */
  private readonly smallBlocks: SmallBlockCache

  constructor(private readonly ctx: ServiceContext, private readonly o: LocalContentAddressedStorageOptions) {
    this.now = o.now ?? (() => new Date())
    this.smallBlocks = new SmallBlockCache(ctx.blocks)
    this.auth = new BlockReadAuthoriser({ crypto: ctx.crypto, bats: o.bats, instanceBat: o.instanceBat, now: this.now })
    this.maxPutBytes = o.maxPutBytes ?? MAX_BLOCK_SIZE
    this.txRows = new TransactionBatcher(o.transactions)
  }

  async id(): Promise<CID> {
    const ids = await this.ids()
    if (ids.length === 0) throw new InvalidObjectError('This server has no peer id')
    return ids[ids.length - 1]
  }

  async ids(): Promise<CID[]> {
    return [...(await this.o.serverIds())]
  }

  async startTransaction(_owner: PublicKeyHash): Promise<TransactionId> {
    return this.o.transactions.startTransaction()
  }

  async closeTransaction(owner: PublicKeyHash, tid: TransactionId): Promise<void> {
    await this.o.transactions.closeTransaction(owner, tid)
  }

  /**
   * Checks, cheapest first: sizes; the signatures (each verified once with the writer's key, its
   * message being the block's sha256, from which the CID is built, so the store's hash check is the
   * only hashing); block formats; the writer's right to write for the owner; quota. Then the CIDs join
   * the transaction (before the blocks exist, so GC never sees them unprotected) and the blocks are stored.
   */
  put(owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean): Promise<CID[]> {
    return this.write(owner, writer, signatures, blocks, tid, raw, undefined)
  }

  /** This service as seen by a signup's OpLog: the writer's ownership may be proven by the OpLog's pending WriterData; every other check is the same. */
  forOpLog(pending: PendingOwnership): OpLogBlocks {
    return {
      startTransaction: (owner) => this.startTransaction(owner),
      closeTransaction: (owner, tid) => this.closeTransaction(owner, tid),
      put: (owner, writer, signatures, blocks, tid, raw) => this.write(owner, writer, signatures, blocks, tid, raw, pending),
    }
  }

  private async write(owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean,
    pending: PendingOwnership | undefined): Promise<CID[]> {
    if (blocks.length !== signatures.length) throw new InvalidObjectError(`${blocks.length} blocks but ${signatures.length} signatures`)
    if (typeof tid !== 'string' || tid.length === 0 || tid.length > MAX_TID_LENGTH) throw new InvalidObjectError('Invalid transaction id')
    let total = 0
    for (const b of blocks) {
      if (b.length > MAX_BLOCK_SIZE) throw new OversizedBlockError(`Block too big! ${b.length} > ${MAX_BLOCK_SIZE}`)
      total += b.length
    }
    if (total > this.maxPutBytes) throw new OversizedBlockError(`Can't write group of blocks with total size bigger than ${this.maxPutBytes}`)
    if (blocks.length === 0) return []
    // Request bodies may lie in shared memory (the daemon's body pool), which sodium-native does not
    // read (its verify returns undefined): everything but the fragments is copied out. A fragment is
    // only hashed, parsed for its BAT prefix and written, all of which read shared memory.
    signatures = signatures.map(unshared)
    blocks = blocks.map((b) => (b.length >= OFFLOADED_HASH_MIN && raw ? b : unshared(b)))

    const username = await this.o.usernameOf(owner)
    if (username === undefined) throw new WriterNotAllowedError(`Key not allowed to write to this server: ${cidToString(writer)}`)
    const key = await this.ctx.keys.forBlockWrite(writer, blocks, signatures)
    if (key === undefined) throw new MissingBlockError(`Couldn't retrieve writer key from ipfs with hash ${cidToString(writer)}`)
    const codec = raw ? CODEC_RAW : CODEC_DAG_CBOR
    const cids = signatures.map((sig) => {
      let hash: Uint8Array
      try {
        hash = this.ctx.crypto.openAttached(sig, key)
      } catch {
        throw new InvalidSignatureError('Invalid signature for block!')
      }
      if (hash.length !== SHA256_BYTES) throw new InvalidSignatureError('Invalid signature for block!')
      return CID.createV1(codec, Digest.create(HASH_SHA2_256, hash.slice()))
    })
    for (let i = 0; i < blocks.length; i++) checkBlockFormat(cids[i], blocks[i])
    if (!(await this.ctx.ownership.isAllowed(owner, writer, pending))) throw new WriterNotAllowedError(`Key not allowed to write to this server: ${cidToString(writer)}`)
    if (this.o.checkQuota !== undefined && !(await this.o.checkQuota(owner, total, writer))) {
      throw new QuotaExceededError(`Storage quota reached! Rejecting write of size ${total}. Please delete some files or request more space.`)
    }

    // The blocks are written while their transaction rows commit, and made visible only after (GC safety).
    const rows = this.txRows.add(owner, tid, cids)
    try {
      await this.ctx.blocks.putMany(username, cids.map((cid, i) => ({ cid, bytes: blocks[i] })), { visibleAfter: rows })
      await rows // settled already, whatever the store did with it
    } catch (e) {
      // A block whose bytes do not hash to what the writer signed: nothing of this write was stored.
      if (e instanceof BlockHashMismatchError) throw new InvalidSignatureError('Invalid signature for block!')
      throw e
    }
    if (!raw) {
      for (let i = 0; i < cids.length; i++) {
        this.ctx.writerData.written(cids[i], blocks[i])
        this.smallBlocks.remember(cids[i], blocks[i].slice()) // stored and hash-checked: new nodes are read back soon (a copy: request buffers are reused)
      }
    }
    return cids
  }

  async get(_owner: PublicKeyHash, cid: CID, bat?: BatWithId, peerAuth?: PeerBlockAuth): Promise<Uint8Array | undefined> {
    const block = await this.ctx.blocks.get(cid)
    if (block === undefined) return undefined
    await this.auth.check(cid, block, bat, peerAuth)
    return block
  }

  async getChampLookup(_owner: PublicKeyHash, root: CID, caps: ChunkMirrorCap[], committedRoot?: CID): Promise<Uint8Array[]> {
    const blocks = { has: (cid: CID) => this.ctx.blocks.has(cid), get: (cid: CID) => this.smallBlocks.get(cid), getCached: (cid: CID) => this.smallBlocks.getCached(cid) }
    return champLookup({ blocks, champ: this.ctx.champ, auth: this.auth, writerData: this.ctx.writerData }, root, caps, committedRoot)
  }

  async getSize(_owner: PublicKeyHash, cid: CID): Promise<number | undefined> {
    return this.ctx.blocks.size(cid)
  }

  async getSecretLink(owner: PublicKeyHash, label: number): Promise<EncryptedCapability> {
    return getSecretLink({
      crypto: this.ctx.crypto,
      blocks: this.ctx.blocks,
      champ: this.ctx.champ,
      writerData: this.ctx.writerData,
      linkCounts: this.o.linkCounts,
      usernameOf: this.o.usernameOf,
      currentTarget: (w) => currentTarget(this.ctx.pointerStore, w),
      nowSeconds: () => Math.floor(this.now().getTime() / 1000),
    }, owner, label)
  }
}
