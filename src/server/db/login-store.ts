// Login data storage (reference §5.2, §8.2; Peergos JdbcAccount): table login(username, entry =
// base64(CBOR UserStaticData), reader = base64(CBOR login PublicSigningKey)) and pendinglogin, the
// staged password changes (one row per (username, reader), with the WriterData that publishes it).
import { cidToString, parseCid, type CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { publicKeyHashColumn, publicKeyHashFromColumn } from './columns.ts'
import { StoreLimitError } from './errors.ts'
import { accountDdl, createTables } from './schema.ts'
import { fromBase64, numberOf, stringOf, toBase64, type Database, type Row } from './sql.ts'

/** JdbcAccount.MAX_PENDING_LOGINS: staging more password changes than this is refused. */
export const MAX_PENDING_LOGINS = 20

export interface LoginRow {
  readonly username: string
  /** CBOR UserStaticData (the encrypted entry points). */
  readonly entry: Uint8Array
  /** CBOR PublicSigningKey of the login key, which must sign getLogin requests. */
  readonly reader: Uint8Array
}

export interface PendingLoginRow extends LoginRow {
  /** The identity key whose WriterData publishes the new login algorithm. */
  readonly writer: PublicKeyHash
  /** That WriterData's CID. */
  readonly target: CID
  /** Milliseconds since the epoch. */
  readonly created: number
}

const GET = 'SELECT username, entry, reader FROM login WHERE username = ? LIMIT 1;'
const GET_FOR_READER = 'SELECT entry FROM login WHERE username = ? AND reader = ? LIMIT 1;'
const UPSERT = 'INSERT INTO login (username, entry, reader) VALUES(?, ?, ?) ' +
  'ON CONFLICT (username) DO UPDATE SET entry = excluded.entry, reader = excluded.reader;'
const REMOVE = 'DELETE FROM login WHERE username = ?;'
const PENDING_COLUMNS = 'SELECT username, entry, reader, writer, target, created FROM pendinglogin'
const GET_PENDING = `${PENDING_COLUMNS} WHERE username = ? AND reader = ? LIMIT 1;`
const LIST_PENDING = `${PENDING_COLUMNS} WHERE username = ? ORDER BY created;`
const COUNT_PENDING = 'SELECT COUNT(*) AS n FROM pendinglogin WHERE username = ?;'
const CREATE_PENDING = 'INSERT INTO pendinglogin (username, entry, reader, writer, target, created) VALUES(?, ?, ?, ?, ?, ?);'
const UPDATE_PENDING = 'UPDATE pendinglogin SET entry = ?, writer = ?, target = ?, created = ? WHERE username = ? AND reader = ?;'
const REMOVE_PENDING = 'DELETE FROM pendinglogin WHERE username = ?;'

function loginRow(r: Row): LoginRow {
  return { username: stringOf(r.username), entry: fromBase64(r.entry, 'entry'), reader: fromBase64(r.reader, 'reader') }
}

function pendingRow(r: Row): PendingLoginRow {
  return { ...loginRow(r), writer: publicKeyHashFromColumn(r.writer, 'writer'), target: parseCid(stringOf(r.target)), created: numberOf(r.created) }
}

export class LoginStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `login.sql` (or the shared Postgres); also creates the mfa tables, as Peergos does. */
  static async open(db: Database): Promise<LoginStore> {
    await createTables(db, accountDdl(db.dialect))
    return new LoginStore(db)
  }

  async get(username: string): Promise<LoginRow | undefined> {
    const rows = await this.db.query(GET, [username])
    return rows.length === 0 ? undefined : loginRow(rows[0])
  }

  /** The entry of the live login row if `reader` (CBOR login public key) is its reader. */
  async getEntry(username: string, reader: Uint8Array): Promise<Uint8Array | undefined> {
    const rows = await this.db.query<{ entry: string }>(GET_FOR_READER, [username, toBase64(reader)])
    return rows.length === 0 ? undefined : fromBase64(rows[0].entry, 'entry')
  }

  /** Writes the live login row and, in the same transaction, drops every staged change (now published or superseded). */
  async set(row: LoginRow): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      await tx.run(UPSERT, [row.username, toBase64(row.entry), toBase64(row.reader)])
      await tx.run(REMOVE_PENDING, [row.username])
    })
  }

  /** Removes the login row and any staged changes. */
  async remove(username: string): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      await tx.run(REMOVE, [username])
      await tx.run(REMOVE_PENDING, [username])
    })
  }

  /**
   * Stages a password change: replaces the row with the same (username, reader) (a retry), or
   * adds one; throws StoreLimitError when `max` rows are already staged. Never touches `login`.
   */
  async setPending(row: Omit<PendingLoginRow, 'created'> & { created?: number }, max = MAX_PENDING_LOGINS): Promise<void> {
    const reader = toBase64(row.reader)
    const values = [toBase64(row.entry), publicKeyHashColumn(row.writer), cidToString(row.target), row.created ?? Date.now()]
    await this.db.withTransaction(async (tx) => {
      await tx.lock(`pendinglogin ${row.username}`)
      if ((await tx.run(UPDATE_PENDING, [...values, row.username, reader])) > 0) return
      const [{ n }] = await tx.query<{ n: number }>(COUNT_PENDING, [row.username])
      if (Number(n) >= max) throw new StoreLimitError(`Too many incomplete password changes for ${row.username}`)
      await tx.run(CREATE_PENDING, [row.username, values[0], reader, values[1], values[2], values[3]])
    })
  }

  async getPending(username: string, reader: Uint8Array): Promise<PendingLoginRow | undefined> {
    const rows = await this.db.query(GET_PENDING, [username, toBase64(reader)])
    return rows.length === 0 ? undefined : pendingRow(rows[0])
  }

  async listPending(username: string): Promise<PendingLoginRow[]> {
    return (await this.db.query(LIST_PENDING, [username])).map(pendingRow)
  }

  async clearPending(username: string): Promise<void> {
    await this.db.run(REMOVE_PENDING, [username])
  }

  /**
   * Completes an interrupted password change whose WriterData has been published: the staged
   * row for `reader` becomes the live login and all staged rows go, atomically. False if absent.
   */
  async promotePending(username: string, reader: Uint8Array): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      const rows = await tx.query(GET_PENDING, [username, toBase64(reader)])
      if (rows.length === 0) return false
      const p = loginRow(rows[0])
      await tx.run(UPSERT, [username, toBase64(p.entry), toBase64(p.reader)])
      await tx.run(REMOVE_PENDING, [username])
      return true
    })
  }
}
