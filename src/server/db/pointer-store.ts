// Mutable pointer storage (reference §3.3, §8.2; Peergos JdbcIpnsAndSocial): table metadatablobs
// (writingkey = base64(CBOR writer link), hash = base64(signed PointerUpdate)) with an atomic
// compare-and-set on the stored bytes. Signature, sequence and controller checks live above this.
import type { PublicKeyHash } from '../../model/signing-keys.ts'
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

export class PointerStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `mutable.sql` (or the shared Postgres), creating tables as Peergos does. */
  static async open(db: Database): Promise<PointerStore> {
    // Peergos creates both tables in mutable.sql and in social.sql; the extra one stays empty.
    await createTables(db, followRequestsDdl(db.dialect) + mutablePointersDdl())
    return new PointerStore(db)
  }

  /** The writer's current signed PointerUpdate bytes, or undefined. */
  async get(writer: PublicKeyHash): Promise<Uint8Array | undefined> {
    const rows = await this.db.query<{ hash: string }>(GET, [publicKeyHashColumn(writer)])
    return rows.length === 0 ? undefined : fromBase64(rows[0].hash, 'hash')
  }

  /**
   * Replaces the stored bytes with `next` only if they equal `expected` (or, with `expected`
   * undefined, only if the writer has no pointer). One statement = one transaction: of several
   * concurrent calls with the same `expected`, exactly one returns true.
   */
  compareAndSet(writer: PublicKeyHash, expected: Uint8Array | undefined, next: Uint8Array): Promise<boolean> {
    return casOne(this.db, publicKeyHashColumn(writer), expected, next)
  }

  /** Several writers' CAS in one transaction: all applied, or none (then false). */
  async setMany(updates: readonly PointerCas[]): Promise<boolean> {
    if (updates.length === 0) return true
    const keyed = updates.map((u) => ({ ...u, key: publicKeyHashColumn(u.writer) }))
    if (new Set(keyed.map((u) => u.key)).size !== keyed.length) return false // one writer twice can't both match
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) // fixed lock order: no deadlocks
    try {
      return await this.db.withTransaction(async (tx) => {
        for (const u of keyed) if (!(await casOne(tx, u.key, u.expected, u.next))) throw new CasMiss()
        return true
      })
    } catch (e) {
      if (e instanceof CasMiss) return false
      throw e
    }
  }

  /** Removes a writer's pointer (Peergos removePointer: migration and tests). */
  async remove(writer: PublicKeyHash): Promise<void> {
    await this.db.run(DELETE, [publicKeyHashColumn(writer)])
  }

  /** Every stored pointer (GC roots, import and export). */
  async list(): Promise<StoredPointer[]> {
    const rows = await this.db.query<{ writingkey: string; hash: string }>(LIST)
    return rows.map((r) => ({ writer: publicKeyHashFromColumn(r.writingkey), signed: fromBase64(r.hash, 'hash') }))
  }
}
