// Free quotas and signup tokens (reference §7.5, §8.2; Peergos JdbcQuotas, UserQuotas): tables
// freequotas(name, quota bytes) and signuptokens(token). Users without a row get the server's
// default quota; a token is consumed by deleting it, so only one signup can use it.
import { createTables, quotasDdl } from './schema.ts'
import { numberOf, stringOf, type Database } from './sql.ts'

/** Peergos' default `-default-quota`: 1 GiB. */
export const DEFAULT_QUOTA = 1024 * 1024 * 1024

const SET = 'INSERT INTO freequotas (name, quota) VALUES(?, ?) ON CONFLICT (name) DO UPDATE SET quota = excluded.quota;'
const GET = 'SELECT quota FROM freequotas WHERE name = ?;'
const ALL = 'SELECT name, quota FROM freequotas ORDER BY name;'
const COUNT = 'SELECT COUNT(name) AS n FROM freequotas;'
const REMOVE = 'DELETE FROM freequotas WHERE name = ?;'
const ADD_TOKEN = 'INSERT INTO signuptokens (token) VALUES(?) ON CONFLICT DO NOTHING;'
const HAS_TOKEN = 'SELECT token FROM signuptokens WHERE token = ?;'
const REMOVE_TOKEN = 'DELETE FROM signuptokens WHERE token = ?;'
const LIST_TOKENS = 'SELECT token FROM signuptokens ORDER BY token;'

export class QuotaStore {
  private constructor(private readonly db: Database, readonly defaultQuota: number) {}

  /** Opens the store on `quotas.sql` (or the shared Postgres). */
  static async open(db: Database, defaultQuota = DEFAULT_QUOTA): Promise<QuotaStore> {
    await createTables(db, quotasDdl())
    return new QuotaStore(db, defaultQuota)
  }

  async setQuota(username: string, quota: number): Promise<void> {
    await this.db.run(SET, [username, quota])
  }

  /** The stored quota, or undefined for a user without a row. */
  async getStoredQuota(username: string): Promise<number | undefined> {
    const rows = await this.db.query<{ quota: unknown }>(GET, [username])
    return rows.length === 0 ? undefined : numberOf(rows[0].quota)
  }

  /** The user's quota: the stored one, else the default. */
  async getQuota(username: string): Promise<number> {
    return (await this.getStoredQuota(username)) ?? this.defaultQuota
  }

  async hasUser(username: string): Promise<boolean> {
    return (await this.getStoredQuota(username)) !== undefined
  }

  async removeUser(username: string): Promise<void> {
    await this.db.run(REMOVE, [username])
  }

  async listQuotas(): Promise<Map<string, number>> {
    const rows = await this.db.query<{ name: unknown; quota: unknown }>(ALL)
    return new Map(rows.map((r) => [stringOf(r.name), numberOf(r.quota)]))
  }

  async numberOfUsers(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: unknown }>(COUNT)
    return numberOf(n)
  }

  /** Adds a signup token; false if it already exists. */
  async addToken(token: string): Promise<boolean> {
    return (await this.db.run(ADD_TOKEN, [token])) === 1
  }

  async hasToken(token: string): Promise<boolean> {
    return (await this.db.query(HAS_TOKEN, [token])).length > 0
  }

  /** Uses up a token: true for exactly one of any number of concurrent callers. */
  async consumeToken(token: string): Promise<boolean> {
    return (await this.db.run(REMOVE_TOKEN, [token])) === 1
  }

  async listTokens(): Promise<string[]> {
    return (await this.db.query<{ token: unknown }>(LIST_TOKENS)).map((r) => stringOf(r.token))
  }
}
