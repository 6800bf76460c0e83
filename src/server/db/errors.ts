// Named errors of the database layer (src/server/db): driver failures are wrapped so callers can
// match on a PeergosError name whichever dialect is underneath.
import { PeergosError } from '../../errors.ts'

/** A statement or transaction failed in the driver (the original error is the `cause`). */
export class DatabaseError extends PeergosError {}

/** An insert hit a primary-key or unique constraint (SQLite SQLITE_CONSTRAINT_*, Postgres 23505). */
export class UniqueViolationError extends DatabaseError {}

/** The database was used after close(), or a transaction handle after its transaction ended. */
export class DatabaseClosedError extends DatabaseError {}

/** A per-user row limit kept by a store was reached (e.g. staged password changes). */
export class StoreLimitError extends PeergosError {}

/** Wraps a driver error; leaves our own errors (thrown from inside a transaction body) alone. */
export function wrapDriverError(e: unknown, sql?: string): Error {
  if (e instanceof PeergosError) return e
  const err = e as { code?: unknown; message?: unknown }
  const code = typeof err?.code === 'string' ? err.code : ''
  const what = `${typeof err?.message === 'string' ? err.message : String(e)}${sql === undefined ? '' : ` [${sql.slice(0, 120)}]`}`
  if (code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE') return new UniqueViolationError(what, { cause: e })
  return new DatabaseError(what, { cause: e })
}
