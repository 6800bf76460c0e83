// A read-through cache of small blocks for the hot read paths (champ/get lookups of cryptree nodes
// and CHAMP paths): content addressing makes every cached block valid for as long as it is
// stored, so only its size is bounded. A listing of 10,000 entries otherwise opens, stats, reads and
// closes 10,000 files; with the cache a re-read touches no file.
import { cidKey } from '../../champ/block-store.ts'
import type { CID } from '../../codec/cid.ts'
import type { ServerBlockStore } from './server-block-store.ts'

/** Blocks up to this size are cached (cryptree nodes and CHAMP nodes; not 1 MiB fragments). */
export const SMALL_BLOCK_BYTES = 64 * 1024

export class SmallBlockCache {
  private readonly blocks = new Map<string, Uint8Array>()
  private bytes = 0

  constructor(private readonly store: Pick<ServerBlockStore, 'get'>, private readonly maxBytes = 64 * 1024 * 1024) {}

  /** The block (verified by the store when read), from memory when it was read before. */
  async get(cid: CID): Promise<Uint8Array | undefined> {
    const hit = this.getCached(cid)
    if (hit !== undefined) return hit
    const block = await this.store.get(cid)
    if (block !== undefined) this.remember(cid, block)
    return block
  }

  /** The block when it is in memory (no promise), else undefined. */
  getCached(cid: CID): Uint8Array | undefined {
    const k = cidKey(cid)
    const hit = this.blocks.get(k)
    if (hit !== undefined) {
      this.blocks.delete(k) // most recently used last
      this.blocks.set(k, hit)
    }
    return hit
  }

  /** Keeps a block the caller has verified against `cid` (e.g. one just stored), if small. */
  remember(cid: CID, block: Uint8Array): void {
    const k = cidKey(cid)
    if (block.length > SMALL_BLOCK_BYTES || this.blocks.has(k)) return
    this.blocks.set(k, block)
    this.bytes += block.length
    for (const [key, b] of this.blocks) {
      if (this.bytes <= this.maxBytes) break
      this.blocks.delete(key)
      this.bytes -= b.length
    }
  }

  /** Drops a block (after a delete, so a collected block is not served from memory). */
  forget(cid: CID): void {
    const k = cidKey(cid)
    const b = this.blocks.get(k)
    if (b === undefined) return
    this.blocks.delete(k)
    this.bytes -= b.length
  }
}
