// Reads an encrypted Peergos file tree through the service interfaces (reference §2, §3):
// capability → writer's signed pointer → WriterData.tree CHAMP → cryptree node → children or
// file chunks (5 MiB each, later labels derived from the stream secret), following directory
// continuation chunks (500 children each) and write-share link nodes. Trusts no server.
import { cidToString, verifyBlock, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { Champ, cidKey, mask, type BlockStore } from '../champ/index.ts'
import { BlockCache } from './block-cache.ts'
import { chunkCryptoOf, readFileChunkWith } from './chunk-crypto.ts'
import { bytesToHex } from '../model/bytes.ts'
import { batWithId, calculateBatId, type BatWithId } from '../model/bat-id.ts'
import type { Bat } from '../model/bat.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import { MAX_BLOCK_SIZE, receivedBlockBuffer, releaseReceivedBlock, type FpctDecryptOptions, type FragmentFetcher } from '../model/fragmented-cipher-text.ts'
import type { FileProperties } from '../model/file-properties.ts'
import { Limiter } from './limiter.ts'
import { decodeCryptreeNode, decodeCryptreeNodeHeader } from '../model/cryptree-node.ts'
import { nextChunkLocation, openProperties, readCryptreeBlock, readCryptreeNode, readDirectoryChildren, type ReadCryptreeBlock } from '../model/cryptree-read.ts'
import { toAbsolute, type ChildrenLinks } from '../model/relative-capability.ts'
import { lazyAbsolute } from './lazy-capability.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import { decodeWriterData, type WriterData } from '../model/writer-data.ts'
import { MAX_CHAMP_GETS, type ContentAddressedStorage } from '../services/content-addressed-storage.ts'
import type { MutablePointers } from '../services/mutable-pointers.ts'
import { NotFoundError } from './errors.ts'
import { VerifiedPointers } from './pointer-cache.ts'
import { VerifiedStorage } from './verified-storage.ts'

/** Chunk.MAX_SIZE: files are split into 5 MiB chunks, each its own cryptree node. */
export const CHUNK_SIZE = 5 * 1024 * 1024
/** Bound on directory continuation chunks followed (a hostile cycle cannot loop forever). */
export const MAX_DIRECTORY_CHUNKS = 100_000

export interface TreeEntry {
  readonly name: string
  readonly cap: AbsoluteCapability
  readonly properties: FileProperties
  readonly isDirectory: boolean
  /** A write-share link node: a directory-like node whose single child is the real item. */
  readonly isLink: boolean
}

export interface TreeServices {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
}

/** The BatWithId a client sends to read a block guarded by `bat` (NetworkAccess: Bat.calculateId). */
function batOf(c: CryptoProvider, bat: Bat | undefined): BatWithId | undefined {
  return bat === undefined ? undefined : batWithId(bat, calculateBatId(c, bat))
}

/** Chunk lookups answered per champ/get/bulk call, and such calls in flight when reading many items (a replay of a listing's 523 calls alone cost the least with 4; whole listings, whose replies are decoded between calls, kept both processes busiest with 8-12). */
export const LOOKUP_BATCH = MAX_CHAMP_GETS
export const LOOKUPS_IN_FLIGHT = 8

/** Fragments up to this size are kept (directory listings); file data is streamed, not cached. */
export const SMALL_FRAGMENT_BYTES = 256 * 1024

/** ContentAddressedStorage.get with the HTTP client's optional fifth argument (PostOptions.receiveInto). */
type ReceivingGet = (owner: PublicKeyHash, cid: CID, bat: BatWithId | undefined, peerAuth: undefined, receiveInto: (length: number) => Uint8Array | undefined) => Promise<Uint8Array | undefined>

/** A pooled receive buffer for a fragment too large to be cached. */
function receiveLarge(length: number): Uint8Array | undefined {
  return length > SMALL_FRAGMENT_BYTES && length <= MAX_BLOCK_SIZE ? receivedBlockBuffer() : undefined
}

/** fetchPaths' digest of each returned block, rewritten per block (BlockCache.setVerified keeps a copy, not a view). */
const digest = new Uint8Array(32)

/** Thrown by the cache-only CHAMP store: the walk needs a block that is not cached. */
class NotCachedError extends Error {}
/** The one instance thrown (a listing misses the cache once per entry: no stack trace to build each time). */
const NOT_CACHED = new NotCachedError('not cached')
const INCOMPLETE = Object.freeze({ complete: false })
const ABSENT = Object.freeze({ complete: true })

/**
 * Where a label sits in a CHAMP (bit width 3, identity key hash): the slots of its first eight levels
 * as one number. Lookups sorted by it share their path nodes, so one champ/get/bulk call of 20
 * neighbouring labels returns far fewer blocks than 20 random ones (the server sends each block once).
 */
function champOrder(mapKey: Uint8Array): number {
  let order = 0
  for (let depth = 0; depth < 8; depth++) order = order * 8 + mask(mapKey, depth, 3)
  return order
}

/**
 * What a listing needs of a child's node: its metadata and kind. Only the node's `v`, `b` and `p`
 * are decoded (a small file's inline data is skipped, not copied); for a file (the parent's entry
 * says so) one secretbox opening of `p` and its properties, no data key, next-chunk link or signer.
 */
function listingView(c: CryptoProvider, block: Uint8Array, cap: AbsoluteCapability, isDirectoryHint: boolean | undefined): { properties: FileProperties; isDirectory: boolean } {
  const node = decodeCryptreeNodeHeader(block)
  if (isDirectoryHint === false) {
    // CryptreeNode.fromCbor's rule: a file's `p` opens under its base key and says it is a file
    let properties: FileProperties | undefined
    try {
      properties = openProperties(c, node, cap.rBaseKey)
    } catch {
      properties = undefined
    }
    if (properties !== undefined && !properties.isDirectory) return { properties, isDirectory: false }
  }
  const view = readCryptreeNode(c, node, cap.rBaseKey, undefined, isDirectoryHint)
  return { properties: view.properties, isDirectory: view.isDirectory }
}

/** A directory entry's link: its name (empty in legacy directories), capability and kind when the entry says. */
interface ChildLink {
  readonly name: string
  readonly cap: AbsoluteCapability
  readonly isDir?: boolean
}

interface ReaderCaches {
  /** Verified immutable blocks by CID (CHAMP nodes, cryptree nodes, small fragments), shared with the user's writer sessions. */
  readonly blocks: BlockCache
  /** A CHAMP reading only `blocks` (its decoded-node cache is keyed by CID, so it stays valid). */
  readonly champ: Champ
}

function readerCaches(c: CryptoProvider, blocks: BlockCache): ReaderCaches {
  const store: BlockStore = {
    trusted: true,
    get: async (cid: CID) => {
      const b = blocks.get(cid)
      if (b === undefined) throw NOT_CACHED
      return b
    },
    put: () => Promise.reject(new Error('TreeReader is read-only')),
    getLocal: (cid: CID) => blocks.get(cid),
  }
  return { blocks, champ: new Champ({ store, crypto: c, keyHash: 'identity', cacheSize: 16_384 }) }
}

/**
 * The WriterData this client already holds for a writer (its writer session's last commit), which a
 * snapshot for a write uses instead of reading the pointer: the commit's compare-and-swap catches a
 * newer version, and the operation then runs again on it.
 */
export type KnownWriterData = (writer: PublicKeyHash) => WriterData | undefined

export class TreeReader {
  readonly crypto: CryptoProvider
  private readonly storage: ContentAddressedStorage
  private readonly verified: VerifiedStorage
  readonly pointers: VerifiedPointers
  /** Decoded WriterData by block CID (immutable). */
  private readonly writerDatas: Map<string, WriterData>
  /** Within a snapshot: each writer's WriterData, read once. */
  private readonly snapshotData?: Map<string, Promise<WriterData | undefined>>
  /** Verified blocks shared by every snapshot: nodes by (tree root, label) and small fragments by CID. */
  private readonly caches: ReaderCaches
  private readonly known?: KnownWriterData

  constructor(services: TreeServices, shared?: { pointers: VerifiedPointers; writerDatas: Map<string, WriterData>; caches: ReaderCaches; snapshot: boolean; known?: KnownWriterData }) {
    this.crypto = services.crypto
    this.storage = services.storage
    this.verified = new VerifiedStorage(services.crypto, services.storage)
    this.pointers = shared?.pointers ?? new VerifiedPointers(services.crypto, services.pointers)
    this.writerDatas = shared?.writerDatas ?? new Map()
    this.caches = shared?.caches ?? readerCaches(services.crypto, new BlockCache())
    if (shared?.snapshot === true) this.snapshotData = new Map()
    this.known = shared?.known
  }

  /** The verified-block cache this reader shares with the user's writer sessions. */
  get blockCache(): BlockCache {
    return this.caches.blocks
  }

  /**
   * A reader that reads each writer's pointer once and then keeps that version (Peergos' Snapshot):
   * one consistent view for a multi-step read, without a pointer round trip per node. `known` gives
   * the versions this client holds (for locating what a write changes: no pointer read at all).
   */
  snapshot(known?: KnownWriterData): TreeReader {
    return new TreeReader({ crypto: this.crypto, storage: this.storage, pointers: this.pointers.pointers }, { pointers: this.pointers, writerDatas: this.writerDatas, caches: this.caches, snapshot: true, known })
  }

  /** The WriterData a writer's pointer currently names, or undefined when the writer has none. */
  async writerData(owner: PublicKeyHash, writer: PublicKeyHash): Promise<WriterData | undefined> {
    if (this.snapshotData === undefined) return this.fetchWriterData(owner, writer)
    const key = cidKey(writer)
    let p = this.snapshotData.get(key)
    if (p === undefined) {
      const known = this.known?.(writer)
      p = known !== undefined ? Promise.resolve(known) : this.fetchWriterData(owner, writer)
      this.snapshotData.set(key, p)
      p.catch(() => this.snapshotData?.delete(key))
    }
    return p
  }

  private async fetchWriterData(owner: PublicKeyHash, writer: PublicKeyHash): Promise<WriterData | undefined> {
    const target = await this.pointers.target(owner, writer)
    if (target === undefined) return undefined
    const cached = this.writerDatas.get(cidKey(target))
    if (cached !== undefined) return cached
    const block = this.caches.blocks.get(target) ?? (await this.verified.get(owner, target)) // a writer session caches what it commits
    if (block === undefined) throw new NotFoundError(`WriterData block ${cidToString(target)} of writer ${cidToString(writer)} is missing`)
    const wd = decodeWriterData(block)
    if (this.writerDatas.size > 1000) this.writerDatas.clear()
    this.writerDatas.set(cidKey(target), wd)
    return wd
  }

  /**
   * Reads the first chunk of many items: labels whose CHAMP path is already cached are looked up
   * locally; the others go 20 to a champ/get/bulk call, several calls at once. Missing items give
   * undefined at their index.
   */
  async readChunks(caps: readonly AbsoluteCapability[], fileData = true, isDirectoryHints?: readonly (boolean | undefined)[]): Promise<(ReadCryptreeBlock | undefined)[]> {
    const out: (ReadCryptreeBlock | undefined)[] = new Array(caps.length).fill(undefined)
    const reads: Promise<void>[] = []
    await this.lookupBlocks(caps, (i, block) => {
      const cap = caps[i]
      reads.push(readCryptreeBlock(this.crypto, block, cap.rBaseKey, this.fetcher(cap.owner), cap.wBaseKey, { fileData, isDirectoryHint: isDirectoryHints?.[i] }).then((r) => { out[i] = r }))
    })
    await Promise.all(reads)
    return out
  }

  /**
   * The node block under each capability's label, handed to `found` as soon as it is verified (in
   * no particular order; absent labels are not reported): cached CHAMP paths are walked locally, the
   * rest are looked up 20 to a champ/get/bulk call in CHAMP order, several calls in flight.
   */
  private async lookupBlocks(caps: readonly AbsoluteCapability[], found: (index: number, block: Uint8Array) => void, limiter = new Limiter(LOOKUPS_IN_FLIGHT)): Promise<void> {
    const batches: { root: CID; items: number[] }[] = []
    const byWriter = new Map<string, number[]>()
    let last: { owner: CID; writer: CID; list: number[] } | undefined // a directory's children mostly share both objects
    caps.forEach((cap, i) => {
      if (last === undefined || last.owner !== cap.owner || last.writer !== cap.writer) {
        const k = cidKey(cap.owner) + cidKey(cap.writer)
        let list = byWriter.get(k)
        if (list === undefined) byWriter.set(k, (list = []))
        last = { owner: cap.owner, writer: cap.writer, list }
      }
      last.list.push(i)
    })
    for (const list of byWriter.values()) {
      const root = await this.treeRoot(caps[list[0]])
      if (root === undefined) continue
      const misses: number[] = []
      for (const i of list) {
        const local = this.localLookup(root, caps[i])
        if (!local.complete) misses.push(i)
        else if (local.block !== undefined) found(i, local.block)
      }
      const order = new Float64Array(caps.length)
      for (const i of misses) order[i] = champOrder(caps[i].mapKey)
      misses.sort((a, b) => order[a] - order[b])
      for (let i = 0; i < misses.length; i += LOOKUP_BATCH) batches.push({ root, items: misses.slice(i, i + LOOKUP_BATCH) })
    }
    let next = 0
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const { root, items } = batches[next++]
        const owner = caps[items[0]].owner
        await limiter.run(() => this.fetchPaths(owner, root, items.map((i) => caps[i])))
        for (const i of items) {
          const local = this.localLookup(root, caps[i])
          const block = local.complete ? local.block : await this.chunkBlock(caps[i], root)
          if (block !== undefined) found(i, block)
        }
      }
    }
    await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, batches.length) }, worker))
  }

  /** Looks a label up through cached, verified blocks only (no promise, no throw): `complete` is false when a block is missing. */
  private localLookup(root: CID, cap: AbsoluteCapability): { complete: boolean; block?: Uint8Array } {
    const found = this.caches.champ.getLocal(root, cap.mapKey)
    if (!found.complete) return INCOMPLETE
    if (found.value === undefined) return ABSENT
    const block = this.caches.blocks.get(found.value)
    return block === undefined ? INCOMPLETE : { complete: true, block }
  }

  /** One champ/get(/bulk) call: every returned block is hashed here and cached under the CID computed. */
  private async fetchPaths(owner: PublicKeyHash, root: CID, caps: readonly AbsoluteCapability[]): Promise<void> {
    const returned = await this.storage.getChampLookup(owner, root, caps.map((cap) => ({ mapKey: cap.mapKey, bat: batOf(this.crypto, cap.bat) })))
    for (const b of returned) {
      this.crypto.sha256Into(b, digest, 0) // the cache copies it
      this.caches.blocks.setVerified(digest, false, b)
    }
  }

  /**
   * Fragments above SMALL_FRAGMENT_BYTES are received into the model's pooled receive buffers where
   * the storage can (the HTTP client's get takes a receiveInto after its four arguments; others ignore
   * it): decryptFpct gives each back once copied (FpctDecryptOptions.release); a buffer of a failed
   * get is dropped, not reused. Cached (small) fragments never come from the pool.
   */
  private fetcher(owner: PublicKeyHash): FragmentFetcher {
    const get = this.storage.get.bind(this.storage) as ReceivingGet
    return async (cid, bat) => {
      const cached = this.caches.blocks.get(cid)
      if (cached !== undefined) return cached
      const bytes = await get(owner, cid, bat, undefined, receiveLarge) // decryptFpct re-hashes each fragment
      if (bytes === undefined) throw new NotFoundError(`Fragment ${cidToString(cid)} is missing`)
      if (bytes.length <= SMALL_FRAGMENT_BYTES) {
        verifyBlock(this.crypto, cid, bytes)
        this.caches.blocks.set(cid, bytes) // large directory listings: read again and again
      }
      return bytes
    }
  }

  /**
   * The cryptree node block under a capability's label, or undefined when absent: walked locally
   * through cached blocks when possible, else one champ/get round trip returns every CHAMP node on
   * the path and the value block; each is hashed here and the path walked locally, so a server
   * cannot substitute anything.
   */
  async chunkBlock(cap: AbsoluteCapability, treeRoot?: CID): Promise<Uint8Array | undefined> {
    const root = treeRoot ?? (await this.treeRoot(cap))
    if (root === undefined) return undefined
    const local = this.localLookup(root, cap)
    if (local.complete) return local.block
    await this.fetchPaths(cap.owner, root, [cap])
    const fetched = this.localLookup(root, cap)
    if (!fetched.complete) {
      // the path is complete but the value block was not returned with it (or the path was cut short)
      let value: CID | undefined
      try {
        value = await this.caches.champ.get(root, cap.mapKey)
      } catch (e) {
        if (e instanceof NotCachedError) throw new NotFoundError(`The server returned an incomplete or altered CHAMP path under root ${cidToString(root)}`, { cause: e })
        throw e
      }
      if (value === undefined) return undefined
      const block = await this.verified.get(cap.owner, value, batOf(this.crypto, cap.bat))
      if (block === undefined) throw new NotFoundError(`Cryptree node ${cidToString(value)} is missing`)
      this.caches.blocks.set(value, block)
      return block
    }
    return fetched.block
  }

  /** The root of the tree CHAMP of the capability's writer (undefined when it has none). */
  async treeRoot(cap: AbsoluteCapability): Promise<CID | undefined> {
    return (await this.writerData(cap.owner, cap.writer))?.tree
  }

  /**
   * Reads the chunk a capability points at (its mapKey under its writer), or undefined when absent.
   * `isDirectoryHint`: the caller expects a folder (opened as one first; a wrong hint costs a retry).
   * `plainInto`: where a file chunk's plaintext may be opened (FpctDecryptOptions; the in-thread path only).
   */
  async readChunk(cap: AbsoluteCapability, treeRoot?: CID, fileData = true, isDirectoryHint?: boolean, plainInto?: FpctDecryptOptions['plainInto']): Promise<ReadCryptreeBlock | undefined> {
    const block = await this.chunkBlock(cap, treeRoot)
    if (block === undefined) return undefined
    const opener = fileData && isDirectoryHint !== true ? chunkCryptoOf(this.crypto) : undefined // the web client opens file data in helper workers
    if (opener !== undefined) return readFileChunkWith(opener, this.crypto, block, cap, this.fetcher(cap.owner))
    return readCryptreeBlock(this.crypto, block, cap.rBaseKey, this.fetcher(cap.owner), cap.wBaseKey, { fileData, isDirectoryHint, release: releaseReceivedBlock, plainInto })
  }

  /** The first chunk of an item; a file's bytes only when `fileData`. */
  private async first(cap: AbsoluteCapability, fileData = false, isDirectoryHint?: boolean): Promise<ReadCryptreeBlock> {
    const chunk = await this.readChunk(cap, undefined, fileData, isDirectoryHint)
    if (chunk === undefined) throw new NotFoundError('No cryptree node under this capability')
    return chunk
  }

  /** Describes the item a capability points at. */
  async stat(cap: AbsoluteCapability, name?: string): Promise<TreeEntry> {
    const { view } = await this.first(cap)
    const p = view.properties
    return { name: name ?? p.name, cap, properties: p, isDirectory: view.isDirectory, isLink: p.isLink }
  }

  /** The entries of a directory, across all its chunks; a link node lists its target's entries. */
  async list(cap: AbsoluteCapability): Promise<TreeEntry[]> {
    const head = await this.first(cap, false, true)
    if (!head.view.isDirectory) throw new NotFoundError(`'${head.view.properties.name}' is not a directory`)
    if (head.view.properties.isLink) {
      const caps = await this.childCaps(cap, head)
      if (caps.length !== 1) throw new NotFoundError(`Link node '${head.view.properties.name}' has ${caps.length} children`)
      return this.list(caps[0].cap)
    }
    // each chunk's children are looked up as soon as its child list is open, while the walk along the
    // continuation chunks (one round trip each) goes on; all lookups share the calls in flight
    type View = { properties: FileProperties; isDirectory: boolean }
    const views = new Map<ChildLink, View>()
    const lookups: Promise<void>[] = []
    const limiter = new Limiter(LOOKUPS_IN_FLIGHT)
    const caps = await this.childCaps(cap, head, (part) => {
      const p = this.lookupBlocks(part.map((c) => c.cap), (i, block) => {
        views.set(part[i], listingView(this.crypto, block, part[i].cap, part[i].isDir))
      }, limiter)
      p.catch(() => undefined) // awaited below, once the walk succeeded
      lookups.push(p)
    })
    await Promise.all(lookups)
    const out: TreeEntry[] = []
    for (const child of caps) {
      const v = views.get(child)
      if (v === undefined) continue // a dangling child link (e.g. a concurrent delete): skip it
      const p = v.properties
      out.push({ name: child.name || p.name, cap: child.cap, properties: p, isDirectory: v.isDirectory, isLink: p.isLink })
    }
    return out
  }

  /** A write-share link node's single child (the item itself); any other item is returned as is. */
  async linkTarget(cap: AbsoluteCapability): Promise<AbsoluteCapability> {
    const head = await this.first(cap)
    if (!head.view.properties.isLink) return cap
    const caps = await this.childCaps(cap, head)
    if (caps.length !== 1) throw new NotFoundError(`Link node '${head.view.properties.name}' has ${caps.length} children`)
    return caps[0].cap
  }

  /** The capability of the child called `name` in a directory (through a link node), or undefined. */
  async findChild(cap: AbsoluteCapability, name: string): Promise<AbsoluteCapability | undefined> {
    const head = await this.first(cap, false, true)
    if (!head.view.isDirectory) throw new NotFoundError(`'${head.view.properties.name}' is not a directory`)
    const caps = await this.childCaps(cap, head)
    if (head.view.properties.isLink) {
      if (caps.length !== 1) throw new NotFoundError(`Link node '${head.view.properties.name}' has ${caps.length} children`)
      return this.findChild(caps[0].cap, name)
    }
    return caps.find((c) => c.name === name)?.cap
  }

  /**
   * The child links of every chunk of a directory. Each continuation chunk's label is in the chunk
   * before it, so the chain is walked one lookup at a time, but the child lists (raw fragments of
   * larger directories) are fetched and opened while the walk goes on.
   */
  private async childCaps(dirCap: AbsoluteCapability, head: ReadCryptreeBlock, onChunk?: (children: ChildLink[]) => void): Promise<ChildLink[]> {
    const c = this.crypto
    const toLinks = (links: ChildrenLinks | undefined): ChildLink[] | undefined => {
      if (links === undefined) return undefined
      const part = this.linksOf(dirCap, links)
      onChunk?.(part)
      return part
    }
    const lists: Promise<ChildLink[] | undefined>[] = [Promise.resolve(head.children).then(toLinks)]
    let view = head.view
    let readable = head.children !== undefined
    let chunkCap = dirCap
    const seen = new Set<string>()
    for (let i = 1; readable; i++) {
      const next = view.fromBase?.nextChunk
      if (next === undefined) break
      if (i >= MAX_DIRECTORY_CHUNKS) throw new NotFoundError('Directory has too many continuation chunks')
      chunkCap = toAbsolute(c, next, chunkCap)
      const key = cidToString(chunkCap.writer) + bytesToHex(chunkCap.mapKey)
      if (seen.has(key)) throw new NotFoundError('Directory continuation chunks form a cycle')
      seen.add(key)
      const block = await this.chunkBlock(chunkCap)
      if (block === undefined) break
      const node = decodeCryptreeNode(block)
      view = readCryptreeNode(c, node, chunkCap.rBaseKey, chunkCap.wBaseKey, true)
      readable = view.isDirectory && view.readable
      if (!readable) break
      const children = readDirectoryChildren(c, node, chunkCap.rBaseKey, this.fetcher(chunkCap.owner)).then(toLinks)
      children.catch(() => undefined) // awaited in order below
      lists.push(children)
    }
    const out: ChildLink[] = []
    for (const pending of lists) {
      const part = await pending
      if (part === undefined) break
      for (const child of part) out.push(child)
    }
    return out
  }

  /** A chunk's child links as capabilities (write keys derived only when read). */
  private linksOf(dirCap: AbsoluteCapability, links: ChildrenLinks): ChildLink[] {
    const c = this.crypto
    if (links.kind === 'named') return links.children.map((child) => ({ name: child.name, cap: lazyAbsolute(c, child.cap, dirCap), isDir: child.isDir }))
    return links.children.map((rel) => ({ name: '', cap: lazyAbsolute(c, rel, dirCap) }))
  }

  /** The whole contents of a file, chunk after chunk. */
  async readFile(cap: AbsoluteCapability): Promise<Uint8Array> {
    const head = await this.first(cap, true)
    if (head.view.isDirectory) throw new NotFoundError(`'${head.view.properties.name}' is a directory`)
    const size = head.view.properties.size
    const out = new Uint8Array(size)
    let offset = 0
    let chunk: ReadCryptreeBlock = head
    let chunkCap = cap
    const chunks = Math.max(1, Math.ceil(size / CHUNK_SIZE))
    for (let i = 0; i < chunks; i++) {
      const data = chunk.data!
      const n = Math.min(data.length, size - offset)
      out.set(data.subarray(0, n), offset)
      offset += n
      if (i + 1 === chunks) break
      const next = nextChunkLocation(this.crypto, chunk.view, chunkCap.mapKey, chunkCap.bat, head.view.properties.streamSecret)
      chunkCap = { ...chunkCap, mapKey: next.mapKey, bat: next.bat }
      const read = await this.readChunk(chunkCap)
      if (read === undefined) throw new NotFoundError(`Chunk ${i + 1} of '${head.view.properties.name}' is missing`)
      chunk = read
    }
    if (offset !== size) throw new NotFoundError(`File '${head.view.properties.name}' has ${offset} of ${size} bytes`)
    return out
  }

  /** Walks a tree depth first, yielding each entry with its absolute path (link nodes are followed). */
  async *walk(cap: AbsoluteCapability, path: string): AsyncGenerator<{ path: string; entry: TreeEntry }> {
    const root = await this.stat(cap)
    yield { path, entry: root }
    if (root.isDirectory) yield* this.walkChildren(cap, path)
  }

  private async *walkChildren(cap: AbsoluteCapability, path: string): AsyncGenerator<{ path: string; entry: TreeEntry }> {
    for (const entry of await this.list(cap)) {
      const childPath = `${path}/${entry.name}`
      yield { path: childPath, entry }
      if (entry.isDirectory) yield* this.walkChildren(entry.cap, childPath)
    }
  }
}
