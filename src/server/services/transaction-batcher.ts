// Group commit of transaction rows (reference §8.1 TransactionalIpfs): concurrent writes of one
// (owner, transaction), e.g. a file's fragments, share one database commit (one fsync); each write still
// waits for its rows to be committed before its blocks are stored.
import { binaryKey } from '../../champ/block-store.ts'
import type { CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { TransactionStore } from '../db/transaction-store.ts'

interface Batch {
  readonly owner: PublicKeyHash
  readonly tid: string
  readonly cids: CID[]
  readonly done: Promise<void>
}

export class TransactionBatcher {
  private readonly pending = new Map<string, Batch>()

  constructor(private readonly store: TransactionStore) {}

  /** Records `cids` under (owner, tid); resolves once they are committed. */
  add(owner: PublicKeyHash, tid: string, cids: readonly CID[]): Promise<void> {
    const key = `${binaryKey(owner.bytes)}|${tid}`
    let batch = this.pending.get(key)
    if (batch === undefined) {
      const b: { owner: PublicKeyHash; tid: string; cids: CID[] } = { owner, tid, cids: [] }
      const done = new Promise<void>((resolve, reject) => {
        setImmediate(() => {
          this.pending.delete(key)
          this.store.addBlocks(b.owner, b.tid, b.cids).then(resolve, reject)
        })
      })
      batch = { ...b, done }
      this.pending.set(key, batch)
    }
    batch.cids.push(...cids)
    return batch.done
  }
}
