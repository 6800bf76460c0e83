// Durability after the fact (wal-syncer.ts) and how SqliteDatabase uses it: one fdatasync at a time,
// each covering every commit completed before it started; commits made during a sync wait for the
// next one; a failed sync is reported to the callers it would have covered and retried later; the
// connection is free while a sync runs, and nothing is acknowledged before it is durable.
import { mkdtempSync, rmSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DatabaseError } from '../../../src/server/db/errors.ts'
import { SqliteDatabase } from '../../../src/server/db/sqlite.ts'
import { WalSyncer } from '../../../src/server/db/wal-syncer.ts'

const dir = mkdtempSync(join(tmpdir(), 'peergos-ts-walsync-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('WalSyncer', () => {
  it('resolves at once with nothing committed, and shares one sync among the callers it covers', async () => {
    const path = join(dir, 'a-wal')
    await writeFile(path, 'frames')
    const s = new WalSyncer(path)
    await s.durableNow()
    expect(s.syncs).toBe(0)
    s.noteCommit()
    s.noteCommit()
    await Promise.all([s.durableNow(), s.durableNow(), s.durableNow()])
    expect(s.syncs).toBe(1)
    await s.durableNow() // nothing new
    expect(s.syncs).toBe(1)
  })

  it('makes a commit completed during a sync wait for the next one', async () => {
    const path = join(dir, 'b-wal')
    await writeFile(path, 'frames')
    const s = new WalSyncer(path)
    s.noteCommit()
    const first = s.durableNow() // starts a sync covering commit 1
    s.noteCommit() // completed after that sync started: not covered by it
    let secondDone = false
    const second = s.durableNow().then(() => (secondDone = true))
    await first
    expect(s.syncs).toBe(1)
    expect(secondDone).toBe(false)
    await second
    expect(s.syncs).toBe(2)
  })

  it('reports a failed sync as a DatabaseError to the callers it covered, and retries on the next call', async () => {
    const path = join(dir, 'c-wal') // missing: open fails
    const s = new WalSyncer(path)
    s.noteCommit()
    await expect(s.durableNow()).rejects.toBeInstanceOf(DatabaseError)
    expect(s.syncs).toBe(0)
    await writeFile(path, 'frames')
    await s.durableNow()
    expect(s.syncs).toBe(1)
  })
})

describe('SqliteDatabase (FULL, WAL) with syncs off the connection', () => {
  it('runs writes while a sync is in flight and acknowledges each only after a sync that covers it', async () => {
    const db = new SqliteDatabase({ path: join(dir, 'pipelined.sql') })
    try {
      await db.exec('CREATE TABLE t (v INTEGER);')
      const before = db.walSyncs
      // writes spread over many event-loop turns: each turn's group commits while the last one's sync runs
      const writes: Array<Promise<number>> = []
      for (let i = 0; i < 200; i++) {
        writes.push(db.run('INSERT INTO t (v) VALUES (?);', [i]))
        if (i % 5 === 4) await new Promise((r) => setImmediate(r))
      }
      const acknowledgedAfter: number[] = []
      await Promise.all(writes.map((w) => w.then(() => acknowledgedAfter.push(db.walSyncs - before))))
      expect(acknowledgedAfter.every((n) => n >= 1)).toBe(true) // none before the first sync
      const syncs = db.walSyncs - before
      expect(syncs).toBeGreaterThanOrEqual(1)
      expect(syncs).toBeLessThan(40) // 40 groups of 5: syncs are shared, not one per group
      const [{ n }] = await db.query<{ n: number }>('SELECT count(*) AS n FROM t;')
      expect(n).toBe(200)
    } finally {
      await db.close()
    }
  })

  it('returns a read of an unsynced commit only after that commit is durable', async () => {
    const db = new SqliteDatabase({ path: join(dir, 'read-after.sql') })
    try {
      await db.exec('CREATE TABLE t (v INTEGER);')
      const synced = db.walSyncs
      const write = db.run('INSERT INTO t (v) VALUES (1);')
      await new Promise((r) => setImmediate(r)) // the write's group commits in this turn, then its sync starts
      // it reads the committed row, and must not return it before a sync covered it
      const read = db.query<{ v: number }>('SELECT v FROM t;').then((rows) => ({ rows, syncs: db.walSyncs - synced }))
      await write
      const { rows, syncs } = await read
      expect(rows).toEqual([{ v: 1 }])
      expect(syncs).toBeGreaterThanOrEqual(1)
    } finally {
      await db.close()
    }
  })
})
