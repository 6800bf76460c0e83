// Which writer keys an owner controls (reference §3.2, §3.4; Peergos getDirectOwnedKeys/getOwnedKeysRecursive):
// the owner, and recursively every key in a controlled key's owned-keys CHAMP (or `named` map) whose
// OwnerProof verifies and names that controlling key. Decisions are cached and re-validated cheaply.
import { binaryKey } from '../../champ/block-store.ts'
import type { Champ } from '../../champ/champ.ts'
import type { CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { decodeOwnerProof, verifyOwnerProof, type OwnerProof } from '../../model/owner-proof.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
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

type KeySet = ReadonlyMap<string, PublicKeyHash>
const EMPTY: KeySet = new Map()

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

  constructor(private readonly o: OwnershipOptions) {
    this.maxKeys = o.maxKeys ?? 10_000
    const size = o.cacheSize ?? 10_000
    this.ownedByRoot = new Lru(size)
    this.proofs = new Lru(size * 4)
    this.chains = new Lru(size)
  }

  /** Whether `writer` may write for `owner`: the owner itself, or a key it owns directly or recursively. */
  async isAllowed(owner: PublicKeyHash, writer: PublicKeyHash): Promise<boolean> {
    const ownerKey = binaryKey(owner.bytes)
    const writerKey = binaryKey(writer.bytes)
    if (ownerKey === writerKey) return true
    const pair = `${ownerKey}|${writerKey}`
    const chain = this.chains.get(pair)
    if (chain !== undefined && (await this.chainHolds(chain, writer))) return true
    const found = await this.search(owner, writer)
    if (found === undefined) this.chains.delete(pair)
    else this.chains.set(pair, found)
    return found !== undefined
  }

  /** Every key owned by `owner`, recursively (the owner not included), breadth first. */
  async ownedKeysRecursive(owner: PublicKeyHash): Promise<PublicKeyHash[]> {
    const out: PublicKeyHash[] = []
    const seen = new Set([binaryKey(owner.bytes)])
    const queue = [owner]
    while (queue.length > 0 && seen.size <= this.maxKeys) {
      for (const [k, key] of await this.directOwned(queue.shift()!)) {
        if (seen.has(k)) continue
        seen.add(k)
        out.push(key)
        queue.push(key)
      }
    }
    return out
  }

  /** The keys `parent` owns directly in its current WriterData (owned-keys CHAMP and named keys), each with a valid proof naming `parent`. */
  async directOwned(parent: PublicKeyHash): Promise<KeySet> {
    const target = await this.o.currentTarget(parent)
    if (target === undefined) return EMPTY
    let wd
    try {
      wd = await this.o.writerData.get(target)
    } catch {
      return EMPTY // an unreadable WriterData grants nothing
    }
    const parentKey = binaryKey(parent.bytes)
    let owned = EMPTY
    if (wd.ownedKeys !== undefined) owned = await this.ownedInChamp(parent, parentKey, wd.ownedKeys)
    if (wd.namedOwnedKeys === undefined || wd.namedOwnedKeys.size === 0) return owned
    const all = new Map(owned)
    for (const proof of wd.namedOwnedKeys.values()) {
      const checked = await this.check(proof)
      if (checked?.claimedOwner === parentKey) all.set(binaryKey(checked.owned.bytes), checked.owned)
    }
    return all
  }

  private async ownedInChamp(parent: PublicKeyHash, parentKey: string, root: CID): Promise<KeySet> {
    const cacheKey = `${parentKey}|${binaryKey(root.bytes)}`
    const hit = this.ownedByRoot.get(cacheKey)
    if (hit !== undefined) return hit
    const owned = new Map<string, PublicKeyHash>()
    let complete = true
    try {
      let n = 0
      for await (const { value } of this.o.champ.entries(root)) {
        if (++n > this.maxKeys) break
        const checked = await this.proofAt(value)
        if (checked === undefined) complete = false
        else if (checked?.claimedOwner === parentKey) owned.set(binaryKey(checked.owned.bytes), checked.owned)
      }
    } catch {
      complete = false // a missing or malformed CHAMP node: only the keys read so far are granted
    }
    if (complete) this.ownedByRoot.set(cacheKey, owned)
    return owned
  }

  /** The verified proof stored at `cid`: null when invalid, undefined when absent (neither grants anything; only the first is cached). */
  private async proofAt(cid: CID): Promise<CheckedProof | null | undefined> {
    const k = binaryKey(cid.bytes)
    const hit = this.proofs.get(k)
    if (hit !== undefined) return hit
    let block: Uint8Array | undefined
    try {
      block = await this.o.blocks.get(cid)
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
    if (checked !== undefined) this.proofs.set(k, checked)
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
      if (!(await this.directOwned(chain[i])).has(binaryKey(next.bytes))) return false
    }
    return true
  }

  private async search(owner: PublicKeyHash, writer: PublicKeyHash): Promise<PublicKeyHash[] | undefined> {
    const target = binaryKey(writer.bytes)
    const seen = new Set([binaryKey(owner.bytes)])
    const queue: PublicKeyHash[][] = [[owner]]
    while (queue.length > 0 && seen.size <= this.maxKeys) {
      const chain = queue.shift()!
      const owned = await this.directOwned(chain[chain.length - 1])
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
