// Postgres implementation of the Database abstraction (pg Pool; Peergos `-use-postgres`): `?`
// placeholders become `$n`, statements are named so each connection prepares them once, int8
// comes back as a number, and a transaction owns one pooled connection from BEGIN to COMMIT.
import pg from 'pg'
import { DatabaseClosedError, wrapDriverError } from './errors.ts'
import { toDollarPlaceholders, type Database, type Row, type SqlValue, type Transaction } from './sql.ts'

export interface PostgresOptions {
  /** postgres://user:password@127.0.0.1:port/database */
  readonly url: string
  /** Tables live in this schema (created if absent); default: the server's search_path. */
  readonly schema?: string
  readonly poolSize?: number
}

const INT8_OID = 20

function parseInt8(s: string): number | bigint {
  const n = Number(s)
  return Number.isSafeInteger(n) ? n : BigInt(s)
}

const typeParsers: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID && format !== 'binary' ? parseInt8 : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
}

function bind(params: readonly SqlValue[]): unknown[] {
  return params.map((p) => (typeof p === 'bigint' ? p.toString() : p))
}

/** One name per distinct SQL text, shared by all pools: pg prepares a named statement once per connection. */
const statementNames = new Map<string, { name: string; text: string }>()
function named(sql: string): { name: string; text: string } {
  let s = statementNames.get(sql)
  if (s === undefined) {
    s = { name: `peergos_ts_${statementNames.size}`, text: toDollarPlaceholders(sql) }
    statementNames.set(sql, s)
  }
  return s
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/

type Queryable = Pick<pg.PoolClient, 'query'>

async function queryOn<T extends Row>(q: Queryable, sql: string, params: readonly SqlValue[]): Promise<pg.QueryResult<T>> {
  const { name, text } = named(sql)
  try {
    return await q.query<T>({ name, text, values: bind(params) })
  } catch (e) {
    throw wrapDriverError(e, sql)
  }
}

export class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const
  private closed = false

  private constructor(private readonly pool: pg.Pool) {}

  static async open(options: PostgresOptions): Promise<PostgresDatabase> {
    const schema = options.schema
    if (schema !== undefined && !SCHEMA_NAME.test(schema)) throw new TypeError(`Invalid schema name '${schema}'`)
    const pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize ?? 10,
      types: typeParsers,
      options: schema === undefined ? undefined : `-c search_path=${schema}`,
    })
    // An idle pooled connection that dies (server restart) is discarded by the pool; the next
    // query opens a fresh one. Without a listener the 'error' event would crash the process.
    pool.on('error', () => {})
    try {
      if (schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`)
      else await pool.query('SELECT 1')
    } catch (e) {
      await pool.end().catch(() => {})
      throw wrapDriverError(e)
    }
    return new PostgresDatabase(pool)
  }

  private checkOpen(): void {
    if (this.closed) throw new DatabaseClosedError('Postgres database is closed')
  }

  async query<T extends Row = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.checkOpen()
    return (await queryOn<T>(this.pool, sql, params)).rows
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<number> {
    this.checkOpen()
    return (await queryOn(this.pool, sql, params)).rowCount ?? 0
  }

  async exec(ddl: string): Promise<void> {
    this.checkOpen()
    try {
      await this.pool.query(ddl) // simple protocol: several statements allowed, no parameters
    } catch (e) {
      throw wrapDriverError(e, ddl)
    }
  }

  async withTransaction<T>(fn: (tx: Transaction) => Promise<T>): Promise<T> {
    this.checkOpen()
    let client: pg.PoolClient
    try {
      client = await this.pool.connect()
    } catch (e) {
      throw wrapDriverError(e)
    }
    let open = true
    const use = (): pg.PoolClient => {
      if (!open) throw new DatabaseClosedError('Transaction handle used after its transaction ended')
      return client
    }
    const tx: Transaction = {
      dialect: 'postgres',
      query: async <R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) => (await queryOn<R>(use(), sql, params)).rows,
      run: async (sql: string, params: readonly SqlValue[] = []) => (await queryOn(use(), sql, params)).rowCount ?? 0,
      lock: async (key: string) => {
        await queryOn(use(), 'SELECT pg_advisory_xact_lock(hashtextextended(?, 0))', [key])
      },
    }
    let broken: Error | undefined
    try {
      await queryOn(client, 'BEGIN', [])
      const result = await fn(tx)
      open = false
      await queryOn(client, 'COMMIT', [])
      return result
    } catch (e) {
      open = false
      try {
        await client.query('ROLLBACK')
      } catch (r) {
        broken = r as Error // the connection is unusable: drop it rather than return it to the pool
      }
      throw e // driver errors were wrapped by queryOn; the body's own errors pass through unchanged
    } finally {
      client.release(broken)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.pool.end()
  }
}
