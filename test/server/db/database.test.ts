// Conformance of the Database abstraction on every dialect: parameters and value round trips,
// transactions (commit, rollback, serialisation, handles after the end), errors and close.
import { beforeEach, describe, expect, it } from 'vitest'
import { DatabaseClosedError, UniqueViolationError } from '../../../src/server/db/errors.ts'
import { boolOf, bytesOf, fromBase64, numberOf, toBase64, toDollarPlaceholders, type Database } from '../../../src/server/db/sql.ts'
import { describeDialects } from './dialects.ts'

describe('sql helpers', () => {
  it('rewrites ? placeholders for Postgres', () => {
    expect(toDollarPlaceholders('SELECT a FROM t WHERE b = ? AND c IN (?, ?);')).toBe('SELECT a FROM t WHERE b = $1 AND c IN ($2, $3);')
    expect(toDollarPlaceholders('SELECT 1')).toBe('SELECT 1')
  })

  it('base64 is java.util.Base64 (standard alphabet, padded)', () => {
    const b = new Uint8Array([0xfb, 0xff, 0xfe, 0x01])
    expect(toBase64(b)).toBe('+//+AQ==')
    expect(fromBase64('+//+AQ==')).toEqual(b)
  })
})

describeDialects('Database', (d) => {
  let db: Database
  const blob = d.name === 'postgres' ? 'BYTEA' : 'blob'
  beforeEach(async () => {
    db = await d.open()
    await db.exec(`CREATE TABLE kv (k text primary key not null, n BIGINT, b ${blob}, f boolean); CREATE TABLE counter (id INTEGER primary key, n BIGINT not null);`)
    await db.run('INSERT INTO counter (id, n) VALUES(?, ?);', [1, 0])
  })

  it('round-trips text, integers, bytes and booleans', async () => {
    const bytes = new Uint8Array([0, 1, 2, 255])
    await db.run('INSERT INTO kv (k, n, b, f) VALUES(?, ?, ?, ?);', ['a', 2 ** 40 + 1, bytes, true])
    await db.run('INSERT INTO kv (k, n, b, f) VALUES(?, ?, ?, ?);', ['b', -5, null, false])
    const rows = await db.query('SELECT k, n, b, f FROM kv ORDER BY k;')
    expect(rows.map((r) => r.k)).toEqual(['a', 'b'])
    expect(numberOf(rows[0].n)).toBe(2 ** 40 + 1)
    expect(bytesOf(rows[0].b)).toEqual(bytes)
    expect(boolOf(rows[0].f)).toBe(true)
    expect(numberOf(rows[1].n)).toBe(-5)
    expect(rows[1].b).toBeNull()
    expect(boolOf(rows[1].f)).toBe(false)
    const [{ c }] = await db.query('SELECT COUNT(*) AS c FROM kv WHERE f = ?;', [true])
    expect(numberOf(c)).toBe(1)
  })

  it('run returns the number of changed rows', async () => {
    await db.run('INSERT INTO kv (k, n) VALUES(?, ?), (?, ?);', ['a', 1, 'b', 1])
    expect(await db.run('UPDATE kv SET n = n + 1 WHERE n = ?;', [1])).toBe(2)
    expect(await db.run('UPDATE kv SET n = 0 WHERE k = ?;', ['zz'])).toBe(0)
  })

  it('settles concurrent writes one by one: a failing statement rejects alone', async () => {
    await db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['dup', 0])
    const keys = ['a', 'b', 'dup', 'c', 'd']
    const results = await Promise.allSettled(keys.map((k, i) => db.run('INSERT INTO kv (k, n) VALUES(?, ?);', [k, i])))
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled'])
    expect((results[2] as PromiseRejectedResult).reason).toBeInstanceOf(UniqueViolationError)
    expect((await db.query('SELECT k FROM kv ORDER BY k;')).map((r) => r.k)).toEqual(['a', 'b', 'c', 'd', 'dup'])
    const [{ n }] = await db.query('SELECT n FROM kv WHERE k = ?;', ['dup'])
    expect(numberOf(n)).toBe(0)
  })

  it('applies concurrent writes in call order', async () => {
    await Promise.all(Array.from({ length: 50 }, (_, i) => db.run('UPDATE counter SET n = ? WHERE id = ?;', [i, 1])))
    const [{ n }] = await db.query('SELECT n FROM counter WHERE id = ?;', [1])
    if (d.name !== 'postgres') expect(numberOf(n)).toBe(49) // Postgres connections race; SQLite keeps call order
  })

  it('commits writes already accepted when closed', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => db.run('INSERT INTO kv (k, n) VALUES(?, ?);', [`k${i}`, i]))
    if (d.name === 'sqlite-file') {
      const location = d.lastLocation()
      await db.close()
      await Promise.all(writes)
      const again = await d.reopen(location)
      expect(await again.query('SELECT k FROM kv;')).toHaveLength(10)
      await again.close()
    } else {
      await Promise.all(writes)
    }
  })

  it('commits a transaction that resolves', async () => {
    const r = await db.withTransaction(async (tx) => {
      await tx.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['t', 1])
      return (await tx.query('SELECT n FROM kv WHERE k = ?;', ['t'])).length
    })
    expect(r).toBe(1)
    expect(await db.query('SELECT k FROM kv;')).toHaveLength(1)
  })

  it('rolls back a transaction that throws, passing the error through unchanged', async () => {
    class Boom extends Error {}
    await expect(db.withTransaction(async (tx) => {
      await tx.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['t', 1])
      throw new Boom('no')
    })).rejects.toBeInstanceOf(Boom)
    expect(await db.query('SELECT k FROM kv;')).toHaveLength(0)
  })

  it('rolls back when a statement fails, with a named error', async () => {
    await db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['dup', 1])
    const err = await db.withTransaction(async (tx) => {
      await tx.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['new', 1])
      await tx.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['dup', 2])
    }).catch((e: unknown) => e)
    expect((err as Error).name).toBe('UniqueViolationError')
    expect(err).toBeInstanceOf(UniqueViolationError)
    expect((await db.query('SELECT k FROM kv ORDER BY k;')).map((r) => r.k)).toEqual(['dup'])
  })

  it('serialises read-modify-write transactions (no lost updates)', async () => {
    const bump = (): Promise<void> => db.withTransaction(async (tx) => {
      await tx.lock('counter')
      const [{ n }] = await tx.query('SELECT n FROM counter WHERE id = ?;', [1])
      await new Promise((r) => setTimeout(r, 1)) // yield mid-transaction
      await tx.run('UPDATE counter SET n = ? WHERE id = ?;', [numberOf(n) + 1, 1])
    })
    await Promise.all(Array.from({ length: 20 }, bump))
    const [{ n }] = await db.query('SELECT n FROM counter WHERE id = ?;', [1])
    expect(numberOf(n)).toBe(20)
  })

  it('keeps statements outside a transaction out of it', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => { release = r })
    const tx = db.withTransaction(async (t) => {
      await t.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['in-tx', 1])
      await gate
      throw new Error('rollback')
    }).catch(() => 'rolled back')
    const outside = db.run('INSERT INTO kv (k, n) VALUES(?, ?);', ['outside', 1])
    await new Promise((r) => setTimeout(r, 20))
    release()
    expect(await tx).toBe('rolled back')
    await outside
    expect((await db.query('SELECT k FROM kv;')).map((r) => r.k)).toEqual(['outside'])
  })

  it('refuses a transaction handle used after the transaction', async () => {
    let leaked: { run: (s: string) => Promise<number> } | undefined
    await db.withTransaction(async (tx) => { leaked = tx })
    await expect(leaked!.run('SELECT 1')).rejects.toBeInstanceOf(DatabaseClosedError)
  })

  it('refuses use after close', async () => {
    await db.close()
    await expect(db.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseClosedError)
    await expect(db.withTransaction(async () => 1)).rejects.toBeInstanceOf(DatabaseClosedError)
    await db.close() // idempotent
  })
})
