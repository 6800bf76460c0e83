// Which writer keys an owner controls (reference §3.2, §3.4; Peergos getDirectOwnedKeys/getOwnedKeysRecursive):
// the owner, and recursively every key in a controlled key's owned-keys CHAMP (or `named` map) whose
// OwnerProof verifies and names that controlling key. Decisions are cached and re-validated cheaply.
import { binaryKey, type BlockStore } from '../../champ/block-store.ts'
import { Champ } from '../../champ/champ.ts'
import type { CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { PeergosError } from '../../errors.ts'
import { decodeOwnerProof, verifyOwnerProof, type OwnerProof } from '../../model/owner-proof.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { decodeWriterData, type WriterData } from '../../model/writer-data.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import { Lru } from './lru.ts'
import type { SigningKeys } from './signing-keys.ts'
import type { WriterDataCache } from './writer-data-cache.ts'

export interface OwnershipOptions {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly champ: Champ
  readonly keys: SigningKeys
  readonly writerData: WriterDataCache
  /** The writer's current WriterData CID (its stored pointer's target). */
  readonly currentTarget: (writer: PublicKeyHash) => Promise<CID | undefined>
  /** At most this many keys are visited per search, and read per owned-keys CHAMP (default 10,000). */
  readonly maxKeys?: number
  readonly cacheSize?: number
}

/**
 * What a signup's OpLog is about to commit, seen before it is (see oplog-scope.ts): ownership is then
 * read from the OpLog's own WriterData where the OpLog sets a writer's pointer.
 */
export interface PendingOwnership {
  /** The WriterData the OpLog's validated pointer update gives `writer`; null: deleted; undefined: no update (the stored pointer counts). */
  target(writer: PublicKeyHash): CID | null | undefined
  /** One of the OpLog's dag-cbor blocks, found by the CID of its bytes, or undefined. */
  block(cid: CID): Uint8Array | undefined
}

type KeySet = ReadonlyMap<string, PublicKeyHash>
const EMPTY: KeySet = new Map()

/** Where a search reads pointers and blocks: the committed state, or that state overlaid by an OpLog. */
interface View {
  target(writer: PublicKeyHash): Promise<CID | undefined>
  writerData(cid: CID): Promise<WriterData>
  block(cid: CID): Promise<Uint8Array | undefined>
  readonly champ: Champ
  /** Whether decisions may be cached (only those read from committed state are). */
  readonly committed: boolean
}

/** A verified OwnerProof: the owned key and the key it names as its owner. */
interface CheckedProof {
  readonly owned: PublicKeyHash
  readonly claimedOwner: string
}

export class OwnershipResolver {
  private readonly maxKeys: number
  /** `parent|ownedRoot` → keys owned by parent in that owned-keys CHAMP. */
  private readonly ownedByRoot: Lru<string, KeySet>
  /** proof block → its verified content (null: invalid). */
  private readonly proofs: Lru<string, CheckedProof | null>
  /** `owner|writer` → the chain of keys [owner, ..., writer's parent] last found. */
  private readonly chains: Lru<string, PublicKeyHash[]>
  private readonly committed: View

  constructor(private readonly o: OwnershipOptions) {
    this.maxKeys = o.maxKeys ?? 10_000
    const size = o.cacheSize ?? 10_000
    this.ownedByRoot = new Lru(size)
    this.proofs = new Lru(size * 4)
    this.chains = new Lru(size)
    this.committed = {
      target: (w) => o.currentTarget(w),
      writerData: (cid) => o.writerData.get(cid),
      block: (cid) => o.blocks.get(cid),
      champ: o.champ,
      committed: true,
    }
  }

  /**
   * Whether `writer` may write for `owner`: the owner itself, or a key it owns directly or recursively.
   * With `pending` (a signup's OpLog), a key whose pointer the OpLog sets is read at its new WriterData,
   * from the OpLog's blocks first; nothing learnt that way is cached.
   */
  async isAllowed(owner: PublicKeyHash, writer: PublicKeyHash, pending?: PendingOwnership): Promise<boolean> {
    const ownerKey = binaryKey(owner.bytes)
    const writerKey = binaryKey(writer.bytes)
    if (ownerKey === writerKey) return true
    if (pending !== undefined) return (await this.search(owner, writer, this.overlay(pending))) !== undefined
    const pair = `${ownerKey}|${writerKey}`
    const chain = this.chains.get(pair)
    if (chain !== undefined && (await this.chainHolds(chain, writer))) return true
    const found = await this.search(owner, writer, this.committed)
    if (found === undefined) this.chains.delete(pair)
    else this.chains.set(pair, found)
    return found !== undefined
  }

  /** The committed state overlaid by an OpLog's pointer targets and blocks. */
  private overlay(pending: PendingOwnership): View {
    const base = this.committed
    const block = async (cid: CID): Promise<Uint8Array | undefined> => pending.block(cid) ?? (await base.block(cid))
    const store: BlockStore = {
      trusted: true, // OpLog blocks are keyed by the hash of their bytes; stored ones are re-hashed by the store
      get: block,
      put: () => Promise.reject(new PeergosError('Ownership checks never write')),
    }
    return {
      target: async (w) => {
        const t = pending.target(w)
        return t === undefined ? base.target(w) : (t ?? undefined)
      },
      writerData: async (cid) => {
        const b = pending.block(cid)
        return b === undefined ? base.writerData(cid) : decodeWriterData(b)
      },
      block,
      champ: new Champ({ store, crypto: this.o.crypto, verify: false, cacheSize: 256 }),
      committed: false,
    }
  }

  /** Every key owned by `owner`, recursively (the owner not included), breadth first. */
  async ownedKeysRecursive(owner: PublicKeyHash): Promise<PublicKeyHash[]> {
    const out: PublicKeyHash[] = []
    const seen = new Set([binaryKey(owner.bytes)])
    const queue = [owner]
    while (queue.length > 0 && seen.size <= this.maxKeys) {
      for (const [k, key] of await this.directOwnedIn(this.committed, queue.shift()!)) {
        if (seen.has(k)) continue
        seen.add(k)
        out.push(key)
        queue.push(key)
      }
    }
    return out
  }

  /** The keys `parent` owns directly in its current WriterData (owned-keys CHAMP and named keys), each with a valid proof naming `parent`. */
  directOwned(parent: PublicKeyHash): Promise<KeySet> {
    return this.directOwnedIn(this.committed, parent)
  }

  private async directOwnedIn(view: View, parent: PublicKeyHash): Promise<KeySet> {
    const target = await view.target(parent)
    if (target === undefined) return EMPTY
    let wd
    try {
      wd = await view.writerData(target)
    } catch {
      return EMPTY // an unreadable WriterData grants nothing
    }
    const parentKey = binaryKey(parent.bytes)
    let owned = EMPTY
    if (wd.ownedKeys !== undefined) owned = await this.ownedInChamp(view, parentKey, wd.ownedKeys)
    if (wd.namedOwnedKeys === undefined || wd.namedOwnedKeys.size === 0) return owned
    const all = new Map(owned)
    for (const proof of wd.namedOwnedKeys.values()) {
      const checked = await this.check(proof)
      if (checked?.claimedOwner === parentKey) all.set(binaryKey(checked.owned.bytes), checked.owned)
    }
    return all
  }

  private async ownedInChamp(view: View, parentKey: string, root: CID): Promise<KeySet> {
    const cacheKey = `${parentKey}|${binaryKey(root.bytes)}`
    const hit = this.ownedByRoot.get(cacheKey)
    if (hit !== undefined) return hit
    const owned = new Map<string, PublicKeyHash>()
    let complete = true
    try {
      let n = 0
      for await (const { value } of view.champ.entries(root)) {
        if (++n > this.maxKeys) break
        const checked = await this.proofAt(view, value)
        if (checked === undefined) complete = false
        else if (checked?.claimedOwner === parentKey) owned.set(binaryKey(checked.owned.bytes), checked.owned)
      }
    } catch {
      complete = false // a missing or malformed CHAMP node: only the keys read so far are granted
    }
    if (complete && view.committed) this.ownedByRoot.set(cacheKey, owned)
    return owned
  }

  /** The verified proof stored at `cid`: null when invalid, undefined when absent (neither grants anything; only the first is cached). */
  private async proofAt(view: View, cid: CID): Promise<CheckedProof | null | undefined> {
    const k = binaryKey(cid.bytes)
    const hit = this.proofs.get(k)
    if (hit !== undefined) return hit
    let block: Uint8Array | undefined
    try {
      block = await view.block(cid)
    } catch {
      return undefined
    }
    if (block === undefined) return undefined
    let checked: CheckedProof | null | undefined
    try {
      checked = await this.check(decodeOwnerProof(block))
    } catch {
      checked = null
    }
    if (checked !== undefined && view.committed) this.proofs.set(k, checked)
    return checked
  }

  /** OwnerProof.getAndVerifyOwner: the owned key's signature over the owner it names (undefined: the owned key is unknown here). */
  private async check(proof: OwnerProof): Promise<CheckedProof | null | undefined> {
    const key = await this.o.keys.get(proof.ownedKey)
    if (key === undefined) return undefined
    try {
      return { owned: proof.ownedKey, claimedOwner: binaryKey(verifyOwnerProof(this.o.crypto, proof, key).bytes) }
    } catch {
      return null
    }
  }

  private async chainHolds(chain: readonly PublicKeyHash[], writer: PublicKeyHash): Promise<boolean> {
    for (let i = 0; i < chain.length; i++) {
      const next = i + 1 < chain.length ? chain[i + 1] : writer
      if (!(await this.directOwnedIn(this.committed, chain[i])).has(binaryKey(next.bytes))) return false
    }
    return true
  }

  private async search(owner: PublicKeyHash, writer: PublicKeyHash, view: View): Promise<PublicKeyHash[] | undefined> {
    const target = binaryKey(writer.bytes)
    const seen = new Set([binaryKey(owner.bytes)])
    const queue: PublicKeyHash[][] = [[owner]]
    while (queue.length > 0 && seen.size <= this.maxKeys) {
      const chain = queue.shift()!
      const owned = await this.directOwnedIn(view, chain[chain.length - 1])
      if (owned.has(target)) return chain
      for (const [k, key] of owned) {
        if (seen.has(k)) continue
        seen.add(k)
        queue.push([...chain, key])
      }
    }
    return undefined
  }
}
