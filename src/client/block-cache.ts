// A bounded cache of verified immutable blocks (CHAMP nodes, cryptree nodes, WriterData) keyed by
// CID: content addressing makes every entry valid forever, so only its size needs bounding.
import { binaryKey, cidKey } from '../champ/index.ts'
import type { CID } from '../codec/cid.ts'

/** cidKey's bytes before the digest: CIDv1, codec (raw 0x55, dag-cbor 0x71), sha2-256, 32 bytes. */
const RAW_PREFIX = String.fromCharCode(0x01, 0x55, 0x12, 0x20)
const CBOR_PREFIX = String.fromCharCode(0x01, 0x71, 0x12, 0x20)

export class BlockCache {
  private readonly blocks = new Map<string, Uint8Array>()
  private bytes = 0

  /** `maxBytes` bounds the cached bytes; the oldest entries are dropped first. */
  constructor(private readonly maxBytes = 64 * 1024 * 1024) {}

  get(cid: CID): Uint8Array | undefined {
    return this.blocks.get(cidKey(cid))
  }

  /** Caches a block the caller has verified against `cid` (or built itself). */
  set(cid: CID, block: Uint8Array): void {
    this.setKey(cidKey(cid), block)
  }

  /**
   * Caches a block under the CIDv1 sha2-256 of `digest`, the sha256 the caller computed of `block`
   * itself (no CID object built: a listing caches tens of thousands of blocks).
   */
  setVerified(digest: Uint8Array, raw: boolean, block: Uint8Array): void {
    this.setKey((raw ? RAW_PREFIX : CBOR_PREFIX) + binaryKey(digest), block)
  }

  private setKey(k: string, block: Uint8Array): void {
    if (this.blocks.has(k) || block.length > this.maxBytes / 4) return
    this.blocks.set(k, block)
    this.bytes += block.length
    for (const [key, b] of this.blocks) {
      if (this.bytes <= this.maxBytes) break
      this.blocks.delete(key)
      this.bytes -= b.length
    }
  }
}
