// Runs a database conformance suite against every dialect: SQLite in memory, SQLite in a file
// (temp dir), and Postgres at PEERGOS_TEST_POSTGRES (one fresh schema per open). Without that URL
// the Postgres suites are skipped with a message, or fail loudly when CI=true.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, describe, it } from 'vitest'
import { PostgresDatabase } from '../../../src/server/db/postgres.ts'
import type { Database } from '../../../src/server/db/sql.ts'
import { SqliteDatabase } from '../../../src/server/db/sqlite.ts'

export const POSTGRES_URL = process.env.PEERGOS_TEST_POSTGRES
const CI = process.env.CI === 'true' || process.env.CI === '1'
const NO_POSTGRES = 'PEERGOS_TEST_POSTGRES is not set: start one with `export PEERGOS_TEST_POSTGRES=$(scripts/start-postgres.sh)`'

let warned = false
/** Says once per test file, when a Postgres suite is declared, that it is skipped. */
function warnSkipped(): void {
  if (warned) return
  warned = true
  console.warn(`[peergos-ts] ${NO_POSTGRES}; the Postgres database suites are SKIPPED`)
}

export interface DialectContext {
  readonly name: 'sqlite-memory' | 'sqlite-file' | 'postgres'
  /** A fresh, empty database (closed after each test). */
  open(): Promise<Database>
  /** For files: the path of the last opened file; for Postgres: the schema (to reopen the same data). */
  lastLocation(): string
  /** Reopens a location given by lastLocation() (not closed automatically). */
  reopen(location: string): Promise<Database>
}

let counter = 0
function unique(): string {
  return `${process.pid}_${Date.now().toString(36)}_${counter++}`
}

function makeContext(name: DialectContext['name']): { ctx: DialectContext; cleanup: () => Promise<void>; closeOpen: () => Promise<void> } {
  const open: Database[] = []
  const schemas: string[] = []
  let dir: string | undefined
  let last = ''
  const reopen = async (location: string): Promise<Database> => {
    if (name === 'postgres') return PostgresDatabase.open({ url: POSTGRES_URL!, schema: location, poolSize: 8 })
    return new SqliteDatabase({ path: location })
  }
  const ctx: DialectContext = {
    name,
    async open() {
      let db: Database
      if (name === 'sqlite-memory') {
        db = new SqliteDatabase({ path: ':memory:' })
        last = ':memory:'
      } else if (name === 'sqlite-file') {
        dir ??= mkdtempSync(join(tmpdir(), 'peergos-ts-db-'))
        last = join(dir, `${unique()}.sql`)
        db = new SqliteDatabase({ path: last })
      } else {
        last = `t_${unique()}`
        schemas.push(last)
        db = await reopen(last)
      }
      open.push(db)
      return db
    },
    lastLocation: () => last,
    reopen,
  }
  const closeOpen = async (): Promise<void> => {
    await Promise.all(open.splice(0).map((d) => d.close().catch(() => {})))
  }
  const cleanup = async (): Promise<void> => {
    await closeOpen()
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    if (schemas.length > 0) {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      try {
        for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
      } finally {
        await client.end()
      }
    }
  }
  return { ctx, cleanup, closeOpen }
}

/** Declares `body` once per dialect, inside describe(`${title} [dialect]`). */
export function describeDialects(title: string, body: (ctx: DialectContext) => void): void {
  for (const name of ['sqlite-memory', 'sqlite-file', 'postgres'] as const) {
    if (name === 'postgres' && POSTGRES_URL === undefined) {
      if (CI) describe(`${title} [postgres]`, () => it('needs PEERGOS_TEST_POSTGRES in CI', () => { throw new Error(NO_POSTGRES) }))
      else {
        warnSkipped()
        describe.skip(`${title} [postgres] (${NO_POSTGRES})`, () => it('skipped', () => {}))
      }
      continue
    }
    describe(`${title} [${name}]`, () => {
      const { ctx, cleanup, closeOpen } = makeContext(name)
      afterEach(closeOpen)
      afterAll(cleanup)
      body(ctx)
    })
  }
}

/** Declares `body(url)` inside describe(title) with Postgres, or skips it (failing in CI) as describeDialects does. */
export function describePostgres(title: string, body: (url: string) => void): void {
  if (POSTGRES_URL === undefined) {
    if (CI) describe(title, () => it('needs PEERGOS_TEST_POSTGRES in CI', () => { throw new Error(NO_POSTGRES) }))
    else {
      warnSkipped()
      describe.skip(`${title} (${NO_POSTGRES})`, () => it('skipped', () => {}))
    }
    return
  }
  const url = POSTGRES_URL
  describe(title, () => body(url))
}

/** A fresh schema name for one test database (drop it with dropSchemas). */
export function uniqueSchema(): string {
  return `t_${unique()}`
}

export async function dropSchemas(url: string, schemas: readonly string[]): Promise<void> {
  if (schemas.length === 0) return
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    for (const s of schemas) await client.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`)
  } finally {
    await client.end()
  }
}
