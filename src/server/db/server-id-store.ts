// Server identity history (reference §8.3 MultiIdStorage; Peergos JdbcServerIdentityStore): table
// serverids(id, peerid = libp2p peer id bytes, private = libp2p private key bytes, record = signed
// IPNS record bytes). IPNS record validation (sequence, signature) is the caller's job.
import { createTables, serverIdsDdl } from './schema.ts'
import { bytesOf, maybeBytesOf, type Database } from './sql.ts'

const INSERT = 'INSERT INTO serverids (peerid, record) VALUES(?, ?);'
const EXISTS = 'SELECT id FROM serverids WHERE peerid = ?;'
const LIST = 'SELECT peerid FROM serverids ORDER BY id;'
const GET = 'SELECT private, record FROM serverids WHERE peerid = ?;'
const SET_PRIVATE = 'UPDATE serverids SET private = ? WHERE peerid = ?;'
const SET_RECORD = 'UPDATE serverids SET record = ? WHERE peerid = ?;'
const CAS_RECORD = 'UPDATE serverids SET record = ? WHERE peerid = ? AND record = ?;'

export class ServerIdStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `serverids.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<ServerIdStore> {
    await createTables(db, serverIdsDdl(db.dialect))
    return new ServerIdStore(db)
  }

  /** Adds an identity with its first IPNS record; false if that peer id is already known. */
  async addIdentity(peerId: Uint8Array, record: Uint8Array): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      await tx.lock('serverids')
      if ((await tx.query(EXISTS, [peerId])).length > 0) return false
      return (await tx.run(INSERT, [peerId, record])) === 1
    })
  }

  /** Every identity this server has had, oldest first. */
  async getIdentities(): Promise<Uint8Array[]> {
    return (await this.db.query(LIST)).map((r) => bytesOf(r.peerid, 'peerid'))
  }

  async setPrivateKey(peerId: Uint8Array, privateKey: Uint8Array): Promise<boolean> {
    return (await this.db.run(SET_PRIVATE, [privateKey, peerId])) === 1
  }

  async getPrivateKey(peerId: Uint8Array): Promise<Uint8Array | undefined> {
    const rows = await this.db.query(GET, [peerId])
    return rows.length === 0 ? undefined : maybeBytesOf(rows[0].private, 'private')
  }

  async getRecord(peerId: Uint8Array): Promise<Uint8Array | undefined> {
    const rows = await this.db.query(GET, [peerId])
    return rows.length === 0 ? undefined : bytesOf(rows[0].record, 'record')
  }

  /** Replaces the record; with `expected`, only if the stored one is still that (atomic). */
  async setRecord(peerId: Uint8Array, record: Uint8Array, expected?: Uint8Array): Promise<boolean> {
    const n = expected === undefined
      ? await this.db.run(SET_RECORD, [record, peerId])
      : await this.db.run(CAS_RECORD, [record, peerId, expected])
    return n === 1
  }
}
