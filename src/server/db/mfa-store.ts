// Second-factor storage (reference §5.4, §8.2; Peergos JdbcAccount): tables mfa(username, name,
// credid blob, type, enabled, created = epoch day, value blob) and mfa_challenge(username,
// challenge blob), in login.sql. The TOTP and backup-code rules live in server/services/local-second-factors.ts.
import { accountDdl, createTables } from './schema.ts'
import { boolOf, bytesOf, numberOf, stringOf, type Database, type Row } from './sql.ts'

/** MultiFactorAuthMethod.Type values as stored in `mfa.type`. */
export const MfaType = { TOTP: 1, WEBAUTHN: 2, BACKUP_CODES: 3, MOUNT: 4 } as const

/** JdbcAccount.MAX_MFA. */
export const MAX_MFA = 10

export interface MfaRow {
  readonly username: string
  readonly name: string
  readonly credentialId: Uint8Array
  readonly type: number
  readonly enabled: boolean
  /** Days since 1970-01-01 (LocalDate.toEpochDay). */
  readonly created: number
  readonly value: Uint8Array
}

const CREATE = 'INSERT INTO mfa (username, name, credid, type, enabled, created, value) VALUES(?, ?, ?, ?, ?, ?, ?);'
const LIST = 'SELECT username, name, credid, type, enabled, created, value FROM mfa WHERE username = ?;'
const GET = 'SELECT username, name, credid, type, enabled, created, value FROM mfa WHERE username = ? AND credid = ?;'
const UPDATE_VALUE = 'UPDATE mfa SET value = ? WHERE username = ? AND credid = ?;'
const CAS_VALUE = 'UPDATE mfa SET value = ?, name = ? WHERE username = ? AND credid = ? AND value = ?;'
const ENABLE = 'UPDATE mfa SET enabled = ? WHERE username = ? AND credid = ?;'
const DELETE = 'DELETE FROM mfa WHERE username = ? AND credid = ?;'
const DELETE_UNVERIFIED = 'DELETE FROM mfa WHERE username = ? AND type = ? AND enabled = ?;'
const COUNT = 'SELECT COUNT(*) AS n FROM mfa WHERE username = ?;'
const DELETE_OTHERS_OF_TYPE = 'DELETE FROM mfa WHERE username = ? AND type = ? AND credid <> ?;'
const DELETE_OTHER_ENABLED_OF_TYPE = 'DELETE FROM mfa WHERE username = ? AND type = ? AND enabled = ? AND credid <> ?;'
const DELETE_OF_TYPE = 'DELETE FROM mfa WHERE username = ? AND type = ?;'
const COUNT_ENABLED_LOGIN_FACTORS = 'SELECT COUNT(*) AS n FROM mfa WHERE username = ? AND enabled = ? AND type IN (?, ?);'
const UPSERT_CHALLENGE = 'INSERT INTO mfa_challenge (username, challenge) VALUES(?, ?) ' +
  'ON CONFLICT (username) DO UPDATE SET challenge = excluded.challenge;'
const GET_CHALLENGE = 'SELECT challenge FROM mfa_challenge WHERE username = ?;'

function mfaRow(r: Row): MfaRow {
  return {
    username: stringOf(r.username), name: stringOf(r.name), credentialId: bytesOf(r.credid, 'credid'),
    type: numberOf(r.type), enabled: boolOf(r.enabled), created: numberOf(r.created), value: bytesOf(r.value, 'value'),
  }
}

export class MfaStore {
  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<MfaStore> {
    await createTables(db, accountDdl(db.dialect))
    return new MfaStore(db)
  }

  /** Adds a factor unless the user already has `max` (then false), atomically. */
  async add(row: MfaRow, max = MAX_MFA): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      await tx.lock(`mfa ${row.username}`)
      const [{ n }] = await tx.query<{ n: number }>(COUNT, [row.username])
      if (Number(n) >= max) return false
      await tx.run(CREATE, [row.username, row.name, row.credentialId, row.type, row.enabled, row.created, row.value])
      return true
    })
  }

  /** Enables a factor and deletes the user's other enabled factors of `type` in one transaction (JdbcAccount.enableTotpFactor). */
  async enableReplacing(username: string, credentialId: Uint8Array, type: number): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      await tx.lock(`mfa ${username}`)
      if ((await tx.run(ENABLE, [true, username, credentialId])) === 0) return false
      await tx.run(DELETE_OTHER_ENABLED_OF_TYPE, [username, type, true, credentialId])
      return true
    })
  }

  /** Adds a factor (no maximum) and deletes the user's other factors of its type in one transaction (a new set of backup codes). */
  async addReplacing(row: MfaRow): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      await tx.lock(`mfa ${row.username}`)
      await tx.run(CREATE, [row.username, row.name, row.credentialId, row.type, row.enabled, row.created, row.value])
      await tx.run(DELETE_OTHERS_OF_TYPE, [row.username, row.type, row.credentialId])
    })
  }

  /**
   * JdbcAccount.deleteMfa in one transaction: removes the factor, then the backup codes too when no
   * enabled TOTP or WebAuthn key is left for them to back up (a device's MOUNT factor doesn't count).
   */
  async removeFactor(username: string, credentialId: Uint8Array): Promise<boolean> {
    return this.db.withTransaction(async (tx) => {
      await tx.lock(`mfa ${username}`)
      const removed = (await tx.run(DELETE, [username, credentialId])) > 0
      const [{ n }] = await tx.query<{ n: number }>(COUNT_ENABLED_LOGIN_FACTORS, [username, true, MfaType.TOTP, MfaType.WEBAUTHN])
      if (Number(n) === 0) await tx.run(DELETE_OF_TYPE, [username, MfaType.BACKUP_CODES])
      return removed
    })
  }

  async list(username: string): Promise<MfaRow[]> {
    return (await this.db.query(LIST, [username])).map(mfaRow)
  }

  async get(username: string, credentialId: Uint8Array): Promise<MfaRow | undefined> {
    const rows = await this.db.query(GET, [username, credentialId])
    return rows.length === 0 ? undefined : mfaRow(rows[0])
  }

  async count(username: string): Promise<number> {
    const [{ n }] = await this.db.query<{ n: number }>(COUNT, [username])
    return Number(n)
  }

  async setValue(username: string, credentialId: Uint8Array, value: Uint8Array): Promise<boolean> {
    return (await this.db.run(UPDATE_VALUE, [value, username, credentialId])) > 0
  }

  /** Backup-code burn: replaces value and name only if the value is still `expected`. */
  async compareAndSetValue(username: string, credentialId: Uint8Array, expected: Uint8Array, value: Uint8Array, name: string): Promise<boolean> {
    return (await this.db.run(CAS_VALUE, [value, name, username, credentialId, expected])) === 1
  }

  async setEnabled(username: string, credentialId: Uint8Array, enabled: boolean): Promise<boolean> {
    return (await this.db.run(ENABLE, [enabled, username, credentialId])) > 0
  }

  async remove(username: string, credentialId: Uint8Array): Promise<boolean> {
    return (await this.db.run(DELETE, [username, credentialId])) > 0
  }

  /** Drops abandoned (never enabled) factors of a type. */
  async removeUnverified(username: string, type: number): Promise<number> {
    return this.db.run(DELETE_UNVERIFIED, [username, type, false])
  }

  async setChallenge(username: string, challenge: Uint8Array): Promise<void> {
    await this.db.run(UPSERT_CHALLENGE, [username, challenge])
  }

  async getChallenge(username: string): Promise<Uint8Array | undefined> {
    const rows = await this.db.query<{ challenge: unknown }>(GET_CHALLENGE, [username])
    return rows.length === 0 ? undefined : bytesOf(rows[0].challenge, 'challenge')
  }
}
