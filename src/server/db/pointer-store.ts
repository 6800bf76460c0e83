// Mutable pointer storage (reference §3.3, §8.2; Peergos JdbcIpnsAndSocial): table metadatablobs
// (writingkey = base64(CBOR writer link), hash = base64(signed PointerUpdate)) with an atomic
// compare-and-set on the stored bytes. Signature, sequence and controller checks live above this.
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { Lru } from '../services/lru.ts'
import { publicKeyHashColumn, publicKeyHashFromColumn } from './columns.ts'
import { createTables, followRequestsDdl, mutablePointersDdl } from './schema.ts'
import { fromBase64, toBase64, type Database, type SqlExecutor } from './sql.ts'

export interface PointerCas {
  readonly writer: PublicKeyHash
  /** The signed bytes expected to be stored now; undefined = the writer must have no pointer yet. */
  readonly expected: Uint8Array | undefined
  readonly next: Uint8Array
}

export interface StoredPointer {
  readonly writer: PublicKeyHash
  readonly signed: Uint8Array
}

const GET = 'SELECT hash FROM metadatablobs WHERE writingkey = ? LIMIT 1;'
const CREATE = 'INSERT INTO metadatablobs (writingkey, hash) VALUES(?, ?) ON CONFLICT DO NOTHING;'
const UPDATE = 'UPDATE metadatablobs SET hash = ? WHERE writingkey = ? AND hash = ?;'
const DELETE = 'DELETE FROM metadatablobs WHERE writingkey = ?;'
const LIST = 'SELECT writingkey, hash FROM metadatablobs ORDER BY writingkey;'

/** One CAS as a single statement, which each dialect executes atomically (a row lock on Postgres). */
async function casOne(ex: SqlExecutor, key: string, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean> {
  const changed = expected === undefined
    ? await ex.run(CREATE, [key, toBase64(next)])
    : await ex.run(UPDATE, [toBase64(next), key, toBase64(expected)])
  return changed === 1
}

/** Thrown inside setMany's transaction to roll it back; never escapes. */
class CasMiss extends Error {}

/** Writers whose stored pointer is kept in memory for their next update. */
const CACHED_POINTERS = 10_000
/** A writer known to have no pointer. */
const NO_POINTER = new Uint8Array(0)

export class PointerStore {
  /**
   * The stored bytes by writer column, written through on every change made here, so that a pointer
   * update reads the pointer it replaces without a query (and without base64): see getForUpdate. Only
   * on SQLite; a shared Postgres is changed by other servers.
   */
  private readonly cache: Lru<string, Uint8Array> | undefined

  private constructor(private readonly db: Database) {
    this.cache = db.dialect === 'sqlite' ? new Lru(CACHED_POINTERS) : undefined
  }

  /** Opens the store on `mutable.sql` (or the shared Postgres), creating tables as Peergos does. */
  static async open(db: Database): Promise<PointerStore> {
    // Peergos creates both tables in mutable.sql and in social.sql; the extra one stays empty.
    await createTables(db, followRequestsDdl(db.dialect) + mutablePointersDdl())
    return new PointerStore(db)
  }

  private remember(key: string, signed: Uint8Array | undefined): void {
    this.cache?.set(key, signed ?? NO_POINTER)
  }

  /** The writer's current signed PointerUpdate bytes, or undefined (always read from the database). */
  async get(writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    const key = publicKeyHashColumn(writer)
    const rows = await this.db.query<{ hash: string }>(GET, [key])
    const signed = rows.length === 0 ? undefined : fromBase64(rows[0].hash, 'hash')
    // not remembered when a change to this writer started meanwhile (its result is remembered instead)
    if (!this.writing.has(key)) this.remember(key, signed?.slice())
    return signed
  }

  /**
   * The pointer an update is validated against: as last written or read by this process (no query),
   * else read. It can be stale only when another process changed the file (the CAS then misses, which
   * drops the entry); a caller whose check fails on it reads again with `get`.
   */
  async getForUpdate(writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    const hit = this.cache?.get(publicKeyHashColumn(writer))
    if (hit !== undefined) return hit === NO_POINTER ? undefined : hit.slice()
    return this.get(writer)
  }

  /** Writer columns with a change in flight: a read that overlaps one does not fill the cache. */
  private readonly writing = new Map<string, number>()

  private async changing<T>(keys: readonly string[], change: () => Promise<T>): Promise<T> {
    for (const k of keys) {
      this.writing.set(k, (this.writing.get(k) ?? 0) + 1)
      this.cache?.delete(k)
    }
    try {
      return await change()
    } finally {
      for (const k of keys) {
        const n = this.writing.get(k)! - 1
        if (n === 0) this.writing.delete(k)
        else this.writing.set(k, n)
      }
    }
  }

  /**
   * Replaces the stored bytes with `next` only if they equal `expected` (or, with `expected`
   * undefined, only if the writer has no pointer). One statement = one transaction: of several
   * concurrent calls with the same `expected`, exactly one returns true.
   */
  compareAndSet(writer: PublicKeyHash, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean> {
    const key = publicKeyHashColumn(writer)
    return this.changing([key], async () => {
      const ok = await casOne(this.db, key, expected, next)
      if (ok && this.writing.get(key) === 1) this.remember(key, next.slice())
      return ok
    })
  }

  /** Several writers' CAS in one transaction: all applied, or none (then false). */
  async setMany(updates: readonly PointerCas[]): Promise<boolean> {
    if (updates.length === 0) return true
    const keyed = updates.map((u) => ({ ...u, key: publicKeyHashColumn(u.writer) }))
    if (new Set(keyed.map((u) => u.key)).size !== keyed.length) return false // one writer twice can't both match
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) // fixed lock order: no deadlocks
    return this.changing(keyed.map((u) => u.key), async () => {
      try {
        await this.db.withTransaction(async (tx) => {
          for (const u of keyed) if (!(await casOne(tx, u.key, u.expected, u.next))) throw new CasMiss()
        })
      } catch (e) {
        if (e instanceof CasMiss) return false
        throw e
      }
      for (const u of keyed) if (this.writing.get(u.key) === 1) this.remember(u.key, u.next.slice())
      return true
    })
  }

  /** Removes a writer's pointer (Peergos removePointer: migration and tests). */
  async remove(writer: PublicKeyHash): Promise<void> {
    const key = publicKeyHashColumn(writer)
    await this.changing([key], () => this.db.run(DELETE, [key]))
  }

  /** Every stored pointer (GC roots, import and export). */
  async list(): Promise<StoredPointer[]> {
    const rows = await this.db.query<{ writingkey: string; hash: string }>(LIST)
    return rows.map((r) => ({ writer: publicKeyHashFromColumn(r.writingkey), signed: fromBase64(r.hash, 'hash') }))
  }
}
