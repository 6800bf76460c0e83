// A bounded cache of verified immutable blocks (CHAMP nodes, cryptree nodes, WriterData) keyed by
// CID: content addressing makes every entry valid forever, so only its size needs bounding. Keyed
// through a CidMap (no string per block: a fresh listing caches ~11,000 blocks and probes them
// tens of thousands of times), the oldest entries dropped first.
import { CidMap, type CidMapEntry } from '../champ/cid-map.ts'
import type { CID } from '../codec/cid.ts'

/** CIDv1 codecs of the blocks setVerified caches: raw (fragments) and dag-cbor. */
const RAW = 0x55
const DAG_CBOR = 0x71

export class BlockCache {
  private readonly blocks = new CidMap<Uint8Array>()
  /** Mappings in the order they were added (eviction order); `head` is the oldest still queued. */
  private queue: CidMapEntry<Uint8Array>[] = []
  private head = 0
  private bytes = 0

  /** `maxBytes` bounds the cached bytes; the oldest entries are dropped first. */
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cid)
  }

  /** Caches a block the caller has verified against `cid` (or built itself). */
  set(cid: CID, block: Uint8Array): void {
    if (block.length > this.maxBytes / 4) return
    this.added(this.blocks.add(cid, block))
  }

  /**
   * Caches a block under the CIDv1 sha2-256 of `digest`, the sha256 the caller computed of `block`
   * itself (no CID object built: a listing caches tens of thousands of blocks).
   */
  setVerified(digest: Uint8Array, raw: boolean, block: Uint8Array): void {
    if (block.length > this.maxBytes / 4) return
    this.added(this.blocks.addDigest(raw ? RAW : DAG_CBOR, digest, block))
  }

  private added(entry: CidMapEntry<Uint8Array> | undefined): void {
    if (entry === undefined) return // cached already
    this.queue.push(entry)
    this.bytes += entry.value.length
    while (this.bytes > this.maxBytes && this.head < this.queue.length) {
      const old = this.queue[this.head++]
      this.blocks.delete(old)
      this.bytes -= old.value.length
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head)
      this.head = 0
    }
  }
}
