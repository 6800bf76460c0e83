// Copying a user from their old home server (reference §4.4; Peergos Mirror.mirrorUser /
// mirrorMerkleTree, the arriving side): every block reachable from each writer's WriterData, fetched
// over p2p with a BlockAuth signed with the user's mirror BAT for this server, re-hashed, and stored
// under the user's block directory inside a transaction (GC-protected until the pointers are set). A
// block is stored only once everything it links to is, so a block already here is a complete subtree
// and an interrupted copy resumes where it stopped. Pointers are then set verbatim (their signatures
// checked), and the snapshot's login data, BATs, follow requests and link counts written.
import { cidToString, isIdentity, isRawCid, verifyBlock, type CID } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import type { HttpNetworkServices } from '../../../http/clients/network.ts'
import { calculateBatId, isInlineBatId, sha256BatId, type BatWithId } from '../../../model/bat-id.ts'
import { awsDatetime, DEFAULT_BLOCK_AUTH_EXPIRY_SECONDS, generateBlockAuth } from '../../../model/block-auth.ts'
import { openSignedPointerUpdate } from '../../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../../model/signing-keys.ts'
import type { SigningKeyResolver } from '../../../model/user-public-key-link.ts'
import type { UserSnapshot } from '../../../model/user-snapshot.ts'
import { MigrationError } from '../../../services/errors.ts'
import type { ServerBlockStore } from '../../blocks/server-block-store.ts'
import type { Stores } from '../../db/config.ts'
import { cborLinks } from '../../services/cbor-links.ts'
import { requireKey } from '../../services/key-resolver.ts'
import { loginRowOf } from '../../services/local-account.ts'
import { userWriters, type SignedWriterPointer } from './user-writers.ts'
import { Limiter } from '../../../client/limiter.ts'

export type CopyStores = Pick<Stores, 'pointers' | 'transactions' | 'followRequests' | 'bats' | 'logins' | 'linkCounts'>

export interface UserCopyOptions {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly stores: CopyStores
  readonly resolve: SigningKeyResolver
  /** The old home server's services, over p2p. */
  readonly from: HttpNetworkServices
  /** This server's peer id (BlockAuths are signed for it). */
  readonly ourId: CID
  readonly username: string
  readonly owner: PublicKeyHash
  readonly mirrorBat?: BatWithId
  /** Blocks fetched at once (default 16). */
  readonly concurrency?: number
}

export class UserCopy {
  private readonly tid: string
  private readonly copying = new Map<string, Promise<void>>()
  private readonly limiter: Limiter
  blocksCopied = 0

  constructor(private readonly o: UserCopyOptions) {
    this.tid = o.stores.transactions.startTransaction()
    this.limiter = new Limiter(o.concurrency ?? 16)
  }

  /** Copies every writer's tree as the old server has it now; returns their pointers (not yet set here). */
  async copyWriters(): Promise<SignedWriterPointer[]> {
    const o = this.o
    const writers = await userWriters(o.crypto, o.owner, {
      getPointer: (w) => o.from.pointers.getPointer(o.owner, w),
      getBlock: async (cid) => {
        await this.copyTree(cid)
        return o.blocks.get(cid)
      },
    }, o.resolve)
    for (const w of writers) if (w.target !== undefined) await this.copyTree(w.target)
    return writers
  }

  /** Copies the snapshot's trees (only what is not here yet), then sets its pointers and writes its rows. */
  async apply(s: UserSnapshot): Promise<SignedWriterPointer[]> {
    const o = this.o
    if (s.username !== o.username || !s.owner.equals(o.owner)) throw new MigrationError(`The old server sent the snapshot of ${s.username}`)
    const pointers: SignedWriterPointer[] = []
    for (const p of s.pointers) {
      const update = openSignedPointerUpdate(o.crypto, await requireKey(o.resolve, p.writer), p.signed)
      if (update.updated !== null) await this.copyTree(update.updated)
      pointers.push({ writer: p.writer, signed: p.signed, target: update.updated ?? undefined })
    }
    await this.setPointers(pointers)
    for (const b of s.mirrorBats) {
      if (!sha256BatId(o.crypto, b.bat).equals(b.id)) throw new MigrationError('Invalid BAT id for BAT')
      const holder = await o.stores.bats.getOwner(b.id)
      if (holder === undefined) await o.stores.bats.add(o.username, b.id, b.bat)
      else if (holder !== o.username) throw new MigrationError('A mirror BAT of this user belongs to another user here')
    }
    if (s.login !== undefined) {
      if (s.login.username !== o.username) throw new MigrationError('The login data is for another user')
      await o.stores.logins.set(loginRowOf(s.login))
    }
    const pending = new Set((await o.stores.followRequests.list(o.owner)).map((r) => Buffer.from(r).toString('hex')))
    for (const r of s.followRequests) if (!pending.has(Buffer.from(r).toString('hex'))) await o.stores.followRequests.add(o.owner, r, Number.MAX_SAFE_INTEGER)
    if (s.linkCounts.length > 0) await o.stores.linkCounts.set(o.username, s.linkCounts)
    return pointers
  }

  /** Sets each pointer verbatim (after its tree is here), replacing whatever this server had. */
  private async setPointers(pointers: readonly SignedWriterPointer[]): Promise<void> {
    const store = this.o.stores.pointers
    for (const p of pointers) {
      for (let attempt = 0; ; attempt++) {
        const current = await store.get(p.writer)
        if (current !== undefined && Buffer.from(current).equals(Buffer.from(p.signed))) break
        if (await store.compareAndSet(p.writer, current, p.signed)) break
        if (attempt >= 3) throw new MigrationError(`The pointer of ${cidToString(p.writer)} kept changing here`)
      }
    }
  }

  /** Ends the copy's GC protection (once the pointers reference what was copied). */
  async close(): Promise<void> {
    await this.o.stores.transactions.closeTransaction(this.o.owner, this.tid)
  }

  /** The block and everything it links to, children first; a block already here is taken as complete. */
  private copyTree(cid: CID): Promise<void> {
    const key = cidToString(cid)
    let p = this.copying.get(key)
    if (p === undefined) {
      p = this.copyOne(cid)
      this.copying.set(key, p)
    }
    return p
  }

  private async copyOne(cid: CID): Promise<void> {
    if (isIdentity(cid) || (await this.o.blocks.has(cid))) return
    const bytes = await this.limiter.run(() => this.fetch(cid))
    const links = isRawCid(cid) ? [] : cborLinks(bytes)
    await Promise.all(links.map((l) => this.copyTree(l)))
    await this.o.stores.transactions.addBlocks(this.o.owner, this.tid, [cid])
    await this.o.blocks.put(this.o.username, cid, bytes)
    this.blocksCopied++
  }

  private async fetch(cid: CID): Promise<Uint8Array> {
    const o = this.o
    const bat = o.mirrorBat
    const auth = bat === undefined ? undefined : {
      auth: generateBlockAuth(o.crypto, bat.bat, cid, o.ourId, DEFAULT_BLOCK_AUTH_EXPIRY_SECONDS, awsDatetime(new Date()), isInlineBatId(bat.id) ? calculateBatId(o.crypto, bat.bat) : bat.id),
      requester: o.ourId,
    }
    const bytes = await o.from.storage.get(o.owner, cid, undefined, auth)
    if (bytes === undefined) throw new MigrationError(`Block ${cidToString(cid)} is missing on the old server`)
    verifyBlock(o.crypto, cid, bytes)
    return bytes
  }
}
