// SQLite FULL durability on a WAL file with the commit's sync taken off the event loop: every write
// (single statements, group commits, transactions, DDL, writing queries) resolves only after a sync of
// the WAL that followed its commit, and the connection stays taken meanwhile, so no statement sees the
// commit first; reads sync nothing; a WAL gone from its path is made durable by a checkpoint; a failed
// sync closes the database; other modes keep SQLite's own sync.
import { existsSync } from 'node:fs'
import { mkdtemp, rm, unlink } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, it } from 'vitest'
import { DatabaseError } from '../../../src/server/db/errors.ts'
import { SqliteDatabase, type SqliteOptions } from '../../../src/server/db/sqlite.ts'

let dir: string
const opened: SqliteDatabase[] = []
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pts-walsync-'))
})
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close().catch(() => undefined)
  await rm(dir, { recursive: true, force: true })
})

/** A sync that waits until the test lets it finish, recording what happened before it did. */
function gatedSync() {
  const calls: string[] = []
  let open: (() => void) | undefined
  let failWith: Error | undefined
  const syncWal = (path: string): Promise<void> => {
    calls.push(path)
    if (failWith !== undefined) return Promise.reject(failWith)
    return new Promise<void>((resolve) => { open = resolve })
  }
  return {
    calls, syncWal,
    release: () => { const o = open; open = undefined; o?.() },
    fail: (e: Error) => { failWith = e },
    get waiting() { return open !== undefined },
  }
}

function db(o: Partial<SqliteOptions> = {}): SqliteDatabase {
  const d = new SqliteDatabase({ path: join(dir, 'x.sql'), ...o })
  opened.push(d)
  return d
}

/** Lets pending callbacks (and setImmediate group flushes) run. */
const settle = () => new Promise((r) => setImmediate(() => setImmediate(r)))

it('acknowledges a write only after the WAL is synced, and keeps the connection until then', async () => {
  const gate = gatedSync()
  const d = db({ syncWal: gate.syncWal })
  expect(await d.query('PRAGMA synchronous')).toEqual([{ synchronous: 1 }]) // SQLite NORMAL + our sync = FULL
  const ddl = d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)')
  await settle()
  expect(gate.calls).toEqual([join(dir, 'x.sql-wal')])
  gate.release()
  await ddl

  let acked = false
  const write = d.run('INSERT INTO t VALUES (?, ?)', ['a', 1]).then((n) => { acked = true; return n })
  await settle()
  expect([gate.waiting, acked]).toEqual([true, false])
  // A read issued meanwhile waits for the sync: nobody sees the commit before it is durable.
  let read: unknown
  const reading = d.query('SELECT v FROM t WHERE k = ?', ['a']).then((r) => { read = r })
  await settle()
  expect(read).toBeUndefined()
  gate.release()
  expect(await write).toBe(1)
  await reading
  expect(read).toEqual([{ v: 1 }])
  // The read synced nothing.
  expect(gate.calls).toHaveLength(2)
})

it('syncs once per group commit and per transaction, and after a writing query', async () => {
  const gate = gatedSync()
  const d = db({ syncWal: gate.syncWal })
  const ddl = d.exec('CREATE TABLE t (k TEXT PRIMARY KEY, v INTEGER)')
  await settle()
  gate.release()
  await ddl
  const group = Promise.all(['a', 'b', 'c'].map((k, i) => d.run('INSERT INTO t VALUES (?, ?)', [k, i])))
  await settle()
  expect(gate.calls).toHaveLength(2)
  gate.release()
  expect(await group).toEqual([1, 1, 1])

  let done = false
  const tx = d.withTransaction(async (t) => {
    await t.run('UPDATE t SET v = v + 10')
    return t.query<{ n: number }>('SELECT count(*) AS n FROM t')
  }).then((r) => { done = true; return r })
  await settle()
  expect([gate.calls.length, done]).toEqual([3, false])
  gate.release()
  expect(await tx).toEqual([{ n: 3 }])

  const returning = d.query('INSERT INTO t VALUES (?, ?) RETURNING v', ['d', 4])
  await settle()
  expect(gate.calls).toHaveLength(4)
  gate.release()
  expect(await returning).toEqual([{ v: 4 }])
  expect(await d.query('SELECT sum(v) AS s FROM t')).toEqual([{ s: 37 }])
  expect(gate.calls).toHaveLength(4)
})

it('checkpoints through SQLite when the WAL is gone from its path (removed by another connection, or unlinked)', async () => {
  let gone = false
  const d = db({ syncWal: async () => !gone })
  await d.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  await d.run('INSERT INTO t VALUES (?)', ['a'])
  const before = (await d.query<{ log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE)'))[0]
  expect(before.log).toBeGreaterThan(0)
  gone = true
  await d.run('INSERT INTO t VALUES (?)', ['b'])
  // Every frame, the new commit's included, was checkpointed into the database before the write was acknowledged.
  expect(await d.query('PRAGMA wal_checkpoint(PASSIVE)')).toEqual([{ busy: 0, log: expect.any(Number), checkpointed: expect.any(Number) }])
  const after = (await d.query<{ log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE)'))[0]
  expect(after.checkpointed).toBe(after.log)

  // The real default: files unlinked while open (a data directory removed under a running server).
  const e = db({ path: join(dir, 'y.sql') })
  await e.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  for (const f of ['y.sql', 'y.sql-wal', 'y.sql-shm']) await unlink(join(dir, f))
  await e.run('INSERT INTO t VALUES (?)', ['a'])
  expect(await e.query('SELECT k FROM t')).toEqual([{ k: 'a' }])
})

it('closes the database when a sync fails: nothing more is acknowledged', async () => {
  const gate = gatedSync()
  const d = db({ syncWal: gate.syncWal })
  const ddl = d.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  await settle()
  gate.release()
  await ddl
  gate.fail(new Error('EIO'))
  const refused = await d.run('INSERT INTO t VALUES (?)', ['a']).then(() => undefined, (e: unknown) => e)
  expect(refused).toBeInstanceOf(DatabaseError)
  expect((refused as Error).message).toMatch(/^Syncing .*x\.sql-wal failed: EIO; the database is closed$/)
  await expect(d.query('SELECT * FROM t')).rejects.toThrow(refused as Error)
  await expect(d.withTransaction(async () => 1)).rejects.toThrow(DatabaseError)
})

it('really syncs by default, and leaves FULL to SQLite without WAL, NORMAL unsynced', async () => {
  const d = db()
  await d.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
  await Promise.all(['a', 'b'].map((k) => d.run('INSERT INTO t VALUES (?)', [k])))
  await d.close()
  const again = db()
  expect(await again.query('SELECT k FROM t ORDER BY k')).toEqual([{ k: 'a' }, { k: 'b' }])
  await again.close()

  for (const o of [{ journalMode: 'DELETE', synchronous: 'FULL' }, { synchronous: 'NORMAL' }] as const) {
    const gate = gatedSync()
    const other = new SqliteDatabase({ path: join(dir, `${o.synchronous}-${'journalMode' in o ? o.journalMode : 'WAL'}.sql`), syncWal: gate.syncWal, ...o })
    opened.push(other)
    await other.exec('CREATE TABLE t (k TEXT PRIMARY KEY)')
    await other.run('INSERT INTO t VALUES (?)', ['a'])
    expect(gate.calls).toEqual([])
    expect(await other.query('PRAGMA synchronous')).toEqual([{ synchronous: o.synchronous === 'FULL' ? 2 : 1 }])
  }
  expect(existsSync(join(dir, 'x.sql'))).toBe(true)
})
