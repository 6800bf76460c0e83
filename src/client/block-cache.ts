// A bounded cache of verified immutable blocks (CHAMP nodes, cryptree nodes, WriterData) keyed by
// CID: content addressing makes every entry valid forever, so only its size needs bounding.
import { cidKey } from '../champ/index.ts'
import type { CID } from '../codec/cid.ts'

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
    const k = cidKey(cid)
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
