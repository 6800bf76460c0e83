// Sizes and merkle links of stored blocks for usage accounting (reference §7.5; Peergos
// DeletableContentAddressedStorage.getBlockMetadata / BlockMetadataStore): cached by CID key (binaryKey of
// the CID bytes), and recorded as blocks are written, so the pointer update that follows reads no disk.
import { cidKey } from '../../champ/block-store.ts'
import { CODEC_DAG_CBOR, cidFromBytes, isIdentity, type CID } from '../../codec/cid.ts'
import type { BlockEntry, BlockWrite, DeleteOptions, PutManyOptions, ServerBlockStore } from '../blocks/server-block-store.ts'
import { GenCache } from './gen-cache.ts'
import { keyBytes, scanLinkKeys } from './link-scan.ts'

/** A block's stored size and the keys of the stored blocks it links to (identity links left out), in order. */
export interface BlockMeta {
  readonly size: number
  readonly links: readonly string[]
}

const NO_LINKS: readonly string[] = []
/** dag-cbor blocks up to this size are scanned for links when written; bigger ones when first needed. */
const SCAN_ON_WRITE_MAX = 256 * 1024

/** The links of a block with codec `code` (only dag-cbor blocks have any); a block that does not scan links nowhere. */
function linksOf(code: number, bytes: Uint8Array): readonly string[] {
  if (code !== CODEC_DAG_CBOR) return NO_LINKS
  try {
    const keys = scanLinkKeys(bytes)
    return keys.length === 0 ? NO_LINKS : keys
  } catch {
    return NO_LINKS
  }
}

export class BlockSizes {
  private readonly cache: GenCache<BlockMeta>
  /** Block reads (cache misses that found the block), for tests and benchmarks. */
  reads = 0

  constructor(private readonly blocks: ServerBlockStore, capacity = 100_000) {
    this.cache = new GenCache(capacity)
  }

  /** Records a block the store has just accepted (its bytes hash to `cid`). */
  written(cid: CID, bytes: Uint8Array): void {
    if (isIdentity(cid)) return
    if (cid.code === CODEC_DAG_CBOR && bytes.length > SCAN_ON_WRITE_MAX) return
    this.cache.set(cidKey(cid), { size: bytes.length, links: linksOf(cid.code, bytes) })
  }

  /** The cached size and links of a block, without reading (undefined: not cached). */
  peek(key: string): BlockMeta | undefined {
    return this.cache.get(key)
  }

  /** The block's size and links, or undefined when it is not stored here. */
  async get(key: string): Promise<BlockMeta | undefined> {
    const hit = this.cache.get(key)
    if (hit !== undefined) return hit
    let cid: CID
    try {
      cid = cidFromBytes(keyBytes(key))
    } catch {
      return undefined // not a CID: nothing stored under it
    }
    let found: BlockMeta | undefined
    if (cid.code === CODEC_DAG_CBOR) {
      const bytes = await this.blocks.get(cid)
      if (bytes !== undefined) found = { size: bytes.length, links: linksOf(cid.code, bytes) }
    } else {
      // raw (file fragments) and any other codec: no links to follow, and the size needs no read
      const size = await this.blocks.size(cid)
      if (size !== undefined) found = { size, links: NO_LINKS }
    }
    if (found === undefined) return undefined
    this.reads++
    this.cache.set(key, found)
    return found
  }

  /** The store seen through this cache: every successful write is recorded. */
  observe(inner: ServerBlockStore): ServerBlockStore {
    return new ObservedBlockStore(inner, this)
  }
}

/** A ServerBlockStore that tells BlockSizes about each block it stores; everything else passes through. */
class ObservedBlockStore implements ServerBlockStore {
  constructor(private readonly inner: ServerBlockStore, private readonly sizes: BlockSizes) {}

  async put(ownerDir: string, cid: CID, bytes: Uint8Array): Promise<void> {
    await this.inner.put(ownerDir, cid, bytes)
    this.sizes.written(cid, bytes)
  }

  async putBlock(ownerDir: string, bytes: Uint8Array, raw: boolean): Promise<CID> {
    const cid = await this.inner.putBlock(ownerDir, bytes, raw)
    this.sizes.written(cid, bytes)
    return cid
  }

  async putMany(ownerDir: string, blocks: readonly BlockWrite[], options?: PutManyOptions): Promise<void> {
    await this.inner.putMany(ownerDir, blocks, options)
    for (const b of blocks) this.sizes.written(b.cid, b.bytes)
  }

  get(cid: CID): Promise<Uint8Array | undefined> {
    return this.inner.get(cid)
  }

  has(cid: CID): Promise<boolean> {
    return this.inner.has(cid)
  }

  size(cid: CID): Promise<number | undefined> {
    return this.inner.size(cid)
  }

  delete(cid: CID, options?: DeleteOptions): Promise<boolean> {
    return this.inner.delete(cid, options)
  }

  list(): AsyncIterable<CID> {
    return this.inner.list()
  }

  entries(ownerDir?: string): AsyncIterable<BlockEntry> {
    return this.inner.entries(ownerDir)
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}
