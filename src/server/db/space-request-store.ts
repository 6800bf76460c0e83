// Pending quota requests (reference §7.5; Peergos JdbcSpaceRequests): table spacerequests(name,
// spacerequest = base64 of the signed request bytes). Approval logic lives above this.
import { createTables, spaceRequestsDdl } from './schema.ts'
import { fromBase64, stringOf, toBase64, type Database } from './sql.ts'

export interface SpaceRequestRow {
  readonly name: string
  readonly request: Uint8Array
}

const INSERT = 'INSERT INTO spacerequests (name, spacerequest) VALUES(?, ?) ON CONFLICT DO NOTHING;'
const SELECT = 'SELECT name, spacerequest FROM spacerequests ORDER BY name;'
const DELETE = 'DELETE FROM spacerequests WHERE name = ? AND spacerequest = ?;'

export class SpaceRequestStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `space-requests.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<SpaceRequestStore> {
    await createTables(db, spaceRequestsDdl())
    return new SpaceRequestStore(db)
  }

  /** Adds a user's request; false if they already have one pending (name is the primary key). */
  async add(name: string, request: Uint8Array): Promise<boolean> {
    return (await this.db.run(INSERT, [name, toBase64(request)])) === 1
  }

  async list(): Promise<SpaceRequestRow[]> {
    return (await this.db.query(SELECT)).map((r) => ({ name: stringOf(r.name), request: fromBase64(r.spacerequest, 'spacerequest') }))
  }

  async remove(name: string, request: Uint8Array): Promise<boolean> {
    return (await this.db.run(DELETE, [name, toBase64(request)])) > 0
  }
}
