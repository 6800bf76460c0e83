// SQLite implementation of the Database abstraction (better-sqlite3 12): one connection per file,
// WAL journal, cached prepared statements, transactions serialised by an in-process queue (BEGIN
// IMMEDIATE ... COMMIT), and group commit of concurrent single-statement writes (one fsync each batch).
// With WAL and synchronous FULL the commit's fsync of the WAL runs on libuv's threadpool instead of
// blocking the event loop (see SqliteOptions.synchronous).
import { open } from 'node:fs/promises'
import BetterSqlite3 from 'better-sqlite3'
import { DatabaseClosedError, DatabaseError, wrapDriverError } from './errors.ts'
import type { Database, Row, SqlValue, Transaction } from './sql.ts'

/**
 * Durability. FULL (the default): the WAL is fsynced at every commit, so an acknowledged write
 * survives kill -9 *and* power loss. NORMAL: commits are written to the WAL without fsync (the
 * WAL is fsynced at checkpoints), which survives kill -9 (the OS still holds the written pages)
 * but may lose the last commits on power loss; never corrupts.
 *
 * FULL on a WAL file is run as SQLite's NORMAL plus our own fdatasync of the WAL after each commit,
 * on the threadpool: NORMAL differs from FULL only in skipping that commit sync (WAL headers and
 * checkpoints are synced the same), and the connection stays taken until the sync is done, so no
 * statement here sees a commit before it is durable and no promise resolves before. A failed sync
 * closes the database: the commit may be visible on disk without being durable, as after any
 * failed fsync, and nothing more is acknowledged until a restart.
 */
export type SqliteSynchronous = 'FULL' | 'NORMAL'

export interface SqliteOptions {
  /** A file path, or ':memory:'. */
  readonly path: string
  readonly synchronous?: SqliteSynchronous
  /** WAL (default) or DELETE, Peergos' own default (sqlite-jdbc leaves the rollback journal on). */
  readonly journalMode?: 'WAL' | 'DELETE'
  readonly busyTimeoutMs?: number
  /**
   * Group commit (default: on for files, off for ':memory:'): `run` calls made outside a transaction in the same event-loop
   * turn execute in arrival order inside one transaction, so they share one commit (one fsync).
   * Each statement still succeeds or fails on its own, and each promise resolves only after the
   * commit that contains it: acknowledged means durable, exactly as with one commit per statement.
   */
  readonly groupCommit?: boolean
  /**
   * Syncs the WAL file at `path` after a commit, false when it is gone (fault injection in tests;
   * default fdatasync on the threadpool).
   */
  readonly syncWal?: (path: string) => Promise<boolean | void>
}

/** fdatasync of a file by path, on libuv's threadpool. */
async function fdatasyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r')
  try {
    await fh.datasync()
  } finally {
    await fh.close()
  }
}

/** Syncs the WAL after a commit; false when there is no WAL file at its path any more. */
async function syncWalFile(walPath: string): Promise<boolean> {
  try {
    await fdatasyncPath(walPath)
    return true
  } catch (e) {
    if ((e as { code?: unknown }).code === 'ENOENT') return false
    throw e
  }
}

/** Upper bound on the statements sharing one commit. */
const MAX_GROUP = 1000

interface Pending {
  readonly sql: string
  readonly params: readonly SqlValue[]
  readonly resolve: (changes: number) => void
  readonly reject: (e: unknown) => void
}

type Stmt = BetterSqlite3.Statement<unknown[], Row>

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => {
    if (typeof p === 'boolean') return p ? 1 : 0
    if (p instanceof Uint8Array && !Buffer.isBuffer(p)) return Buffer.from(p.buffer, p.byteOffset, p.byteLength)
    return p
  })
}

export class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const
  private readonly db: BetterSqlite3.Database
  private readonly statements = new Map<string, Stmt>()
  private locked = false
  private readonly waiting: Array<() => void> = []
  private closed = false
  private readonly group: Pending[] = []
  private flushing: Promise<void> | undefined
  private readonly groupCommit: boolean
  /** The WAL file we sync after commits ourselves (FULL on WAL), else undefined. */
  private readonly walPath: string | undefined
  /** A statement may have committed changes not yet synced (walPath mode only). */
  private unsynced = false
  /** Set when a WAL sync failed: everything after is refused. */
  private failed: Error | undefined

  constructor(readonly options: SqliteOptions) {
    this.groupCommit = options.groupCommit ?? options.path !== ':memory:'
    const synchronous = options.synchronous ?? 'FULL'
    try {
      this.db = new BetterSqlite3(options.path)
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
      const mode = options.path === ':memory:' ? 'memory' : String(this.db.pragma(`journal_mode = ${options.journalMode ?? 'WAL'}`, { simple: true })).toLowerCase()
      this.walPath = synchronous === 'FULL' && mode === 'wal' ? `${this.db.name}-wal` : undefined
      this.db.pragma(`synchronous = ${this.walPath === undefined ? synchronous : 'NORMAL'}`)
    } catch (e) {
      throw wrapDriverError(e)
    }
  }

  private checkpoint(): void {
    const [r] = this.db.pragma('wal_checkpoint(FULL)') as Array<{ busy: number }>
    if (r?.busy !== 0) throw new Error('the WAL could not be checkpointed')
  }

  /** Makes the commits so far durable (FULL on WAL), before the connection is given to anyone else. */
  private async syncCommits(): Promise<void> {
    if (this.walPath === undefined || !this.unsynced || this.db.inTransaction) return
    this.unsynced = false
    try {
      // No WAL at its path (another connection closed last and removed it, or the files were
      // unlinked while open): SQLite's own handles still reach the data, so a checkpoint, which
      // syncs the WAL and then the database through them, makes the commit durable instead.
      if ((await (this.options.syncWal ?? syncWalFile)(this.walPath)) === false) this.checkpoint()
    } catch (e) {
      this.failed = new DatabaseError(`Syncing ${this.walPath} failed: ${(e as Error).message}; the database is closed`, { cause: e })
      this.closed = true
      throw this.failed
    }
  }

  private statement(sql: string): Stmt {
    let s = this.statements.get(sql)
    if (s === undefined) {
      s = this.db.prepare<unknown[], Row>(sql)
      this.statements.set(sql, s)
    }
    return s
  }

  private querySync<T extends Row>(sql: string, params: readonly SqlValue[]): T[] {
    try {
      const s = this.statement(sql)
      // A reader may write too (INSERT ... RETURNING): whatever is not read-only may need a sync.
      if (!s.readonly) this.unsynced = true
      if (s.reader) return s.all(...bind(params)) as T[]
      s.run(...bind(params))
      return []
    } catch (e) {
      throw wrapDriverError(e, sql)
    }
  }

  private runSync(sql: string, params: readonly SqlValue[]): number {
    try {
      const s = this.statement(sql)
      if (!s.readonly) this.unsynced = true
      return s.run(...bind(params)).changes
    } catch (e) {
      throw wrapDriverError(e, sql)
    }
  }

  /** Takes the connection; resolves at once when it is free (the common, fast case). */
  private async acquire(): Promise<void> {
    if (this.locked) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.locked = true
    if (this.closed) {
      this.release()
      throw this.failed ?? new DatabaseClosedError(`Database ${this.options.path} is closed`)
    }
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.locked = false
  }

  /** Runs a synchronous piece of work when no transaction holds the connection. */
  private async exclusive<T>(work: () => T): Promise<T> {
    await this.acquire()
    try {
      const result = work()
      await this.syncCommits()
      return result
    } finally {
      this.release()
    }
  }

  query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.exclusive(() => this.querySync<T>(sql, params))
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    if (!this.groupCommit || this.closed) return this.exclusive(() => this.runSync(sql, params))
    return new Promise<number>((resolve, reject) => {
      this.group.push({ sql, params, resolve, reject })
      this.flushing ??= new Promise<void>((done) => setImmediate(() => void this.flushGroup().finally(done)))
    })
  }

  /** Runs the queued writes: alone as an autocommit, or several inside one transaction. */
  private async flushGroup(): Promise<void> {
    try {
      await this.acquire()
    } catch (e) {
      this.flushing = undefined
      for (const op of this.group.splice(0)) op.reject(e)
      return
    }
    this.flushing = undefined // later arrivals schedule the next group
    const ops = this.group.splice(0, MAX_GROUP)
    if (this.group.length > 0) this.flushing = new Promise<void>((done) => setImmediate(() => void this.flushGroup().finally(done)))
    const results: Array<{ ok: true; changes: number } | { ok: false; error: unknown }> = []
    try {
      if (ops.length === 1) {
        try {
          results.push({ ok: true, changes: this.runSync(ops[0].sql, ops[0].params) })
        } catch (error) {
          results.push({ ok: false, error })
        }
      } else {
        this.runSync('BEGIN IMMEDIATE', [])
        for (const op of ops) {
          try {
            results.push({ ok: true, changes: this.runSync(op.sql, op.params) })
          } catch (error) {
            results.push({ ok: false, error })
            // most errors undo only their statement; one that ended the transaction undoes them all
            if (!this.db.inTransaction) throw error
          }
        }
        this.runSync('COMMIT', [])
      }
      await this.syncCommits()
    } catch (error) {
      if (this.db.inTransaction) {
        try { this.db.exec('ROLLBACK') } catch { /* report the original error */ }
      }
      for (const op of ops) op.reject(error)
      return
    } finally {
      this.release()
    }
    ops.forEach((op, i) => {
      const r = results[i]
      if (r.ok) op.resolve(r.changes)
      else op.reject(r.error)
    })
  }

  exec(ddl: string): Promise<void> {
    return this.exclusive(() => {
      try {
        this.unsynced = true
        this.db.exec(ddl)
      } catch (e) {
        throw wrapDriverError(e, ddl)
      }
    })
  }

  async withTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    await this.acquire()
    let open = true
    const check = (): void => {
      if (!open) throw new DatabaseClosedError('Transaction handle used after its transaction ended')
    }
    const tx: Transaction = {
      dialect: 'sqlite',
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => (check(), this.querySync<R>(sql, params)),
      run: async (sql: string, params: readonly SqlValue[] = []) => (check(), this.runSync(sql, params)),
      lock: async () => check(),
    }
    try {
      this.runSync('BEGIN IMMEDIATE', [])
      const result = await fn(tx)
      open = false
      this.runSync('COMMIT', [])
      await this.syncCommits()
      return result
    } finally {
      open = false
      // after a throw from the body or a failed COMMIT: undo everything
      if (this.db.inTransaction) {
        try { this.db.exec('ROLLBACK') } catch { /* the original error is more useful */ }
      }
      this.release()
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    while (this.flushing !== undefined) await this.flushing // writes already accepted still commit
    await this.acquire()
    this.closed = true
    try {
      this.statements.clear()
      this.db.close()
    } catch (e) {
      throw new DatabaseError(`Closing ${this.options.path}: ${(e as Error).message}`, { cause: e })
    } finally {
      this.release()
    }
  }
}
