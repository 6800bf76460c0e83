// One attempt at changing a writer's file tree (the `tree` CHAMP of its WriterData, reference §3.1):
// cryptree node blocks are read through the CHAMP, verified by hash, and new ones staged together
// with the CHAMP nodes they produce. Only the staged blocks still reachable from the final root are
// sent at commit (WriterSession.commit), like Peergos' BufferedStorage after its local GC.
import { batWithId, calculateBatId } from '../model/bat-id.ts'
import type { Bat } from '../model/bat.ts'
import { blockCid, cidToString, type CID } from '../codec/cid.ts'
import { Champ, ChampBlockNotFoundError, cidKey, isBucket, type BlockStore } from '../champ/index.ts'
import { encodeCryptreeNode, type BuiltCryptreeNode } from '../model/cryptree-node.ts'
import type { FragmentBlock } from '../model/fragmented-cipher-text.ts'
import { buildOwnerProof, encodeOwnerProof, ownedKeyChampKey } from '../model/owner-proof.ts'
import type { SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import type { TransactionId } from '../services/content-addressed-storage.ts'
import { NotFoundError } from './errors.ts'
import type { CommittedWriter, WriterSession } from './writer-session.ts'

/**
 * New cryptree nodes (without fragments) are put ahead of the commit this many at a time, while the
 * operation goes on building the others: the server checks and stores them meanwhile. They are
 * immutable and the open transaction protects them; a node the final tree no longer reaches is
 * left for GC.
 */
export const EARLY_PUT_BATCH = 25

/** Thrown by the local-only store: the block is not cached, so the path must be fetched. */
class NotCachedError extends Error {}
/** The one instance thrown (no stack trace built per miss). */
const NOT_CACHED = new NotCachedError('not cached')

/** A block this transaction built, with the CID computed when it was staged. */
export interface StagedBlock {
  readonly cid: CID
  readonly block: Uint8Array
}

export class WriterTx {
  /** The tree CHAMP root as changed so far (undefined: the writer has no tree yet). */
  root: CID | undefined
  /** Set by operations that change the WriterData without changing the tree. */
  dirty = false
  /** The owned-keys CHAMP root as changed so far. */
  ownedKeys: CID | undefined
  private readonly staged = new Map<string, StagedBlock>()
  /** Raw fragment blocks of staged cryptree nodes, by the node's CID. */
  private readonly fragmentsOf = new Map<string, FragmentBlock[]>()
  private readonly champ: Champ
  private localOnly = false
  /** CID keys of the nodes put ahead of the commit, the puts themselves, and nodes waiting for the next batch. */
  private readonly putEarly = new Set<string>()
  private readonly earlyPuts: Promise<unknown>[] = []
  private pendingEarly: StagedBlock[] = []

  /** `tid`: the open server transaction, when nodes may be put before the commit. */
  constructor(readonly session: WriterSession, readonly base: CommittedWriter, private readonly tid?: TransactionId) {
    this.root = base.data.tree
    this.ownedKeys = base.data.ownedKeys
    const store: BlockStore = {
      trusted: true,
      get: (cid) => this.getBlock(cid),
      put: async (block, raw) => this.stage(block, raw),
    }
    this.champ = new Champ({ store, crypto: session.crypto, keyHash: 'identity', cacheSize: 256 })
  }

  /** Stages a dag-cbor block (a cryptree node or CHAMP node) to be sent with the commit. */
  stage(block: Uint8Array, raw = false): CID {
    const cid = blockCid(this.session.crypto, block, raw)
    this.staged.set(cidKey(cid), { cid, block })
    return cid
  }

  private async getBlock(cid: CID): Promise<Uint8Array | undefined> {
    const local = this.staged.get(cidKey(cid))?.block ?? this.session.cache.get(cid)
    if (local !== undefined) return local
    if (this.localOnly) throw NOT_CACHED
    const s = this.session
    const block = await s.storage.get(s.owner, cid)
    if (block === undefined) return undefined
    if (!blockCid(s.crypto, block, false).equals(cid)) throw new NotFoundError(`Block ${cidToString(cid)} does not hash to its CID`)
    s.cache.set(cid, block)
    return block
  }

  /**
   * Makes sure the CHAMP path of `mapKey` is cached: walks it locally, and on the first missing node
   * fetches the whole path (and the value block) from the committed root in one champ/get round trip.
   */
  private async ensurePath(mapKey: Uint8Array, bat?: Bat, root: CID | undefined = this.root, committed: CID | undefined = this.base.data.tree): Promise<void> {
    if (root === undefined) return
    this.localOnly = true
    try {
      await this.champ.get(root, mapKey)
      return
    } catch (e) {
      if (!(e instanceof NotCachedError)) throw e
    } finally {
      this.localOnly = false
    }
    const s = this.session
    if (committed === undefined) return
    const b = bat === undefined ? undefined : batWithId(bat, calculateBatId(s.crypto, bat))
    for (const block of await s.storage.getChampLookup(s.owner, committed, [{ mapKey, bat: b }])) {
      s.cache.set(blockCid(s.crypto, block, false), block) // cached under the hash we computed: a forged block is never found
    }
  }

  /** The CID of the cryptree node stored under `mapKey`, or undefined. */
  async nodeCid(mapKey: Uint8Array, bat?: Bat): Promise<CID | undefined> {
    if (this.root === undefined) return undefined
    await this.ensurePath(mapKey, bat)
    try {
      return await this.champ.get(this.root, mapKey)
    } catch (e) {
      if (e instanceof ChampBlockNotFoundError) throw new NotFoundError(`A tree node of writer ${cidToString(this.session.writer)} is missing`, { cause: e })
      throw e
    }
  }

  /** The cryptree node block stored under `mapKey` (verified), or undefined. */
  async getNode(mapKey: Uint8Array, bat?: Bat): Promise<{ cid: CID; block: Uint8Array } | undefined> {
    const cid = await this.nodeCid(mapKey, bat)
    if (cid === undefined) return undefined
    const local = this.staged.get(cidKey(cid))?.block ?? this.session.cache.get(cid)
    if (local !== undefined) return { cid, block: local }
    const s = this.session
    const block = await s.storage.get(s.owner, cid, bat === undefined ? undefined : batWithId(bat, calculateBatId(s.crypto, bat)))
    if (block === undefined) throw new NotFoundError(`Cryptree node ${cidToString(cid)} is missing`)
    if (!blockCid(s.crypto, block, false).equals(cid)) throw new NotFoundError(`Cryptree node ${cidToString(cid)} does not hash to its CID`)
    s.cache.set(cid, block)
    return { cid, block }
  }

  /** Stores `block` under `mapKey` (replacing whatever is there) and returns its CID. */
  async setNode(mapKey: Uint8Array, block: Uint8Array, bat?: Bat): Promise<CID> {
    const cid = this.stage(block)
    if (this.root === undefined) this.root = await this.champ.createEmpty()
    const current = await this.nodeCid(mapKey, bat)
    if (current !== undefined && current.equals(cid)) return cid
    this.root = await this.champ.put(this.root, mapKey, current, cid)
    return cid
  }

  /** Stores a built cryptree node (and its raw fragments) under `mapKey`. */
  async setBuiltNode(mapKey: Uint8Array, built: BuiltCryptreeNode, bat?: Bat): Promise<CID> {
    const cid = await this.setNode(mapKey, encodeCryptreeNode(built.node), bat)
    if (built.fragments.length > 0) this.fragmentsOf.set(cidKey(cid), built.fragments)
    else if (this.tid !== undefined) await this.putSoon(cid)
    return cid
  }

  /** Queues a staged node for an early put; every EARLY_PUT_BATCH nodes the batch goes out. */
  private async putSoon(cid: CID): Promise<void> {
    const staged = this.staged.get(cidKey(cid))
    if (staged === undefined || this.putEarly.has(cidKey(cid))) return
    this.pendingEarly.push(staged)
    if (this.pendingEarly.length < EARLY_PUT_BATCH) return
    const blocks = this.pendingEarly
    this.pendingEarly = []
    for (const b of blocks) this.putEarly.add(cidKey(b.cid))
    const put = this.session.putBlocks(blocks, this.tid!)
    put.catch(() => undefined) // awaited by earlyPutsDone
    this.earlyPuts.push(put)
    await new Promise((r) => setTimeout(r, 0)) // let the request go out while the operation continues
  }

  /**
   * Sends the nodes waiting for the next early put now (an operation that has built a group of nodes
   * and goes on to build the rest: the server stores the group meanwhile).
   */
  flushEarlyPuts(): void {
    if (this.tid === undefined || this.pendingEarly.length === 0) return
    const blocks = this.pendingEarly
    this.pendingEarly = []
    for (const b of blocks) this.putEarly.add(cidKey(b.cid))
    const put = this.session.putBlocks(blocks, this.tid)
    put.catch(() => undefined) // awaited by earlyPutsDone
    this.earlyPuts.push(put)
  }

  /** The CID keys of the nodes sent (or being sent) by early puts. */
  earlyPutKeys(): ReadonlySet<string> {
    return this.putEarly
  }

  /** Waits for the early puts (a failure fails the commit) and returns the CID keys they stored. */
  async earlyPutsDone(): Promise<ReadonlySet<string>> {
    await Promise.all(this.earlyPuts)
    return this.putEarly
  }

  /**
   * Authorises another signing key to write for this owner (WriterData.addOwnedKeyAndCommit): its
   * OwnerProof goes into this writer's owned-keys CHAMP, keyed by the reversed key hash.
   */
  async addOwnedKey(owned: SigningPrivateKeyAndPublicHash): Promise<void> {
    const c = this.session.crypto
    const proof = this.stage(encodeOwnerProof(buildOwnerProof(c, owned, this.session.writer)))
    if (this.ownedKeys === undefined) this.ownedKeys = await this.champ.createEmpty()
    const key = ownedKeyChampKey(owned.publicKeyHash)
    await this.ensurePath(key, undefined, this.ownedKeys, this.base.data.ownedKeys)
    this.ownedKeys = await this.champ.put(this.ownedKeys, key, await this.champ.get(this.ownedKeys, key), proof)
    this.dirty = true
  }

  /** Removes the node under `mapKey` (nothing when absent). */
  async removeNode(mapKey: Uint8Array, bat?: Bat): Promise<void> {
    if (this.root === undefined) return
    const current = await this.nodeCid(mapKey, bat)
    if (current === undefined) return
    this.root = await this.champ.remove(this.root, mapKey, current)
  }

  /** The staged blocks the final root still reaches: new CHAMP nodes, the cryptree nodes they map to, and those nodes' raw fragments. */
  async reachableStagedBlocks(): Promise<{ cbor: StagedBlock[]; raw: FragmentBlock[] }> {
    const out: StagedBlock[] = []
    const raw: FragmentBlock[] = []
    const seen = new Set<string>()
    const visit = async (cid: CID): Promise<void> => {
      const k = cidKey(cid)
      const staged = this.staged.get(k)
      if (staged === undefined || seen.has(k)) return
      seen.add(k)
      out.push(staged)
      const node = await this.champ.readNode(cid)
      for (const slot of node.slots) {
        if (slot === undefined) continue
        if (!isBucket(slot)) await visit(slot)
        else for (const e of slot) if (e.value !== undefined && e.value !== null) this.pushValue(e.value, seen, out)
      }
    }
    if (this.root !== undefined) await visit(this.root)
    if (this.ownedKeys !== undefined) await visit(this.ownedKeys)
    for (const b of out) raw.push(...(this.fragmentsOf.get(cidKey(b.cid)) ?? []))
    return { cbor: out, raw }
  }

  private pushValue(value: CID, seen: Set<string>, out: StagedBlock[]): void {
    const k = cidKey(value)
    const staged = this.staged.get(k)
    if (staged === undefined || seen.has(k)) return
    seen.add(k)
    out.push(staged)
  }
}
