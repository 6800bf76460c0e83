// Block GC (reference §8.1; Peergos GarbageCollector.collect): list blocks, then open-transaction blocks,
// then pointers (so a block written meanwhile is unlisted, pending or reachable), mark through every
// merkle link of dag-cbor blocks, delete the rest unless written less than MIN_BLOCK_AGE_MS before the collection started.
import { binaryKey } from '../../champ/block-store.ts'
import { CODEC_DAG_CBOR, isIdentity, type CID } from '../../codec/cid.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { PointerStore } from '../db/pointer-store.ts'
import type { TransactionStore } from '../db/transaction-store.ts'
import { cborLinks } from './cbor-links.ts'
import { storedPointerUpdate } from './stored-pointer.ts'
import { forEachLimit } from '../blocks/concurrency.ts'

/** Peergos drops transactions older than a day at the start of each GC. */
export const TRANSACTION_MAX_AGE_MS = 24 * 3600 * 1000

/**
 * Unreachable blocks written less than this before a collection starts are kept: the rows of open
 * transactions are committed without fsync (db/config.ts RECOVERABLE_STORES), so after a power loss the
 * last minute's rows may be gone while their blocks, fsynced, are not; this keeps those blocks.
 */
export const MIN_BLOCK_AGE_MS = 10 * 60 * 1000

/** Points between phases where a test may act (e.g. write blocks concurrently). */
export type GcPhase = 'listed' | 'pending' | 'marked'

export interface GarbageCollectorOptions {
  readonly blocks: ServerBlockStore
  readonly pointers: PointerStore
  readonly transactions: TransactionStore
  readonly transactionMaxAgeMs?: number
  /** Default MIN_BLOCK_AGE_MS. */
  readonly minBlockAgeMs?: number
  /** Epoch ms (injectable for tests). */
  readonly now?: () => number
  readonly onPhase?: (phase: GcPhase) => void | Promise<void>
  /** Deletions in flight (default 8). */
  readonly deleteConcurrency?: number
}

export interface GcReport {
  /** Blocks stored when the collection started. */
  readonly listed: number
  /** Blocks of open transactions (roots besides the pointers). */
  readonly pending: number
  readonly pointers: number
  /** Distinct blocks marked reachable (pending, pointer targets and everything they link to). */
  readonly reachable: number
  /** Reachable blocks that are not stored (dangling links). */
  readonly missing: number
  /** Listed blocks found unreachable. */
  readonly unreachable: number
  readonly deleted: number
  /** Unreachable blocks kept because they were written (again) less than the minimum block age before the collection started, or since. */
  readonly kept: number
}

export class GarbageCollector {
  private running: Promise<GcReport> | undefined
  private readonly now: () => number

  constructor(private readonly o: GarbageCollectorOptions) {
    this.now = o.now ?? Date.now
  }

  /** Runs one collection; a call during a running one joins it. */
  collect(): Promise<GcReport> {
    this.running ??= this.run().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  private async run(): Promise<GcReport> {
    const start = this.now()
    await this.o.transactions.clearOld(start - (this.o.transactionMaxAgeMs ?? TRANSACTION_MAX_AGE_MS))
    const listed: CID[] = []
    for await (const cid of this.o.blocks.list()) listed.push(cid)
    await this.o.onPhase?.('listed')
    const pending = await this.o.transactions.allOpenBlocks()
    await this.o.onPhase?.('pending')
    // Read after the listing and the pending blocks: a block stored since is unlisted, or pending, or
    // its transaction closed after its pointer was set, which this read sees.
    const pointers = await this.o.pointers.list()

    const marker = new Marker(this.o.blocks)
    for (const cid of pending) await marker.markFrom(cid)
    for (const p of pointers) {
      let target: CID | null
      try {
        target = storedPointerUpdate(p.signed).updated
      } catch {
        continue
      }
      if (target !== null) await marker.markFrom(target)
    }
    await this.o.onPhase?.('marked')

    const garbage = listed.filter((cid) => !marker.has(cid))
    let deleted = 0
    await forEachLimit(garbage, this.o.deleteConcurrency ?? 8, async (cid) => {
      if (await this.o.blocks.delete(cid, { notWrittenSince: start - (this.o.minBlockAgeMs ?? MIN_BLOCK_AGE_MS) })) deleted++
    })
    return {
      listed: listed.length,
      pending: pending.length,
      pointers: pointers.length,
      reachable: marker.size,
      missing: marker.missing,
      unreachable: garbage.length,
      deleted,
      kept: garbage.length - deleted,
    }
  }
}

/** Marks blocks reachable, reading each dag-cbor block once for its links (iteratively: no deep recursion). */
class Marker {
  private readonly marked = new Set<string>()
  missing = 0

  constructor(private readonly blocks: ServerBlockStore) {}

  get size(): number {
    return this.marked.size
  }

  has(cid: CID): boolean {
    return this.marked.has(binaryKey(cid.bytes))
  }

  async markFrom(root: CID): Promise<void> {
    const stack = [root]
    while (stack.length > 0) {
      const cid = stack.pop()!
      if (isIdentity(cid)) continue
      const k = binaryKey(cid.bytes)
      if (this.marked.has(k)) continue
      this.marked.add(k)
      if (cid.code !== CODEC_DAG_CBOR) continue
      let block: Uint8Array | undefined
      try {
        block = await this.blocks.get(cid)
      } catch {
        block = undefined // corrupt: quarantined by the store
      }
      if (block === undefined) {
        this.missing++
        continue
      }
      try {
        for (const link of cborLinks(block)) stack.push(link)
      } catch {
        // not CBOR after all: a leaf
      }
    }
  }
}
