// Peergos' CHAMP (reference §3.1, Champ.java / ChampWrapper.java / ChampUtil.java): a canonical
// hash trie from byte keys to CIDs over a block store. get/lookup, CAS put/remove (equal contents
// give an equal root CID whatever the history), entries, diff and 3-way merge.
import type { CID } from '../codec/cid.ts'
import { compareKeys } from '../codec/cbor.ts'
import { equalBytes, verifyBlock } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { binaryKey, type BlockStore } from './block-store.ts'
import { CidMap } from './cid-map.ts'
import { diffTrees, type ChampChange } from './diff.ts'
import {
  ChampBlockNotFoundError, ChampCasError, ChampHashCollisionError, ChampMergeConflictError, InvalidChampNodeError,
} from './errors.ts'
import {
  MAX_DEPTH, checkParams, emptyNode, isBucket, isNodeCid, keyCount, linkCount, mask, type ChampEntry, type ChampNode, type ChampSlot,
} from './node.ts'
import { decodeNodeOwned, encodeNodePacked } from './node-codec.ts'

export type { ChampChange } from './diff.ts'

/** Key hash: 'identity' (the key bytes: filesystem, owned keys, secret links), 'blake2b' (Blake2b-512: PKI), or a function. */
export type ChampKeyHash = 'identity' | 'blake2b' | ((key: Uint8Array) => Uint8Array)

export interface ChampOptions {
  store: BlockStore
  crypto: CryptoProvider
  /** Default 'identity'. */
  keyHash?: ChampKeyHash
  /** Default 3 (Peergos ChampWrapper.BIT_WIDTH). */
  bitWidth?: number
  /** Default 4 (Peergos ChampWrapper.MAX_HASH_COLLISIONS_PER_LEVEL). */
  maxCollisions?: number
  /** Decoded nodes kept in memory, by CID (default 20,000, roughly 1-5 KB each; 0 disables). */
  cacheSize?: number
  /** Re-hash every fetched block against its CID; default: unless the store is trusted. */
  verify?: boolean
}

export interface ChampWriteOptions {
  /** Mirror BAT id to write on the root node (Peergos `Optional<BatId> mirrorBat`). */
  mirrorBat?: CID
}

export interface ChampBlock {
  readonly cid: CID
  readonly bytes: Uint8Array
}

export interface ChampMapping {
  readonly key: Uint8Array
  readonly value: CID
}

/** A node with the block it was read from or written as. */
interface StoredNode extends ChampBlock {
  readonly node: ChampNode
  /**
   * The decoded children already walked to, by slot (NodeCache keeps these links only between
   * nodes it holds, and drops them all when it rotates: they never keep an evicted node alive).
   */
  kids: (StoredNode | undefined)[] | undefined
}

type Slots = (ChampSlot | undefined)[]

const INCOMPLETE = Object.freeze({ complete: false })
const ABSENT = Object.freeze({ complete: true })

/** How a remove changed the root level; decides the root's mirror BAT exactly as Champ.remove does. */
type RemoveHow = 'data' | 'data-collapse' | 'escalate' | 'inline' | 'link'

export class Champ {
  readonly bitWidth: number
  readonly maxCollisions: number
  private readonly width: number
  private readonly store: BlockStore
  private readonly crypto: CryptoProvider
  private readonly hasher: (key: Uint8Array) => Uint8Array
  private readonly verify: boolean
  private readonly cache: NodeCache

  constructor(opts: ChampOptions) {
    this.bitWidth = opts.bitWidth ?? 3
    this.maxCollisions = opts.maxCollisions ?? 4
    checkParams(this)
    this.width = 1 << this.bitWidth
    this.store = opts.store
    this.crypto = opts.crypto
    const kh = opts.keyHash ?? 'identity'
    this.hasher = kh === 'identity' ? (k) => k : kh === 'blake2b' ? (k) => this.crypto.blake2b512(k) : kh
    this.verify = opts.verify ?? !opts.store.trusted
    this.cache = new NodeCache(opts.cacheSize ?? 20_000)
  }

  hashKey(key: Uint8Array): Uint8Array {
    return this.hasher(key)
  }

  /** Writes an empty root (bytes 83404080, or wrapped with a mirror BAT) and returns its CID. */
  async createEmpty(opts?: ChampWriteOptions): Promise<CID> {
    return (await this.write(emptyNode(this.width, opts?.mirrorBat))).cid
  }

  /** Reads and decodes one node (verified, cached; shared and read-only). */
  async readNode(cid: CID): Promise<ChampNode> {
    return (await this.load(cid)).node
  }

  async get(root: CID, key: Uint8Array): Promise<CID | undefined> {
    const hash = this.hasher(key)
    let cid = root
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      let s = this.cached(cid) ?? this.load(cid)
      if (s instanceof Promise) s = await s
      const slot = s.node.slots[mask(hash, depth, this.bitWidth)]
      if (slot === undefined) return undefined
      if (!isBucket(slot)) {
        cid = slot
        continue
      }
      for (const e of slot) if (equalBytes(e.key, key)) return e.value ?? undefined
      return undefined
    }
    throw new InvalidChampNodeError(`CHAMP deeper than ${MAX_DEPTH} levels`)
  }

  /**
   * get() through nodes at hand only (decoded, or from the store's getLocal), without a promise or a
   * throw per call: `complete` is false when a node on the way is not at hand. A listing looks up
   * 10,000 labels this way before asking the server for the rest.
   */
  getLocal(root: CID, key: Uint8Array): { complete: boolean; value?: CID } {
    return this.walkInMemory(root, key, (cid) => {
      const s = this.cached(cid)
      if (s !== undefined) return s
      const bytes = this.store.getLocal?.(cid)
      return bytes === undefined ? undefined : this.decodeFetched(cid, bytes)
    })
  }

  /**
   * lookup() through decoded nodes only, handing each node on the way to `visit` (the same blocks in
   * the same order as lookup's path), without a promise: `complete` is false when a node is not
   * decoded yet (the nodes visited so far are the start of the path). The server answers most of a
   * listing's champ/get lookups this way: 20 neighbouring labels per call share their upper levels.
   */
  lookupDecoded(root: CID, key: Uint8Array, visit: (b: ChampBlock) => void): { complete: boolean; value?: CID } {
    return this.walkInMemory(root, key, (cid) => this.cached(cid), visit)
  }

  /**
   * The walk of getLocal and lookupDecoded: `nodeOf` gives a node without waiting, or undefined
   * (incomplete). A child reached once is linked from its parent's slot, so later walks through the
   * same nodes take no cache lookup per level (a listing walks 10,000 labels, twice each when fetched).
   */
  private walkInMemory(root: CID, key: Uint8Array, nodeOf: (cid: CID) => StoredNode | undefined, visit?: (b: ChampBlock) => void): { complete: boolean; value?: CID } {
    const hash = this.hasher(key)
    const link = this.cache.linksKept
    let s = nodeOf(root)
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      if (s === undefined) return INCOMPLETE
      visit?.(s)
      const pos = mask(hash, depth, this.bitWidth)
      const slot = s.node.slots[pos]
      if (slot === undefined) return ABSENT
      if (!isBucket(slot)) {
        if (depth + 1 === MAX_DEPTH) break
        let kid = s.kids?.[pos]
        if (kid === undefined) {
          kid = nodeOf(slot)
          if (kid !== undefined && link) (s.kids ??= new Array<StoredNode | undefined>(this.width).fill(undefined))[pos] = kid
        }
        s = kid
        continue
      }
      for (const e of slot) if (equalBytes(e.key, key)) return { complete: true, value: e.value ?? undefined }
      return ABSENT
    }
    throw new InvalidChampNodeError(`CHAMP deeper than ${MAX_DEPTH} levels`)
  }

  /** The value for `key` and every node block on the way to it (the server's champ/get lookup). The bytes are shared: do not modify. */
  async lookup(root: CID, key: Uint8Array): Promise<{ value: CID | undefined; path: ChampBlock[] }> {
    const hash = this.hasher(key)
    const path: ChampBlock[] = []
    let cid = root
    for (let depth = 0; depth < MAX_DEPTH; depth++) {
      const s = this.cached(cid) ?? (await this.load(cid))
      path.push({ cid: s.cid, bytes: s.bytes })
      const slot = s.node.slots[mask(hash, depth, this.bitWidth)]
      if (slot === undefined) return { value: undefined, path }
      if (!isBucket(slot)) {
        cid = slot
        continue
      }
      const e = slot.find((x) => equalBytes(x.key, key))
      return { value: e?.value ?? undefined, path }
    }
    throw new InvalidChampNodeError(`CHAMP deeper than ${MAX_DEPTH} levels`)
  }

  /** Sets `key` to `value` if its current value is `expected` (undefined = absent), else ChampCasError. */
  async put(root: CID, key: Uint8Array, expected: CID | undefined, value: CID, opts?: ChampWriteOptions): Promise<CID> {
    const r = await this.load(root)
    const res = await this.putIn(r.node, 0, key, this.hasher(key), expected, value)
    if (res === undefined) return root
    // Champ.put: a change at the root level takes the given BAT (or keeps the old one); a change below keeps the old one.
    const mirrorBat = res.viaChild ? r.node.mirrorBat : (opts?.mirrorBat ?? r.node.mirrorBat)
    return (await this.write({ slots: res.slots, mirrorBat })).cid
  }

  /** Removes `key` if its current value is `expected`, else ChampCasError; removing an absent key with expected undefined is a no-op. */
  async remove(root: CID, key: Uint8Array, expected: CID | undefined, opts?: ChampWriteOptions): Promise<CID> {
    const r = await this.load(root)
    const res = await this.removeIn(r.node, 0, key, this.hasher(key), expected)
    if (res === undefined) return root
    // Champ.remove's BAT handling, including its quirk: a collapse at or into the root takes only the given BAT.
    const given = opts?.mirrorBat
    const mirrorBat = res.how === 'data-collapse' || res.how === 'escalate' ? given
      : res.how === 'data' ? (given ?? r.node.mirrorBat) : r.node.mirrorBat
    return (await this.write({ slots: res.slots, mirrorBat })).cid
  }

  /** Every mapping with a value (keys are copies), in Peergos' order: buckets by position, then children in reverse position order. */
  async *entries(root: CID): AsyncGenerator<ChampMapping> {
    yield* this.walkEntries(root, 0)
  }

  async size(root: CID): Promise<number> {
    let n = 0
    for await (const _ of this.entries(root)) n++
    return n
  }

  /** Every node block reachable from `root`, root first (depth-first). */
  async *blocks(root: CID): AsyncGenerator<ChampBlock> {
    yield* this.walkBlocks(root, 0)
  }

  /** Changes from `before` to `after` (either may be undefined = no tree), as (key, before, after). */
  diff(before: CID | undefined, after: CID | undefined): AsyncGenerator<ChampChange> {
    return diffTrees({ load: (cid, depth) => this.loadAt(cid, depth), hash: this.hasher, bitWidth: this.bitWidth }, before, after)
  }

  /**
   * 3-way merge (ChampUtil.merge): applies the changes from `original` to `theirs` onto `ours`.
   * A key changed on both sides to different results is a ChampMergeConflictError.
   */
  async merge(original: CID | undefined, ours: CID, theirs: CID | undefined, opts?: ChampWriteOptions): Promise<CID> {
    const ourChanges = new Map<string, ChampChange>()
    for await (const c of this.diff(original, ours)) ourChanges.set(binaryKey(c.key), c)
    const toApply: ChampChange[] = []
    for await (const c of this.diff(original, theirs)) {
      const o = ourChanges.get(binaryKey(c.key))
      if (o === undefined) toApply.push(c)
      else if (!sameValue(o.after, c.after)) throw new ChampMergeConflictError(c.key)
    }
    let root = ours
    for (const c of toApply) {
      root = c.after === undefined
        ? await this.remove(root, c.key, c.before, opts)
        : await this.put(root, c.key, c.before, c.after, opts)
    }
    return root
  }

  // -------------------------------------------------------------------------------------------
  // Node I/O and cache

  private cached(cid: CID): StoredNode | undefined {
    return this.cache.get(cid)
  }

  private remember(s: StoredNode): void {
    this.cache.set(s.cid, s)
  }

  private async load(cid: CID): Promise<StoredNode> {
    const hit = this.cached(cid)
    if (hit !== undefined) return hit
    if (!isNodeCid(cid)) throw new InvalidChampNodeError(`CHAMP node link ${cid.toString()} is not a dag-cbor sha2-256 CIDv1`)
    const fetched = await this.store.get(cid)
    if (fetched === undefined) throw new ChampBlockNotFoundError(cid)
    return this.decodeFetched(cid, fetched)
  }

  /** Checks (unless trusted), decodes and caches a node block just fetched. */
  private decodeFetched(cid: CID, fetched: Uint8Array): StoredNode {
    if (!isNodeCid(cid)) throw new InvalidChampNodeError(`CHAMP node link ${cid.toString()} is not a dag-cbor sha2-256 CIDv1`)
    const bytes = fetched.slice() // ours: the decoded node keeps views into it
    if (this.verify) verifyBlock(this.crypto, cid, bytes)
    const s: StoredNode = { cid, bytes, node: decodeNodeOwned(bytes, this), kids: undefined }
    this.remember(s)
    return s
  }

  private async loadAt(cid: CID, depth: number): Promise<ChampNode> {
    if (depth >= MAX_DEPTH) throw new InvalidChampNodeError(`CHAMP deeper than ${MAX_DEPTH} levels`)
    return (await this.load(cid)).node
  }

  private async write(node: ChampNode): Promise<StoredNode> {
    // The cached node is re-expressed over its own bytes, so it pins no older node's buffer.
    const encoded = encodeNodePacked(node)
    const cid = await this.store.put(encoded.bytes, false)
    const s: StoredNode = { cid, bytes: encoded.bytes, node: encoded.node, kids: undefined }
    this.remember(s)
    return s
  }

  private async child(link: CID, depth: number): Promise<StoredNode> {
    if (depth >= MAX_DEPTH) throw new InvalidChampNodeError(`CHAMP deeper than ${MAX_DEPTH} levels`)
    return this.load(link)
  }

  // -------------------------------------------------------------------------------------------
  // put

  private cas(key: Uint8Array, current: CID | null | undefined, expected: CID | undefined): void {
    if (!sameValue(current ?? undefined, expected)) throw new ChampCasError(key, expected, current ?? undefined)
  }

  /** New slots for `node` with the mapping set, or undefined when nothing changed below (viaChild: the change was in a child). */
  private async putIn(
    node: ChampNode, depth: number, key: Uint8Array, hash: Uint8Array, expected: CID | undefined, value: CID,
  ): Promise<{ slots: Slots; viaChild: boolean } | undefined> {
    const pos = mask(hash, depth, this.bitWidth)
    const slot = node.slots[pos]
    const slots = node.slots.slice()
    if (slot === undefined) {
      this.cas(key, undefined, expected)
      slots[pos] = [{ key, value }]
      return { slots, viaChild: false }
    }
    if (isBucket(slot)) {
      const i = slot.findIndex((e) => equalBytes(e.key, key))
      if (i >= 0) {
        this.cas(key, slot[i].value, expected)
        const bucket = slot.slice()
        bucket[i] = { key: slot[i].key, value }
        slots[pos] = bucket
      } else {
        this.cas(key, undefined, expected)
        const bucket = [...slot, { key, value }].sort((a, b) => compareKeys(a.key, b.key))
        // A full bucket is pushed down, with the new mapping, into a new child node.
        slots[pos] = bucket.length <= this.maxCollisions ? bucket : (await this.write({ slots: await this.build(bucket, depth + 1) })).cid
      }
      return { slots, viaChild: false }
    }
    const child = await this.child(slot, depth + 1)
    const res = await this.putIn(child.node, depth + 1, key, hash, expected, value)
    if (res === undefined) return undefined
    const written = await this.write({ slots: res.slots, mirrorBat: child.node.mirrorBat })
    if (written.cid.equals(slot)) return undefined
    slots[pos] = written.cid
    return { slots, viaChild: true }
  }

  /** The canonical node holding exactly `entries` at `depth` (children written as needed). */
  private async build(entries: readonly ChampEntry[], depth: number): Promise<Slots> {
    if (depth >= MAX_DEPTH) throw new ChampHashCollisionError(`More than ${this.maxCollisions} keys share a ${MAX_DEPTH}-level hash prefix`)
    const groups: ChampEntry[][] = []
    for (const e of entries) (groups[mask(this.hasher(e.key), depth, this.bitWidth)] ??= []).push(e)
    const slots: Slots = new Array(this.width).fill(undefined)
    for (let pos = 0; pos < this.width; pos++) {
      const g = groups[pos]
      if (g === undefined) continue
      g.sort((a, b) => compareKeys(a.key, b.key))
      slots[pos] = g.length <= this.maxCollisions ? g : (await this.write({ slots: await this.build(g, depth + 1) })).cid
    }
    return slots
  }

  // -------------------------------------------------------------------------------------------
  // remove

  private async removeIn(
    node: ChampNode, depth: number, key: Uint8Array, hash: Uint8Array, expected: CID | undefined,
  ): Promise<{ slots: Slots; how: RemoveHow } | undefined> {
    const pos = mask(hash, depth, this.bitWidth)
    const slot = node.slots[pos]
    if (slot === undefined) {
      this.cas(key, undefined, expected)
      return undefined
    }
    const slots = node.slots.slice()
    if (isBucket(slot)) {
      const i = slot.findIndex((e) => equalBytes(e.key, key))
      if (i < 0) {
        this.cas(key, undefined, expected)
        return undefined
      }
      this.cas(key, slot[i].value, expected)
      const how: RemoveHow = keyCount(node.slots) === this.maxCollisions + 1 && linkCount(node.slots) === 0 ? 'data-collapse' : 'data'
      slots[pos] = slot.length === 1 ? undefined : slot.filter((_, j) => j !== i)
      return { slots, how }
    }
    const child = await this.child(slot, depth + 1)
    const res = await this.removeIn(child.node, depth + 1, key, hash, expected)
    if (res === undefined) return undefined
    const keys = keyCount(res.slots)
    if (linkCount(res.slots) === 0 && keys <= this.maxCollisions) {
      // Canonical form: a subtree of at most maxCollisions keys lives inline as one bucket.
      const single = keyCount(node.slots) === 0 && linkCount(node.slots) === 1
      const all: ChampEntry[] = []
      for (const s of res.slots) if (s !== undefined && isBucket(s)) all.push(...s)
      slots[pos] = keys === 0 ? undefined : all.sort((a, b) => compareKeys(a.key, b.key))
      return { slots, how: single ? 'escalate' : 'inline' }
    }
    const written = await this.write({ slots: res.slots, mirrorBat: child.node.mirrorBat })
    slots[pos] = written.cid
    return { slots, how: 'link' }
  }

  // -------------------------------------------------------------------------------------------
  // walks

  private async *walkEntries(cid: CID, depth: number): AsyncGenerator<ChampMapping> {
    const { node } = depth === 0 ? await this.load(cid) : await this.child(cid, depth)
    for (const s of node.slots) {
      if (s === undefined || !isBucket(s)) continue
      for (const e of s) if (e.value !== null) yield { key: e.key.slice(), value: e.value }
    }
    for (let pos = this.width - 1; pos >= 0; pos--) {
      const s = node.slots[pos]
      if (s !== undefined && !isBucket(s)) yield* this.walkEntries(s, depth + 1)
    }
  }

  private async *walkBlocks(cid: CID, depth: number): AsyncGenerator<ChampBlock> {
    const s = depth === 0 ? await this.load(cid) : await this.child(cid, depth)
    yield { cid: s.cid, bytes: s.bytes }
    for (let pos = this.width - 1; pos >= 0; pos--) {
      const slot = s.node.slots[pos]
      if (slot !== undefined && !isBucket(slot)) yield* this.walkBlocks(slot, depth + 1)
    }
  }
}

/**
 * Decoded nodes by CID: two generations of at most cap/2 each, so eviction is O(1) and hits stay
 * (≈ LRU). A rotation also drops every parent-to-child link (StoredNode.kids) of the nodes it holds:
 * a link is only made between nodes held since the last rotation, so none outlives its child here.
 */
class NodeCache {
  private young = new CidMap<StoredNode>()
  private old = new CidMap<StoredNode>()
  constructor(private readonly cap: number) {}

  /** Whether walks may link parents to children (not when nothing is cached: no rotation would drop them). */
  get linksKept(): boolean {
    return this.cap > 0
  }

  get(cid: CID): StoredNode | undefined {
    const v = this.young.get(cid)
    if (v !== undefined) return v
    const o = this.old.get(cid)
    if (o !== undefined) this.set(cid, o)
    return o
  }

  set(cid: CID, v: StoredNode): void {
    if (this.cap <= 0) return
    this.young.set(cid, v)
    if (this.young.size >= this.cap / 2) {
      this.old.forEach(unlink)
      this.young.forEach(unlink)
      this.old = this.young
      this.young = new CidMap()
    }
  }
}

function unlink(s: StoredNode): void {
  s.kids = undefined
}

function sameValue(a: CID | undefined, b: CID | undefined): boolean {
  return a === undefined ? b === undefined : b !== undefined && a.equals(b)
}
