// Who may read a block (reference §7.6; Peergos BlockRequestAuthoriser.allowRead, getWithAbsentMirrorBat):
// blocks without BAT ids are public; else a client's BAT must equal an inline, stored or instance BAT or
// hash to a BAT id in the block, and a peer's BlockAuth must be a fresh S3 V4 signature for that peer.
import type { CID } from '../../codec/cid.ts'
import { CODEC_DAG_CBOR, isIdentity } from '../../codec/cid.ts'
import { constantTimeEqual } from '../../crypto/peergos.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { Bat } from '../../model/bat.ts'
import { inlineBatOf, sha256BatId, type BatId, type BatWithId } from '../../model/bat-id.ts'
import { blockBatIds, cborBlockBatIds } from '../../model/bat-prefix.ts'
import { allowBlockRead } from '../../model/block-auth.ts'
import type { PeerBlockAuth } from '../../services/content-addressed-storage.ts'
import { UnauthorisedError } from '../../services/errors.ts'
import type { BatStore } from '../db/bat-store.ts'
import { cidKey } from '../../champ/block-store.ts'
import { GenerationalCache } from './lru.ts'

const CBOR_MAJOR_MAP = 5

/**
 * The BAT ids guarding a block. A dag-cbor block lists them under the top-level key `bats`, so
 * one that is not a CBOR map (CHAMP nodes, most blocks) is public without being decoded.
 */
export function batIdsOf(cid: CID, block: Uint8Array): BatId[] {
  if (isIdentity(cid)) return []
  if (cid.code === CODEC_DAG_CBOR) return block.length > 0 && block[0] >> 5 === CBOR_MAJOR_MAP ? cborBlockBatIds(block) : []
  return blockBatIds(cid, block)
}

export interface BlockReadAuthOptions {
  readonly crypto: CryptoProvider
  /** The BatCave's stored (mirror) BATs. */
  readonly bats: BatStore
  /** A BAT that opens every block of this server (mirroring between servers). */
  readonly instanceBat?: Bat
  readonly now?: () => Date
  /**
   * Blocks whose BAT ids are kept, decoded (default 32,768): a listing reads the same nodes' lists again
   * and again, and a 10,000-entry folder's nodes and CHAMP path nodes (~12,500) must fit in one of the
   * cache's two generations, or every listing decodes them all again.
   */
  readonly idCacheSize?: number
}

export class BlockReadAuthoriser {
  /** CID → its BAT ids: blocks are immutable and served only after their hash was checked, so a CID's ids never change. */
  private readonly ids: GenerationalCache<string, BatId[]>

  constructor(private readonly o: BlockReadAuthOptions) {
    this.ids = new GenerationalCache(o.idCacheSize ?? 32_768)
  }

  /** batIdsOf, remembered per CID (a malformed list is not: it throws every time). */
  private idsOf(cid: CID, block: Uint8Array): BatId[] {
    const key = cidKey(cid)
    let ids = this.ids.get(key)
    if (ids === undefined) {
      ids = batIdsOf(cid, block)
      this.ids.set(key, ids)
    }
    return ids
  }

  /**
   * True when check() would pass without looking anything up: the block is public, or `bat` is one
   * of the inline BATs in it. False means only check() can tell (and it throws the refusal).
   */
  readableNow(cid: CID, block: Uint8Array, bat?: BatWithId): boolean {
    let ids: BatId[]
    try {
      ids = this.idsOf(cid, block)
    } catch {
      return false
    }
    if (ids.length === 0) return true
    return bat !== undefined && hasInlineBat(ids, bat.bat.secret)
  }

  /** Throws UnauthorisedError unless the request may read `block`. A block whose BAT list is malformed is never served. */
  async check(cid: CID, block: Uint8Array, bat?: BatWithId, peerAuth?: PeerBlockAuth): Promise<void> {
    let ids: BatId[]
    try {
      ids = this.idsOf(cid, block)
    } catch {
      throw new UnauthorisedError('Unauthorised! (unreadable BAT list)')
    }
    if (ids.length === 0) return
    const ok = bat !== undefined ? await this.withBat(ids, bat)
      : peerAuth !== undefined ? await this.withPeerAuth(cid, ids, peerAuth)
      : false
    if (!ok) throw new UnauthorisedError('Unauthorised!')
  }

  /**
   * A client of this server sends the BAT itself; Peergos signs a BlockAuth with it for its own node id
   * and verifies that, which comes down to comparing secrets (here in constant time), plus
   * getWithAbsentMirrorBat's fallback: a BAT whose sha256 id is in the block (a mirror BAT not stored here).
   */
  private async withBat(ids: readonly BatId[], given: BatWithId): Promise<boolean> {
    const secret = given.bat.secret
    if (hasInlineBat(ids, secret)) return true
    for (const id of ids) {
      if (inlineBatOf(id) !== undefined || !id.equals(given.id)) continue
      const stored = await this.o.bats.get(id)
      if (stored !== undefined && constantTimeEqual(stored.secret, secret)) return true
    }
    if (this.o.instanceBat !== undefined && constantTimeEqual(this.o.instanceBat.secret, secret)) return true
    const hashed = sha256BatId(this.o.crypto, given.bat)
    return ids.some((id) => id.equals(hashed))
  }

  private withPeerAuth(cid: CID, ids: BatId[], p: PeerBlockAuth): Promise<boolean> {
    return allowBlockRead(this.o.crypto, {
      block: cid,
      batIds: ids,
      sourceNode: p.requester,
      auth: p.auth,
      lookupBat: (id) => this.o.bats.get(id),
      instanceBat: this.o.instanceBat,
      now: this.o.now?.(),
    })
  }
}

/** Whether one of the block's inline BATs has `secret` (every id compared, in constant time each). */
function hasInlineBat(ids: readonly BatId[], secret: Uint8Array): boolean {
  let ok = false
  for (const id of ids) {
    const inline = inlineBatOf(id)
    if (inline !== undefined && constantTimeEqual(inline.secret, secret)) ok = true
  }
  return ok
}
