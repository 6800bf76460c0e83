// Blocks fetched from other servers (reference §7.1; Peergos AuthedCachingStorage): a least-recently
// used map bounded by total bytes, keyed by CID. Only blocks already re-hashed against their CID go in.
import { cidToString, type CID } from '../../../codec/cid.ts'

export class BlockCache {
  private readonly map = new Map<string, Uint8Array>()
  private bytes = 0

  /** `maxBytes`: the total size kept (default 64 MiB); `maxBlockBytes`: larger blocks are not kept (default 1 MiB + 100). */
  constructor(readonly maxBytes = 64 * 1024 * 1024, readonly maxBlockBytes = 1024 * 1024 + 100) {}

  get(cid: CID): Uint8Array | undefined {
    const k = cidToString(cid)
    const v = this.map.get(k)
    if (v !== undefined) {
      this.map.delete(k)
      this.map.set(k, v)
    }
    return v
  }

  set(cid: CID, block: Uint8Array): void {
    if (block.length > this.maxBlockBytes || block.length > this.maxBytes) return
    const k = cidToString(cid)
    const old = this.map.get(k)
    if (old !== undefined) {
      this.map.delete(k)
      this.bytes -= old.length
    }
    this.map.set(k, block)
    this.bytes += block.length
    while (this.bytes > this.maxBytes) {
      const [oldest, v] = this.map.entries().next().value as [string, Uint8Array]
      this.map.delete(oldest)
      this.bytes -= v.length
    }
  }

  get size(): number {
    return this.map.size
  }

  get totalBytes(): number {
    return this.bytes
  }
}
