// SQLite without a sync per commit (NORMAL, the recoverable stores): a write with the connection free
// commits in the caller's turn of the event loop instead of waiting for the next group commit, still in
// call order behind anything queued; a FULL database keeps gathering concurrent writes. The transaction
// rows of a put (TransactionBatcher) are therefore committed before the put goes on to store its blocks.
import { createHash } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import BetterSqlite3 from 'better-sqlite3'
import { afterAll, afterEach, describe, expect, it } from 'vitest'
import * as Digest from 'multiformats/hashes/digest'
import { CID, CODEC_DAG_CBOR, HASH_SHA2_256 } from '../../../src/codec/cid.ts'
import { UniqueViolationError } from '../../../src/server/db/errors.ts'
import { SqliteDatabase, type SqliteSynchronous } from '../../../src/server/db/sqlite.ts'
import { TransactionStore } from '../../../src/server/db/transaction-store.ts'
import { TransactionBatcher } from '../../../src/server/services/transaction-batcher.ts'
import { writer } from './helpers.ts'

const dir = mkdtempSync(join(tmpdir(), 'peergos-ts-unsynced-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const open: SqliteDatabase[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((d) => d.close()))
})

let n = 0
async function database(synchronous: SqliteSynchronous): Promise<{ db: SqliteDatabase; path: string }> {
  const path = join(dir, `db-${n++}.sql`)
  const db = new SqliteDatabase({ path, synchronous })
  open.push(db)
  await db.exec('CREATE TABLE kv (k text primary key not null, n BIGINT);')
  return { db, path }
}

/** What another connection to the file sees now (synchronously: no turn of the event loop in between). */
function seen(path: string, sql = 'SELECT k, n FROM kv ORDER BY k;'): unknown[] {
  const other = new BetterSqlite3(path, { readonly: true })
  try {
    return other.prepare(sql).all()
  } finally {
    other.close()
  }
}

const CIDS = ['one', 'two'].map((s) => CID.createV1(CODEC_DAG_CBOR, Digest.create(HASH_SHA2_256, createHash('sha256').update(s).digest())))

describe('SQLite commits without a sync', () => {
  it('NORMAL: a write with the connection free is committed before run() returns', async () => {
    const { db, path } = await database('NORMAL')
    expect(db.syncsEveryCommit).toBe(false)
    const p = db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['a', 1])
    expect(seen(path)).toEqual([{ k: 'a', n: 1 }])
    expect(await p).toBe(1)
  })

  it('FULL: writes of one turn still wait for the group commit (one WAL sync for all)', async () => {
    const { db, path } = await database('FULL')
    expect(db.syncsEveryCommit).toBe(true)
    const syncs = db.walSyncs
    const writes = [db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['a', 1]), db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['b', 2])]
    expect(seen(path)).toEqual([])
    expect(await Promise.all(writes)).toEqual([1, 1])
    expect(db.walSyncs - syncs).toBe(1)
    expect(seen(path)).toHaveLength(2)
  })

  it('NORMAL: a failing write rejects alone, and the connection stays usable', async () => {
    const { db, path } = await database('NORMAL')
    await db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['a', 1])
    await expect(db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['a', 2])).rejects.toBeInstanceOf(UniqueViolationError)
    expect(await db.run('UPDATE kv SET n = ? WHERE k = ?;', [3, 'a'])).toBe(1)
    expect(seen(path)).toEqual([{ k: 'a', n: 3 }])
  })

  it('NORMAL: writes made while a transaction holds the connection commit after it, in call order', async () => {
    const { db, path } = await database('NORMAL')
    await db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['c', 0])
    let finish!: () => void
    const body = new Promise<void>((resolve) => { finish = resolve })
    const tx = db.withTransaction(async (t) => {
      await t.run('UPDATE kv SET n = ? WHERE k = ?;', [1, 'c'])
      await body
    })
    await new Promise((r) => setImmediate(r)) // the transaction has the connection
    const queued = db.run('UPDATE kv SET n = ? WHERE k = ?;', [2, 'c'])
    expect(seen(path)).toEqual([{ k: 'c', n: 0 }])
    finish()
    await tx
    const after = db.run('UPDATE kv SET n = ? WHERE k = ?;', [3, 'c']) // behind `queued`, not before it
    await Promise.all([queued, after])
    expect(seen(path)).toEqual([{ k: 'c', n: 3 }])
    // every write in call order, from many callers in one turn
    await Promise.all(Array.from({ length: 40 }, (_, i) => db.run('UPDATE kv SET n = ? WHERE k = ?;', [10 + i, 'c'])))
    expect(seen(path)).toEqual([{ k: 'c', n: 49 }])
  })

  it("a put's transaction rows on a NORMAL store are committed when add() returns; on a FULL one, gathered", async () => {
    const normal = await database('NORMAL')
    const rows = new TransactionBatcher(await TransactionStore.open(normal.db))
    const added = rows.add(writer(1), 'tid-1', CIDS)
    expect(seen(normal.path, 'SELECT tid, hash FROM transactions ORDER BY hash;')).toHaveLength(2)
    await added

    const full = await database('FULL')
    const gathered = new TransactionBatcher(await TransactionStore.open(full.db))
    const syncs = full.db.walSyncs
    const both = [gathered.add(writer(1), 'tid-2', [CIDS[0]]), gathered.add(writer(1), 'tid-2', [CIDS[1]])]
    expect(seen(full.path, 'SELECT hash FROM transactions;')).toEqual([])
    await Promise.all(both)
    expect(full.db.walSyncs - syncs).toBe(1)
    expect(seen(full.path, 'SELECT hash FROM transactions;')).toHaveLength(2)
  })
})
