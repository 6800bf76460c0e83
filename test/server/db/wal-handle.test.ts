// A FULL SQLite database in WAL mode syncs its WAL through one handle kept for the connection's life
// (sqlite.ts walSync): the handle must stay on the WAL SQLite writes, through checkpoints that reset or
// truncate it, and be closed with the connection. Checked on the process's open descriptors.
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { SqliteDatabase } from '../../../src/server/db/sqlite.ts'

const dir = mkdtempSync(join(tmpdir(), 'peergos-ts-wal-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What this process's descriptors point at, as /proc shows them ("… (deleted)" for a removed file). */
function openFiles(): string[] {
  const out: string[] = []
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      out.push(readlinkSync(join('/proc/self/fd', fd)))
    } catch {
      // closed meanwhile
    }
  }
  return out
}

describe.runIf(process.platform === 'linux')('the WAL handle of a FULL SQLite database', () => {
  it('stays on the live WAL through checkpoints and is closed with the database', async () => {
    const path = join(dir, 'full.sql')
    const wal = `${path}-wal`
    const db = new SqliteDatabase({ path, synchronous: 'FULL' })
    await db.exec('CREATE TABLE t (v INTEGER);')
    const before = db.walSyncs
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 5; i++) await db.run('INSERT INTO t (v) VALUES (?);', [i])
      // a checkpoint that resets the WAL, then one that truncates it: the file stays, so does the handle
      await db.query(`PRAGMA wal_checkpoint(${round === 1 ? 'TRUNCATE' : 'RESTART'});`)
    }
    await db.run('INSERT INTO t (v) VALUES (?);', [99])
    expect(db.walSyncs - before).toBe(16)
    const walHandles = openFiles().filter((f) => f.startsWith(wal))
    expect(walHandles.length).toBeGreaterThan(0)
    expect(walHandles.filter((f) => f.endsWith('(deleted)'))).toEqual([])
    expect(statSync(wal).size).toBeGreaterThan(0)
    await db.close()
    expect(openFiles().filter((f) => f.startsWith(wal))).toEqual([])
    const again = new SqliteDatabase({ path, synchronous: 'FULL' })
    expect(await again.query<{ n: number }>('SELECT COUNT(*) AS n FROM t;')).toEqual([{ n: 16 }])
    await again.close()
  })
})
