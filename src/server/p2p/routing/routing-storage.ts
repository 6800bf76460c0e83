// ContentAddressedStorage routed by owner (reference §7.1, §7.6; Peergos ContentAddressedStorage.Proxying,
// LocalFirstStorage, P2pBlockGet): writes, transactions, CHAMP lookups and secret links go to the owner's
// home server; a block read is served from the local store, else from a cache of blocks fetched from
// home servers, else fetched from the owner's home over p2p with a BlockAuth this server signs with the
// client's BAT for its own peer id (the BAT itself is not sent on), re-hashed and cached. A cached
// block is served only to a request whose BAT opens it here; otherwise the home server decides.
import type { CID } from '../../../codec/cid.ts'
import { verifyBlock } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { calculateBatId, isInlineBatId, type BatWithId } from '../../../model/bat-id.ts'
import { awsDatetime, DEFAULT_BLOCK_AUTH_EXPIRY_SECONDS, generateBlockAuth } from '../../../model/block-auth.ts'
import type { EncryptedCapability } from '../../../model/encrypted-capability.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { ChunkMirrorCap, ContentAddressedStorage, PeerBlockAuth, TransactionId } from '../../../services/content-addressed-storage.ts'
import { UnauthorisedError } from '../../../services/errors.ts'
import type { BlockReadAuthoriser } from '../../services/block-read-auth.ts'
import { BlockCache } from './block-cache.ts'
import type { HomeRouter, RouteMode } from './home-router.ts'

export interface RoutingStorageOptions {
  readonly crypto: CryptoProvider
  readonly router: HomeRouter
  readonly mode: RouteMode
  /** Checks a client's BAT against a cached block, as the local storage does for its own blocks. */
  readonly auth: BlockReadAuthoriser
  /** This server's current peer id: the node BlockAuths are signed for. */
  readonly ourId: () => CID
  /** Blocks fetched from home servers, shared by every routed storage of the daemon. */
  readonly cache: BlockCache
}

export class RoutingStorage implements ContentAddressedStorage {
  constructor(private readonly local: ContentAddressedStorage, private readonly o: RoutingStorageOptions) {}

  id(): Promise<CID> {
    return this.local.id()
  }

  ids(): Promise<CID[]> {
    return this.local.ids()
  }

  startTransaction(owner: PublicKeyHash): Promise<TransactionId> {
    return this.o.router.byOwner(owner, this.o.mode, true, () => this.local.startTransaction(owner), (s) => s.storage.startTransaction(owner))
  }

  closeTransaction(owner: PublicKeyHash, tid: TransactionId): Promise<void> {
    return this.o.router.byOwner(owner, this.o.mode, true, () => this.local.closeTransaction(owner, tid), (s) => s.storage.closeTransaction(owner, tid))
  }

  put(owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean): Promise<CID[]> {
    return this.o.router.byOwner(owner, this.o.mode, true,
      () => this.local.put(owner, writer, signatures, blocks, tid, raw),
      (s) => s.storage.put(owner, writer, signatures, blocks, tid, raw))
  }

  async get(owner: PublicKeyHash, cid: CID, bat?: BatWithId, peerAuth?: PeerBlockAuth): Promise<Uint8Array | undefined> {
    const here = await this.local.get(owner, cid, bat, peerAuth)
    if (here !== undefined) return here
    const home = await this.o.router.remoteHome(owner, this.o.mode)
    if (home === undefined) return undefined
    const cached = this.o.cache.get(cid)
    if (cached !== undefined && (await this.opens(cid, cached, bat))) return cached
    const fetched = await home.storage.get(owner, cid, undefined, bat === undefined ? undefined : this.blockAuth(cid, bat))
    if (fetched === undefined) return undefined
    verifyBlock(this.o.crypto, cid, fetched)
    this.o.cache.set(cid, fetched)
    return fetched
  }

  /** Whether `bat` opens `block` by this server's rules (inline BATs, mirror BAT ids in the block, stored BATs). */
  private async opens(cid: CID, block: Uint8Array, bat: BatWithId | undefined): Promise<boolean> {
    try {
      await this.o.auth.check(cid, block, bat)
      return true
    } catch (e) {
      if (e instanceof UnauthorisedError) return false
      throw e
    }
  }

  /** Peergos' p2p block get: a BlockAuth for this node, signed with the client's BAT (never the BAT itself). */
  private blockAuth(cid: CID, bat: BatWithId): PeerBlockAuth {
    const id = isInlineBatId(bat.id) ? calculateBatId(this.o.crypto, bat.bat) : bat.id
    const auth = generateBlockAuth(this.o.crypto, bat.bat, cid, this.o.ourId(), DEFAULT_BLOCK_AUTH_EXPIRY_SECONDS, awsDatetime(new Date()), id)
    return { auth, requester: this.o.ourId() }
  }

  getChampLookup(owner: PublicKeyHash, root: CID, caps: ChunkMirrorCap[], committedRoot?: CID): Promise<Uint8Array[]> {
    return this.o.router.byOwner(owner, this.o.mode, false,
      () => this.local.getChampLookup(owner, root, caps, committedRoot),
      (s) => s.storage.getChampLookup(owner, root, caps, committedRoot))
  }

  async getSize(owner: PublicKeyHash, cid: CID): Promise<number | undefined> {
    const here = await this.local.getSize(owner, cid)
    if (here !== undefined) return here
    const home = await this.o.router.remoteHome(owner, this.o.mode)
    return home === undefined ? undefined : home.storage.getSize(owner, cid)
  }

  getSecretLink(owner: PublicKeyHash, label: number): Promise<EncryptedCapability> {
    return this.o.router.byOwner(owner, this.o.mode, false, () => this.local.getSecretLink(owner, label), (s) => s.storage.getSecretLink(owner, label))
  }
}
