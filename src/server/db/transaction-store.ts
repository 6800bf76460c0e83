// Open write transactions (reference §8.1 TransactionalIpfs and GC; Peergos JdbcTransactionStore):
// table transactions(tid, owner = PublicKeyHash string, hash = CID string, time = epoch millis).
// Blocks of open transactions are GC roots until the transaction closes or expires.
import { randomUUID } from 'node:crypto'
import { cidToString, parseCid, type CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { createTables, ensureColumn, transactionsDdl } from './schema.ts'
import { stringOf, type Database } from './sql.ts'

const INSERT = 'INSERT INTO transactions (tid, owner, hash, time) VALUES(?, ?, ?, ?);'
const SELECT_OWNER = 'SELECT hash FROM transactions WHERE owner = ?;'
const SELECT_ALL = 'SELECT hash FROM transactions;'
const DELETE = 'DELETE FROM transactions WHERE tid = ? AND owner = ?;'
const DELETE_OLD = 'DELETE FROM transactions WHERE time < ? AND owner = ?;'
const DELETE_ALL_OLD = 'DELETE FROM transactions WHERE time < ?;'

export class TransactionStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `transactions.sql` (or the shared Postgres), adding `time` to old schemas. */
  static async open(db: Database): Promise<TransactionStore> {
    await createTables(db, transactionsDdl(db.dialect))
    await ensureColumn(db, 'transactions', 'time', `${db.dialect === 'sqlite' ? 'INTEGER' : 'BIGINT'} DEFAULT 0`)
    return new TransactionStore(db)
  }

  /** A new transaction id (a random UUID, as Peergos; nothing is stored until a block is added). */
  startTransaction(): string {
    return randomUUID()
  }

  /** Records blocks written under an open transaction, in one database transaction. */
  async addBlocks(owner: PublicKeyHash, tid: string, blocks: readonly CID[], now = Date.now()): Promise<void> {
    if (blocks.length === 0) return
    const o = cidToString(owner)
    if (blocks.length === 1) {
      await this.db.run(INSERT, [tid, o, cidToString(blocks[0]), now])
      return
    }
    await this.db.withTransaction(async (tx) => {
      for (const b of blocks) await tx.run(INSERT, [tid, o, cidToString(b), now])
    })
  }

  /** Closes a transaction: its blocks are no longer GC roots (unless reachable otherwise). */
  async closeTransaction(owner: PublicKeyHash, tid: string): Promise<void> {
    await this.db.run(DELETE, [tid, cidToString(owner)])
  }

  /** Blocks of an owner's open transactions. */
  async openBlocks(owner: PublicKeyHash): Promise<CID[]> {
    const rows = await this.db.query<{ hash: string }>(SELECT_OWNER, [cidToString(owner)])
    return rows.map((r) => parseCid(stringOf(r.hash, 'hash')))
  }

  /** Blocks of every open transaction (the GC's extra roots). */
  async allOpenBlocks(): Promise<CID[]> {
    const rows = await this.db.query<{ hash: string }>(SELECT_ALL)
    return rows.map((r) => parseCid(stringOf(r.hash, 'hash')))
  }

  /** Drops transactions older than `cutoffMillis`, for one owner or for all; returns rows removed. */
  async clearOld(cutoffMillis: number, owner?: PublicKeyHash): Promise<number> {
    return owner === undefined
      ? this.db.run(DELETE_ALL_OLD, [cutoffMillis])
      : this.db.run(DELETE_OLD, [cutoffMillis, cidToString(owner)])
  }
}
