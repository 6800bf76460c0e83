// The small database abstraction under every store (reference §8.2): parameterised SQL with `?`
// placeholders that runs unchanged on SQLite (better-sqlite3) and Postgres (pg), plus the value
// helpers that make both drivers' results look the same (bytes, integers, booleans, base64).

export type Dialect = 'sqlite' | 'postgres'

/** A bound parameter: booleans become 0/1 on SQLite, Uint8Arrays become blob / bytea. */
export type SqlValue = string | number | bigint | boolean | Uint8Array | null

export type Row = Record<string, unknown>

/** Runs statements; inside `withTransaction` every call belongs to that transaction. */
export interface SqlExecutor {
  readonly dialect: Dialect
  /** Rows of a SELECT (or of a statement with RETURNING). */
  query<T extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>
  /** Executes a statement and returns the number of rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<number>
}

/** What a transaction body receives: an executor plus a per-key lock for check-then-write logic. */
export interface Transaction extends SqlExecutor {
  /**
   * Serialises this transaction with every other one that locks the same key, until it ends.
   * Postgres: pg_advisory_xact_lock; SQLite: a no-op, since its transactions already run one
   * at a time (BEGIN IMMEDIATE behind an in-process queue).
   */
  lock(key: string): Promise<void>
}

export interface Database extends SqlExecutor {
  /**
   * Runs `fn` in one transaction: committed if it resolves, rolled back if it throws.
   * Keep the body to database work: on SQLite it holds the connection exclusively.
   * Transactions do not nest.
   */
  withTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T>
  /** Runs parameterless DDL, possibly several statements separated by `;`. */
  exec(ddl: string): Promise<void>
  close(): Promise<void>
}

/** Rewrites `?` placeholders as `$1, $2...` (our SQL never has `?` inside string literals). */
export function toDollarPlaceholders(sql: string): string {
  let n = 0
  return sql.replace(/\?/g, () => `$${++n}`)
}

// ---- reading values back the same way from both drivers ----

/** blob / bytea (Buffer from both drivers) as a plain Uint8Array view. */
export function bytesOf(v: unknown, what = 'column'): Uint8Array {
  if (v instanceof Uint8Array) return new Uint8Array(v.buffer, v.byteOffset, v.byteLength)
  throw new TypeError(`${what}: expected bytes, got ${v === null ? 'null' : typeof v}`)
}

export function maybeBytesOf(v: unknown, what = 'column'): Uint8Array | undefined {
  return v === null || v === undefined ? undefined : bytesOf(v, what)
}

/** INTEGER / BIGINT (number from SQLite; the Postgres pool parses int8 to number too). */
export function numberOf(v: unknown, what = 'column'): number {
  if (typeof v === 'number') return v
  if (typeof v === 'bigint' || typeof v === 'string') {
    const n = Number(v)
    if (Number.isSafeInteger(n)) return n
  }
  throw new TypeError(`${what}: expected an integer, got ${String(v)}`)
}

/** boolean (Postgres) or 0/1 (SQLite). */
export function boolOf(v: unknown): boolean {
  return v === true || v === 1 || v === 1n
}

export function stringOf(v: unknown, what = 'column'): string {
  if (typeof v === 'string') return v
  throw new TypeError(`${what}: expected text, got ${v === null ? 'null' : typeof v}`)
}

// ---- Peergos' text encoding of binary values (java.util.Base64, standard alphabet, padded) ----

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')
}

export function fromBase64(s: unknown, what = 'column'): Uint8Array {
  const b = Buffer.from(stringOf(s, what), 'base64')
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength)
}
