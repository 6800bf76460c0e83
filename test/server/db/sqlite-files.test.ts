// SQLite on disk: Peergos' file names and table layouts in a data directory, reopen after close,
// acknowledged pointer updates surviving kill -9 (FULL and NORMAL), which stores skip the fsync and
// how they are synced, and CAS across processes.
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { openDatabases, openStores, PEERGOS_SQL_FILES, RECOVERABLE_STORES, type DbFile } from '../../../src/server/db/config.ts'
import { PointerStore } from '../../../src/server/db/pointer-store.ts'
import { SqliteDatabase } from '../../../src/server/db/sqlite.ts'
import { signed, text, writer } from './helpers.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const CHILD = join(HERE, 'fixtures', 'pointer-writer.ts')
const ROOT = resolve(HERE, '..', '..', '..')
const dir = mkdtempSync(join(tmpdir(), 'peergos-ts-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** Table → column names of each Peergos SQLite file (peergos-vectors README, "SQLite files in PEERGOS_PATH"). */
const LAYOUT: Record<DbFile, Record<string, string[]>> = {
  pointers: { metadatablobs: ['writingkey', 'hash'], followrequests: ['id', 'name', 'followrequest'] },
  social: { followrequests: ['id', 'name', 'followrequest'], metadatablobs: ['writingkey', 'hash'] },
  account: {
    login: ['username', 'entry', 'reader'],
    pendinglogin: ['username', 'entry', 'reader', 'writer', 'target', 'created'],
    mfa: ['username', 'name', 'credid', 'type', 'enabled', 'created', 'value'],
    mfa_challenge: ['username', 'challenge'],
  },
  bats: { bats: ['username', 'id', 'bat'] },
  linkCounts: { linkcounts: ['username', 'label', 'count', 'modified'] },
  transactions: { transactions: ['tid', 'owner', 'hash', 'time'] },
  quotas: { freequotas: ['name', 'quota'], signuptokens: ['token'] },
  usage: {
    users: ['id', 'name'], userusage: ['user_id', 'total_bytes', 'errored'], writers: ['id', 'key_hash'],
    pendingusage: ['user_id', 'writer_id', 'pending_bytes'], writerusage: ['writer_id', 'user_id', 'target', 'direct_size'],
    ownedkeys: ['parent_id', 'owned_id'],
  },
  spaceRequests: { spacerequests: ['name', 'spacerequest'] },
  serverIds: { serverids: ['id', 'peerid', 'private', 'record'] },
}

function child(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
}

describe('SQLite files in a Peergos data directory', () => {
  it('creates each store in its Peergos file with Peergos tables and columns', async () => {
    const data = join(dir, 'peergos')
    mkdirSync(data)
    const stores = await openStores({ kind: 'sqlite', dir: data })
    await stores.close()
    for (const [file, tables] of Object.entries(LAYOUT) as Array<[DbFile, Record<string, string[]>]>) {
      const path = join(data, PEERGOS_SQL_FILES[file])
      expect(existsSync(path), path).toBe(true)
      const db = new SqliteDatabase({ path })
      try {
        const names = (await db.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name;")).map((r) => r.name)
        expect(names, file).toEqual(Object.keys(tables).sort())
        for (const [table, columns] of Object.entries(tables)) {
          const cols = (await db.query<{ name: string }>('SELECT name FROM pragma_table_info(?);', [table])).map((r) => r.name)
          expect(cols, `${file}.${table}`).toEqual(columns)
        }
      } finally {
        await db.close()
      }
    }
  })

  it('keeps committed pointers across close and reopen', async () => {
    const path = join(dir, 'reopen.sql')
    const first = new SqliteDatabase({ path })
    const a = await PointerStore.open(first)
    const vals = [signed('1'), signed('2')]
    await a.compareAndSet(writer(1), undefined, vals[0])
    await a.compareAndSet(writer(1), vals[0], vals[1])
    await a.setMany([{ writer: writer(2), expected: undefined, next: vals[0] }])
    await first.close()
    const db = new SqliteDatabase({ path })
    const b = await PointerStore.open(db)
    expect(text(await b.get(writer(1)))).toBe(text(vals[1]))
    expect(text(await b.get(writer(2)))).toBe(text(vals[0]))
    await db.close()
  })

  it('commits the recoverable stores (usage, transactions) without fsync and every other store with it', async () => {
    const sub = join(dir, 'durability')
    mkdirSync(sub)
    const dbs = await openDatabases({ kind: 'sqlite', dir: sub })
    try {
      for (const f of Object.keys(PEERGOS_SQL_FILES) as DbFile[]) {
        const db = dbs[f] as SqliteDatabase
        // SQLite itself runs NORMAL everywhere (WAL); a FULL store's WAL is synced by SqliteDatabase after each commit
        const [{ synchronous }] = await db.query<{ synchronous: number }>('PRAGMA synchronous;')
        expect([f, synchronous, db.syncsEveryCommit]).toEqual([f, 1, !RECOVERABLE_STORES.has(f)])
        const synced = db.walSyncs
        await db.exec('CREATE TABLE IF NOT EXISTS durability_probe (v INTEGER);')
        await db.run('INSERT INTO durability_probe (v) VALUES (?);', [1])
        await db.withTransaction(async (tx) => void (await tx.run('INSERT INTO durability_probe (v) VALUES (?);', [2])))
        expect([f, db.walSyncs - synced]).toEqual([f, RECOVERABLE_STORES.has(f) ? 0 : 3]) // one sync per acknowledged commit
      }
    } finally {
      await Promise.all(Object.values(dbs).map((d) => d.close()))
    }
  })

  it('syncs a NORMAL database with a passive checkpoint: every commit so far reaches the database file', async () => {
    const path = join(dir, 'normal-sync.sql')
    const db = new SqliteDatabase({ path, synchronous: 'NORMAL', syncEveryMs: 0 })
    await db.exec('CREATE TABLE t (v INTEGER);')
    for (let i = 0; i < 20; i++) await db.run('INSERT INTO t (v) VALUES (?);', [i])
    // the commits sit in the WAL: the database file has not received their pages yet
    const before = statSync(path).size
    await db.syncNow()
    expect(statSync(path).size).toBeGreaterThan(before)
    const [after] = await db.query<{ log: number; checkpointed: number }>('PRAGMA wal_checkpoint(PASSIVE);')
    expect(after.log).toBe(after.checkpointed)
    expect(await db.query('SELECT COUNT(*) AS n FROM t;')).toEqual([{ n: 20 }])
    await db.close()
  })

  it('can keep Peergos\' rollback journal (journalMode DELETE)', async () => {
    const path = join(dir, 'delete-journal.sql')
    const db = new SqliteDatabase({ path, journalMode: 'DELETE' })
    const [{ journal_mode: mode }] = await db.query<{ journal_mode: string }>('PRAGMA journal_mode;')
    expect(mode).toBe('delete')
    await db.close()
  })

  for (const sync of ['FULL', 'NORMAL'] as const) {
    it(`loses no acknowledged pointer update on kill -9 (synchronous=${sync})`, async () => {
      const path = join(dir, `kill-${sync}.sql`)
      const p = child(['seq', path, sync])
      let acked = 0
      await new Promise<void>((done, fail) => {
        let buf = ''
        p.stdout!.on('data', (chunk: Buffer) => {
          buf += chunk.toString()
          const lines = buf.split('\n')
          buf = lines.pop()!
          for (const l of lines) if (l.startsWith('ack ')) acked = Number(l.slice(4))
          if (acked >= 300 && p.exitCode === null && !p.killed) {
            p.kill('SIGKILL')
            done()
          }
        })
        p.on('exit', (code) => (acked < 300 ? fail(new Error(`child exited early (${code})`)) : undefined))
      })
      await new Promise((r) => p.once('exit', r))
      const db = new SqliteDatabase({ path, synchronous: sync })
      const store = await PointerStore.open(db)
      const stored = new TextDecoder().decode(await store.get(writer(0)))
      expect(Number(stored.replace('seq ', ''))).toBeGreaterThanOrEqual(acked)
      expect(await db.query('PRAGMA integrity_check;')).toEqual([{ integrity_check: 'ok' }])
      await db.close()
    })
  }

  it('keeps one CAS chain when several processes race on one file', async () => {
    const path = join(dir, 'race.sql')
    const init = new SqliteDatabase({ path })
    await PointerStore.open(init)
    await init.close()
    const procs = [0, 1, 2].map((id) => child(['race', path, `p${id}`, '60']))
    const runs = procs.map((p) => {
      let out = ''
      let ready!: () => void
      const isReady = new Promise<void>((r) => { ready = r })
      p.stdout!.on('data', (c: Buffer) => {
        out += c.toString()
        if (out.startsWith('ready\n')) ready()
      })
      return { isReady, done: new Promise<string>((r) => p.on('exit', () => r(out))) }
    })
    await Promise.all(runs.map((r) => r.isReady)) // then start them together
    for (const p of procs) p.stdin!.end('go\n')
    const outputs = runs.map((r) => r.done)
    const wins = (await Promise.all(outputs)).flatMap((o) => JSON.parse(o.trim().split('\n').pop()!) as Array<[string | null, string]>)
    const next = new Map<string | null, string>()
    for (const [from, to] of wins) {
      expect(next.has(from), `two winners from ${from}`).toBe(false)
      next.set(from, to)
    }
    let at: string | null = null
    for (let i = 0; i < wins.length; i++) at = next.get(at)!
    const db = new SqliteDatabase({ path })
    expect(new TextDecoder().decode((await (await PointerStore.open(db)).get(writer(0)))!)).toBe(at)
    await db.close()
    expect(wins.length).toBeGreaterThan(0)
    expect(new Set(wins.map((w) => w[1].split(':')[0])).size).toBe(3) // every process got turns
  })
})
