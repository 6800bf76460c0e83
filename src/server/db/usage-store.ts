// Space-usage tables (reference §7.5, §8.2; Peergos JdbcUsageStore): users, userusage, writers
// (key_hash = CID bytes of the writer PublicKeyHash), pendingusage, writerusage (target = CID bytes
// of the writer's current root) and ownedkeys. Only storage here; the usage computation is above.
import { cidFromBytes, type CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { createTables, usageDdl } from './schema.ts'
import { boolOf, bytesOf, maybeBytesOf, numberOf, stringOf, type Database, type SqlExecutor } from './sql.ts'

export interface UserUsage {
  readonly totalBytes: number
  readonly errored: boolean
  /** Writers with pending (not yet confirmed) bytes > 0. */
  readonly pending: ReadonlyArray<{ readonly writer: PublicKeyHash; readonly bytes: number }>
}

export interface WriterUsage {
  readonly owner: string
  readonly target: CID | undefined
  readonly directSize: number
  readonly owned: PublicKeyHash[]
}

export interface WriterUsageUpdate {
  readonly writer: PublicKeyHash
  /** The target the stored row must still have (undefined = none) for the update to apply. */
  readonly oldTarget: CID | undefined
  readonly newTarget: CID | undefined
  readonly removedOwned: readonly PublicKeyHash[]
  readonly addedOwned: readonly PublicKeyHash[]
  readonly directSize: number
  /** Added to the owner's total. */
  readonly delta: number
  readonly errored: boolean
  /** The writer's pending bytes after the update (default 0: the update confirms them). */
  readonly pendingBytes?: number
}

const USER_ID = 'SELECT id FROM users WHERE name = ?;'
const WRITER_ID = 'SELECT id FROM writers WHERE key_hash = ?;'
const INSERT_WRITER = 'INSERT INTO writers (key_hash) VALUES(?) ON CONFLICT DO NOTHING;'

async function idOf(ex: SqlExecutor, sql: string, key: string | Uint8Array): Promise<number | undefined> {
  const rows = await ex.query<{ id: unknown }>(sql, [key])
  return rows.length === 0 ? undefined : numberOf(rows[0].id)
}

async function ensureWriter(ex: SqlExecutor, writer: PublicKeyHash): Promise<number> {
  await ex.run(INSERT_WRITER, [writer.bytes])
  return (await idOf(ex, WRITER_ID, writer.bytes))!
}

async function applyWriterUsage(tx: SqlExecutor, u: WriterUsageUpdate): Promise<boolean> {
  const writerId = await idOf(tx, WRITER_ID, u.writer.bytes)
  if (writerId === undefined) return false
  const cas = await tx.run('UPDATE writerusage SET direct_size = ?, target = ? WHERE writer_id = ? AND target IS NOT DISTINCT FROM ?;',
    [u.directSize, u.newTarget?.bytes ?? null, writerId, u.oldTarget?.bytes ?? null])
  if (cas === 0) return false
  const [{ user_id: userId }] = await tx.query('SELECT user_id FROM writerusage WHERE writer_id = ?;', [writerId])
  await tx.run('UPDATE userusage SET total_bytes = total_bytes + ?, errored = ? WHERE user_id = ?;', [u.delta, u.errored, numberOf(userId)])
  await tx.run('UPDATE pendingusage SET pending_bytes = ? WHERE writer_id = ? AND user_id = ?;', [u.pendingBytes ?? 0, writerId, numberOf(userId)])
  for (const removed of u.removedOwned) {
    const id = await idOf(tx, WRITER_ID, removed.bytes)
    if (id !== undefined) await tx.run('DELETE FROM ownedkeys WHERE owned_id = ?;', [id])
  }
  for (const added of u.addedOwned) {
    await tx.run('INSERT INTO ownedkeys (parent_id, owned_id) VALUES(?, ?) ON CONFLICT DO NOTHING;', [writerId, await ensureWriter(tx, added)])
  }
  return true
}

const writerOf = (v: unknown): PublicKeyHash => cidFromBytes(bytesOf(v, 'key_hash'))

export class UsageStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `space-usage.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<UsageStore> {
    await createTables(db, usageDdl(db.dialect))
    return new UsageStore(db)
  }

  async addUserIfAbsent(username: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      await tx.run('INSERT INTO users (name) VALUES(?) ON CONFLICT DO NOTHING;', [username])
      const id = (await idOf(tx, USER_ID, username))!
      await tx.run('INSERT INTO userusage (user_id, total_bytes, errored) VALUES(?, ?, ?) ON CONFLICT DO NOTHING;', [id, 0, false])
    })
  }

  /** Registers a writer key under an owner (who must have been added); idempotent. */
  async addWriter(owner: string, writer: PublicKeyHash): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      const userId = await idOf(tx, USER_ID, owner)
      if (userId === undefined) throw new RangeError(`Unknown user ${owner}`)
      const writerId = await ensureWriter(tx, writer)
      await tx.run('INSERT INTO pendingusage (user_id, writer_id, pending_bytes) VALUES(?, ?, ?) ON CONFLICT DO NOTHING;', [userId, writerId, 0])
      await tx.run('INSERT INTO writerusage (writer_id, user_id, direct_size) VALUES(?, ?, ?) ON CONFLICT DO NOTHING;', [writerId, userId, 0])
    })
  }

  async getUserUsage(username: string): Promise<UserUsage> {
    const total = await this.db.query('SELECT uu.total_bytes, uu.errored FROM userusage uu INNER JOIN users u ON uu.user_id = u.id WHERE u.name = ?;', [username])
    if (total.length === 0) return { totalBytes: 0, errored: false, pending: [] }
    const pending = await this.db.query('SELECT w.key_hash, pu.pending_bytes FROM pendingusage pu INNER JOIN writers w ON pu.writer_id = w.id ' +
      'INNER JOIN users u ON pu.user_id = u.id WHERE u.name = ? AND pu.pending_bytes > 0 ORDER BY w.id;', [username])
    return {
      totalBytes: numberOf(total[0].total_bytes),
      errored: boolOf(total[0].errored),
      pending: pending.map((r) => ({ writer: writerOf(r.key_hash), bytes: numberOf(r.pending_bytes) })),
    }
  }

  /** Adds bytes written but not yet confirmed by a pointer update; false for an unknown writer. */
  async addPendingUsage(writer: PublicKeyHash, bytes: number): Promise<boolean> {
    return (await this.db.run('UPDATE pendingusage SET pending_bytes = pending_bytes + ? WHERE writer_id = (SELECT id FROM writers WHERE key_hash = ?);', [bytes, writer.bytes])) === 1
  }

  async resetPendingUsage(writer: PublicKeyHash): Promise<boolean> {
    return (await this.db.run('UPDATE pendingusage SET pending_bytes = 0 WHERE writer_id = (SELECT id FROM writers WHERE key_hash = ?);', [writer.bytes])) === 1
  }

  /** Adds `delta` to the owner's total, sets `errored` and clears the writer's pending bytes, atomically. */
  async confirmUsage(username: string, writer: PublicKeyHash, delta: number, errored: boolean): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      const n = await tx.run('UPDATE userusage SET total_bytes = total_bytes + ?, errored = ? WHERE user_id = (SELECT id FROM users WHERE name = ?);', [delta, errored, username])
      if (n !== 1) return false
      await tx.run('UPDATE pendingusage SET pending_bytes = 0 WHERE writer_id = (SELECT id FROM writers WHERE key_hash = ?);', [writer.bytes])
      return true
    })
  }

  async getOwner(writer: PublicKeyHash): Promise<string | undefined> {
    const rows = await this.db.query('SELECT u.name FROM users u, writerusage wu, writers w WHERE u.id = wu.user_id AND wu.writer_id = w.id AND w.key_hash = ?;', [writer.bytes])
    return rows.length === 0 ? undefined : stringOf(rows[0].name)
  }

  async getWriterUsage(writer: PublicKeyHash): Promise<WriterUsage | undefined> {
    const rows = await this.db.query('SELECT u.name, wu.target, wu.direct_size, w.id FROM writerusage wu INNER JOIN writers w ON wu.writer_id = w.id ' +
      'INNER JOIN users u ON wu.user_id = u.id WHERE w.key_hash = ?;', [writer.bytes])
    if (rows.length === 0) return undefined
    const owned = await this.db.query('SELECT w.key_hash FROM ownedkeys o INNER JOIN writers w ON o.owned_id = w.id WHERE o.parent_id = ? ORDER BY w.id;', [numberOf(rows[0].id)])
    const target = maybeBytesOf(rows[0].target, 'target')
    return {
      owner: stringOf(rows[0].name),
      target: target === undefined ? undefined : cidFromBytes(target),
      directSize: numberOf(rows[0].direct_size),
      owned: owned.map((r) => writerOf(r.key_hash)),
    }
  }

  /**
   * Records a processed pointer change: CAS on the writer's stored target, then the owner's total,
   * pending reset and owned-key changes, all in one transaction. False (nothing changed) if the
   * stored target is no longer `oldTarget`.
   */
  async updateWriterUsage(u: WriterUsageUpdate): Promise<boolean> {
    return this.db.withTransaction((tx) => applyWriterUsage(tx, u))
  }

  /** Several updateWriterUsage in one transaction (one commit); each CAS succeeds or fails on its own. */
  async updateWriterUsages(updates: readonly WriterUsageUpdate[]): Promise<boolean[]> {
    if (updates.length === 0) return []
    return this.db.withTransaction(async (tx) => {
      const applied: boolean[] = []
      for (const u of updates) applied.push(await applyWriterUsage(tx, u))
      return applied
    })
  }

  /** Every known writer key. */
  async getAllWriters(): Promise<PublicKeyHash[]> {
    return (await this.db.query('SELECT key_hash FROM writers ORDER BY id;')).map((r) => writerOf(r.key_hash))
  }

  /** The writer keys registered under a user (writerusage). */
  async getWriters(username: string): Promise<PublicKeyHash[]> {
    const rows = await this.db.query('SELECT w.key_hash FROM writers w INNER JOIN writerusage wu ON w.id = wu.writer_id ' +
      'INNER JOIN users u ON wu.user_id = u.id WHERE u.name = ? ORDER BY w.id;', [username])
    return rows.map((r) => writerOf(r.key_hash))
  }

  async getAllUsage(): Promise<Map<string, number>> {
    const rows = await this.db.query('SELECT u.name, uu.total_bytes FROM users u, userusage uu WHERE u.id = uu.user_id ORDER BY u.name;')
    return new Map(rows.map((r) => [stringOf(r.name), numberOf(r.total_bytes)]))
  }

  /** Removes a user with their usage, their writers' usage rows and their owned-key links (Peergos removeUser). */
  async removeUser(username: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      const uid = await idOf(tx, USER_ID, username)
      if (uid === undefined) return
      const owned = await tx.query('SELECT DISTINCT o.owned_id FROM ownedkeys o INNER JOIN writerusage wu ON o.parent_id = wu.writer_id WHERE wu.user_id = ?;', [uid])
      const ownedIds = owned.map((r) => numberOf(r.owned_id))
      await tx.run('DELETE FROM userusage WHERE user_id = ?;', [uid])
      await tx.run('DELETE FROM pendingusage WHERE user_id = ?;', [uid])
      for (const id of ownedIds) await tx.run('DELETE FROM ownedkeys WHERE owned_id = ?;', [id])
      await tx.run('DELETE FROM writerusage WHERE user_id = ?;', [uid])
      for (const id of ownedIds) {
        await tx.run('DELETE FROM pendingusage WHERE writer_id = ?;', [id])
        await tx.run('DELETE FROM writerusage WHERE writer_id = ?;', [id])
        await tx.run('DELETE FROM writers WHERE id = ?;', [id])
      }
      await tx.run('DELETE FROM users WHERE id = ?;', [uid])
    })
  }
}
