// Open write transactions (reference §8.1 TransactionalIpfs and GC; Peergos JdbcTransactionStore):
// table transactions(tid, owner = PublicKeyHash string, hash = CID string, time = epoch millis).
// Blocks of open transactions are GC roots until the transaction closes or expires.
import { randomUUID } from 'node:crypto'
import { cidToString, parseCid, type CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { createTables, ensureColumn, transactionsDdl } from './schema.ts'
import { stringOf, type Database, type SqlValue } from './sql.ts'

/** Rows per INSERT statement (4 parameters each, well within SQLite's and Postgres' limits; few distinct statements to prepare). */
const ROWS_PER_INSERT = 32
const insertTexts: string[] = []

/** `INSERT INTO transactions ... VALUES(?, ?, ?, ?), ...` with `rows` rows (the texts kept: statements are cached by text). */
function insertRows(rows: number): string {
  return (insertTexts[rows] ??= `INSERT INTO transactions (tid, owner, hash, time) VALUES${Array.from({ length: rows }, () => '(?, ?, ?, ?)').join(', ')};`)
}
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

  /**
   * Records blocks written under an open transaction: one multi-row INSERT (atomic) for up to
   * ROWS_PER_INSERT blocks, which joins the database's group commit; more in one database transaction.
   */
  async addBlocks(owner: PublicKeyHash, tid: string, blocks: readonly CID[], now = Date.now()): Promise<void> {
    if (blocks.length === 0) return
    const o = cidToString(owner)
    const insert = async (run: (sql: string, params: SqlValue[]) => Promise<number>, from: number, to: number): Promise<void> => {
      const params: SqlValue[] = []
      for (let i = from; i < to; i++) params.push(tid, o, cidToString(blocks[i]), now)
      await run(insertRows(to - from), params)
    }
    if (blocks.length <= ROWS_PER_INSERT) {
      await insert((sql, params) => this.db.run(sql, params), 0, blocks.length)
      return
    }
    await this.db.withTransaction(async (tx) => {
      for (let i = 0; i < blocks.length; i += ROWS_PER_INSERT) await insert((sql, params) => tx.run(sql, params), i, Math.min(blocks.length, i + ROWS_PER_INSERT))
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
