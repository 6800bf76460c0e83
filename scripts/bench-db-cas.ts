// Measures PointerStore CAS throughput (pointer updates per second) on SQLite files (FULL and
// NORMAL), SQLite in memory and, with PEERGOS_TEST_POSTGRES set, Postgres. Usage:
//   npx tsx scripts/bench-db-cas.ts [updates=5000] [dir=os.tmpdir()]
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { publicKeyHash } from '../src/model/signing-keys.ts'
import { PointerStore } from '../src/server/db/pointer-store.ts'
import { PostgresDatabase } from '../src/server/db/postgres.ts'
import type { Database } from '../src/server/db/sql.ts'
import { SqliteDatabase } from '../src/server/db/sqlite.ts'

const N = Number(process.argv[2] ?? 5000)
const dir = mkdtempSync(join(process.argv[3] ?? tmpdir(), 'peergos-ts-bench-'))
const WRITERS = 16
const writers = Array.from({ length: WRITERS }, (_, i) => publicKeyHash(new Uint8Array(32).fill(i + 1)))
/** A realistic signed PointerUpdate: 64-byte signature ‖ ~80 bytes of CBOR. */
const value = (): Uint8Array => new Uint8Array(randomBytes(144))

async function run(label: string, db: Database, concurrent: boolean): Promise<void> {
  const store = await PointerStore.open(db)
  const current = new Map<number, Uint8Array | undefined>()
  const one = async (w: number): Promise<void> => {
    const next = value()
    if (!(await store.compareAndSet(writers[w], current.get(w), next))) throw new Error('CAS failed')
    current.set(w, next)
  }
  for (let w = 0; w < WRITERS; w++) await one(w) // create rows outside the timing
  const start = performance.now()
  if (concurrent) {
    // one chain per writer, all writers at once (as many users updating in parallel)
    await Promise.all(writers.map(async (_, w) => { for (let i = w; i < N; i += WRITERS) await one(w) }))
  } else {
    for (let i = 0; i < N; i++) await one(i % WRITERS)
  }
  const secs = (performance.now() - start) / 1000
  console.log(`${label.padEnd(44)} ${String(Math.round(N / secs)).padStart(7)} CAS/s  (${N} updates, ${(secs * 1000 / N).toFixed(3)} ms each)`)
  await db.close()
}

async function main(): Promise<void> {
  try {
    for (const sync of ['FULL', 'NORMAL'] as const) {
      await run(`sqlite file WAL synchronous=${sync}, sequential`, new SqliteDatabase({ path: join(dir, `s-${sync}.sql`), synchronous: sync }), false)
      await run(`sqlite file WAL synchronous=${sync}, ${WRITERS} concurrent`, new SqliteDatabase({ path: join(dir, `c-${sync}.sql`), synchronous: sync }), true)
    }
    await run('sqlite file WAL FULL, 16 concurrent, no group commit', new SqliteDatabase({ path: join(dir, 'c-nogroup.sql'), groupCommit: false }), true)
    await run('sqlite :memory:, sequential', new SqliteDatabase({ path: ':memory:' }), false)
    const url = process.env.PEERGOS_TEST_POSTGRES
    if (url !== undefined) {
      for (const concurrent of [false, true]) {
        const schema = `bench_${process.pid}_${concurrent ? 'c' : 's'}`
        await run(`postgres, ${concurrent ? `${WRITERS} concurrent` : 'sequential'}`, await PostgresDatabase.open({ url, schema, poolSize: WRITERS }), concurrent)
        const admin = await PostgresDatabase.open({ url })
        await admin.exec(`DROP SCHEMA ${schema} CASCADE`)
        await admin.close()
      }
    } else {
      console.log('postgres: skipped (set PEERGOS_TEST_POSTGRES)')
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()
