// Group commit of transaction rows (reference §8.1 TransactionalIpfs): concurrent writes of one
// (owner, transaction), e.g. a file's fragments, share one database commit (one fsync); each write still
// waits for its rows to be committed (visible to the GC) before its blocks are stored, and for them to be
// durable before it is acknowledged: the WAL's fsync runs while the blocks are written.
import { binaryKey } from '../../champ/block-store.ts'
import type { CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { TransactionStore } from '../db/transaction-store.ts'

/** A batch's rows: `committed` once visible to every later statement (the GC's), `durable` once also synced. */
export interface RowsAdded {
  readonly committed: Promise<void>
  readonly durable: Promise<void>
}

interface Batch extends RowsAdded {
  readonly owner: PublicKeyHash
  readonly tid: string
  readonly cids: CID[]
}

export class TransactionBatcher {
  private readonly pending = new Map<string, Batch>()

  constructor(private readonly store: TransactionStore) {}

  /**
   * Records `cids` under (owner, tid). `committed` settles once they are visible to the GC (blocks may
   * be written from then on), `durable` once they are also synced (before the write is acknowledged);
   * a failure rejects both.
   */
  add(owner: PublicKeyHash, tid: string, cids: readonly CID[]): RowsAdded {
    const key = `${binaryKey(owner.bytes)}|${tid}`
    let batch = this.pending.get(key)
    if (batch === undefined) {
      const b: { owner: PublicKeyHash; tid: string; cids: CID[] } = { owner, tid, cids: [] }
      let visible!: () => void
      let failed!: (e: unknown) => void
      const committed = new Promise<void>((resolve, reject) => {
        visible = resolve
        failed = reject
      })
      const durable = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending.delete(key)
          this.store.addBlocks(b.owner, b.tid, b.cids, Date.now(), visible).then(resolve, (e: unknown) => {
            failed(e)
            reject(e)
          })
        })
      })
      committed.catch(() => undefined) // a caller may be waiting on durable only
      batch = { ...b, committed, durable }
      this.pending.set(key, batch)
    }
    batch.cids.push(...cids)
    return batch
  }
}
