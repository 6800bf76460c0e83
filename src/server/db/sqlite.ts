// SQLite implementation of the Database abstraction (better-sqlite3 12): one connection per file,
// WAL journal, cached prepared statements, transactions serialised by an in-process queue (BEGIN
// IMMEDIATE ... COMMIT), and group commit of concurrent single-statement writes (one fsync each batch).
// A FULL database in WAL mode syncs its WAL on libuv's thread pool after each commit, still before the
// connection is released and the commit acknowledged, instead of inside SQLite on the event loop.
import { open as openFile, type FileHandle } from 'node:fs/promises'
import BetterSqlite3 from 'better-sqlite3'
import { DatabaseClosedError, DatabaseError, wrapDriverError } from './errors.ts'
import type { Database, Row, SqlValue, Transaction } from './sql.ts'

/**
 * Durability. FULL (the default): the WAL is fsynced at every commit, so an acknowledged write
 * survives kill -9 *and* power loss. In WAL mode SQLite itself runs with NORMAL and this class
 * fdatasyncs the WAL after every commit, off the event loop (SQLite's own sync at commit blocked the
 * whole server for the length of an fsync: 1-5 ms per pointer update here); the connection stays held
 * until the sync is done, so nothing reads a commit before it is durable, as with SQLite's FULL. NORMAL: commits are written to the WAL without fsync (the
 * WAL is fsynced at checkpoints, here at least every `syncEveryMs`), which survives kill -9 (the OS
 * still holds the written pages) but may lose the last commits on power loss; never corrupts: what
 * survives is every commit up to some point, in order.
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
   * With synchronous NORMAL: how often (ms, default 60 s) a passive checkpoint runs when something was
   * committed since the last one. A checkpoint fsyncs the WAL first, so no commit older than this is lost
   * on power loss either. 0 leaves it to SQLite's auto-checkpoint.
   */
  readonly syncEveryMs?: number
}

/** Default interval of the passive checkpoints of a NORMAL database. */
export const DEFAULT_SYNC_EVERY_MS = 60_000

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
  private readonly syncTimer: NodeJS.Timeout | undefined
  private committedSinceSync = false
  /** The WAL file this class syncs after each commit (FULL in WAL mode), else undefined (SQLite syncs, if at all). */
  private readonly walToSync: string | undefined
  /** The WAL file's handle for walSync, opened at the first sync. */
  private walHandle: FileHandle | undefined
  /** Set by every statement that may have written, cleared by the WAL sync that follows it. */
  private unsyncedWrites = false
  /** WAL syncs this class made (FULL in WAL mode), for tests. */
  walSyncs = 0

  constructor(readonly options: SqliteOptions) {
    this.groupCommit = options.groupCommit ?? options.path !== ':memory:'
    try {
      this.db = new BetterSqlite3(options.path)
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`)
      const mode = options.path === ':memory:' ? undefined : String(this.db.pragma(`journal_mode = ${options.journalMode ?? 'WAL'}`, { simple: true })).toLowerCase()
      // FULL in WAL mode: SQLite writes the WAL without syncing it and walSync() makes each commit durable
      this.walToSync = (options.synchronous ?? 'FULL') === 'FULL' && mode === 'wal' ? `${this.db.name}-wal` : undefined
      this.db.pragma(`synchronous = ${this.walToSync !== undefined ? 'NORMAL' : options.synchronous ?? 'FULL'}`)
    } catch (e) {
      throw wrapDriverError(e)
    }
    const every = options.syncEveryMs ?? DEFAULT_SYNC_EVERY_MS
    if (options.synchronous === 'NORMAL' && options.path !== ':memory:' && every > 0) {
      this.syncTimer = setInterval(() => void this.syncNow().catch(() => undefined), every)
      this.syncTimer.unref()
    }
  }

  /** Whether every commit is on disk before it is acknowledged (FULL): synced by SQLite, or by this class in WAL mode. */
  get syncsEveryCommit(): boolean {
    return (this.options.synchronous ?? 'FULL') === 'FULL' && this.options.path !== ':memory:'
  }

  /**
   * Makes every commit so far durable: a passive checkpoint, which fsyncs the WAL before copying it into
   * the database (what FULL does at each commit). Skipped when nothing was committed since the last one.
   */
  async syncNow(): Promise<void> {
    if (!this.committedSinceSync || this.closed) return
    await this.exclusive(() => {
      this.committedSinceSync = false
      this.db.pragma('wal_checkpoint(PASSIVE)')
    })
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
      if (s.reader) return s.all(...bind(params)) as T[]
      this.committedSinceSync = true
      this.unsyncedWrites = true
      s.run(...bind(params))
      return []
    } catch (e) {
      throw wrapDriverError(e, sql)
    }
  }

  private runSync(sql: string, params: readonly SqlValue[]): number {
    this.committedSinceSync = true
    this.unsyncedWrites = true
    try {
      return this.statement(sql).run(...bind(params)).changes
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
      throw new DatabaseClosedError(`Database ${this.options.path} is closed`)
    }
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next !== undefined) next()
    else this.locked = false
  }

  /** Runs a synchronous piece of work when no transaction holds the connection (and makes what it wrote durable). */
  private async exclusive<T>(work: () => T): Promise<T> {
    await this.acquire()
    try {
      const result = work()
      await this.walSync()
      return result
    } finally {
      this.release()
    }
  }

  /**
   * FULL in WAL mode: fdatasync of the WAL once something was written since the last sync, called with
   * the connection held, after the commit and before anyone is told of it. Every commit since the
   * last sync is in the WAL file (SQLite wrote it before returning), so one sync covers them all.
   */
  private async walSync(): Promise<void> {
    if (this.walToSync === undefined || !this.unsyncedWrites || this.db.inTransaction) return
    this.unsyncedWrites = false
    try {
      // One handle for the connection's life: the WAL is reset in place after checkpoints, and only
      // removed when the last connection closes (this one closes the handle first).
      const fh = this.walHandle ?? (this.walHandle = await openFile(this.walToSync, 'r'))
      await fh.datasync()
      this.walSyncs++
    } catch (e) {
      this.unsyncedWrites = true
      const fh = this.walHandle
      this.walHandle = undefined
      await fh?.close().catch(() => undefined)
      throw new DatabaseError(`Syncing ${this.walToSync}: ${(e as Error).message}`, { cause: e })
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
      await this.walSync()
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
      this.committedSinceSync = true
      this.unsyncedWrites = true
      try {
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
      await this.walSync()
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
    if (this.syncTimer !== undefined) clearInterval(this.syncTimer)
    while (this.flushing !== undefined) await this.flushing // writes already accepted still commit
    await this.acquire()
    this.closed = true
    const wal = this.walHandle
    this.walHandle = undefined
    await wal?.close().catch(() => undefined)
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
