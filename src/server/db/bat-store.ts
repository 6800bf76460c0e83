// Mirror BAT storage (reference §7.6, §8.2; Peergos JdbcBatCave): table bats(username, id =
// base64(CBOR byte string of the BatId CID), bat = base64(CBOR {s: secret})). Stored BATs are
// hashed ids only; the BatCave service authorises reads and writes above this.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { batFromCbor, batToCbor, type Bat } from '../../model/bat.ts'
import { batIdFromCbor, batIdToCbor, isInlineBatId, type BatId } from '../../model/bat-id.ts'
import { InvalidBatError } from '../../model/bat.ts'
import { batsDdl, createTables } from './schema.ts'
import { fromBase64, stringOf, toBase64, type Database } from './sql.ts'

export interface StoredBat {
  readonly username: string
  readonly id: BatId
  readonly bat: Bat
}

const CREATE = 'INSERT INTO bats (username, id, bat) VALUES(?, ?, ?) ON CONFLICT DO NOTHING;'
const GET = 'SELECT username, bat FROM bats WHERE id = ? LIMIT 1;'
const LIST = 'SELECT id, bat FROM bats WHERE username = ? ORDER BY id;'
const REMOVE = 'DELETE FROM bats WHERE id = ? AND username = ?;'

export function batIdColumn(id: BatId): string {
  return toBase64(encodeCbor(batIdToCbor(id)))
}

export function batColumn(bat: Bat): string {
  return toBase64(encodeCbor(batToCbor(bat)))
}

function decodeBat(v: unknown): Bat {
  return batFromCbor(decodeCbor(fromBase64(v, 'bat')))
}

export class BatStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `bats.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<BatStore> {
    await createTables(db, batsDdl())
    return new BatStore(db)
  }

  /** Stores a BAT under its (hashed) id; false if that id is already stored (Peergos' insert fails). */
  async add(username: string, id: BatId, bat: Bat): Promise<boolean> {
    if (isInlineBatId(id)) throw new InvalidBatError('Stored BATs cannot be inline.')
    return (await this.db.run(CREATE, [username, batIdColumn(id), batColumn(bat)])) === 1
  }

  /** Removes a user's BAT (the undo of a failed signup's mirror BAT); true when one was removed. */
  async remove(username: string, id: BatId): Promise<boolean> {
    return (await this.db.run(REMOVE, [batIdColumn(id), username])) === 1
  }

  async get(id: BatId): Promise<Bat | undefined> {
    const rows = await this.db.query<{ bat: string }>(GET, [batIdColumn(id)])
    return rows.length === 0 ? undefined : decodeBat(rows[0].bat)
  }

  /** The user who stored a BAT (JdbcBatCave.getOwner), or undefined. */
  async getOwner(id: BatId): Promise<string | undefined> {
    const rows = await this.db.query<{ username: string }>(GET, [batIdColumn(id)])
    return rows.length === 0 ? undefined : stringOf(rows[0].username)
  }

  /** A user's BATs, ordered by id column. */
  async list(username: string): Promise<StoredBat[]> {
    const rows = await this.db.query<{ id: string; bat: string }>(LIST, [username])
    return rows.map((r) => ({ username, id: batIdFromCbor(decodeCbor(fromBase64(r.id, 'id'))), bat: decodeBat(r.bat) }))
  }
}
