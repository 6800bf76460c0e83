// Secret-link retrieval counts (reference §1.4, §8.2; Peergos JdbcLinkRetrievalcounter): table
// linkcounts(username, label, count, modified = epoch seconds UTC), primary key (username, label).
// The increment checks a maximum (a link's max uses) in the same statement, so it is atomic.
import { createTables, linkCountsDdl } from './schema.ts'
import { numberOf, type Database, type Row } from './sql.ts'

export interface LinkCount {
  readonly label: number
  readonly count: number
  /** Seconds since the epoch (UTC) of the last change. */
  readonly modified: number
}

const UPSERT_INCREMENT = 'INSERT INTO linkcounts (username, label, count, modified) VALUES(?, ?, 1, ?) ' +
  'ON CONFLICT (username, label) DO UPDATE SET count = linkcounts.count + 1, modified = excluded.modified'
const INCREMENT = `${UPSERT_INCREMENT} RETURNING count;`
const INCREMENT_BELOW = `${UPSERT_INCREMENT} WHERE linkcounts.count < ? RETURNING count;`
const GET = 'SELECT count FROM linkcounts WHERE username = ? AND label = ?;'
const SET = 'INSERT INTO linkcounts (username, label, count, modified) VALUES(?, ?, ?, ?) ' +
  'ON CONFLICT (username, label) DO UPDATE SET count = excluded.count, modified = excluded.modified;'
const AFTER = 'SELECT label, count, modified FROM linkcounts WHERE username = ? AND modified > ? ORDER BY label;'
const LATEST = 'SELECT MAX(modified) AS latest FROM linkcounts WHERE username = ?;'
const LATEST_ALL = 'SELECT MAX(modified) AS latest FROM linkcounts;'

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000)
}

function linkCount(r: Row): LinkCount {
  return { label: numberOf(r.label), count: numberOf(r.count), modified: numberOf(r.modified) }
}

export class LinkCountStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `link-counts.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<LinkCountStore> {
    await createTables(db, linkCountsDdl(db.dialect))
    return new LinkCountStore(db)
  }

  /**
   * Counts one retrieval of a link. With `max`, only while the count is below it: returns the
   * new count, or undefined (nothing changed) once `max` retrievals have been counted.
   */
  async increment(username: string, label: number, max?: number, now = nowSeconds()): Promise<number | undefined> {
    if (max !== undefined && max < 1) return undefined
    const rows = max === undefined
      ? await this.db.query<{ count: unknown }>(INCREMENT, [username, label, now])
      : await this.db.query<{ count: unknown }>(INCREMENT_BELOW, [username, label, now, max])
    return rows.length === 0 ? undefined : numberOf(rows[0].count)
  }

  /** The count of a link (0 if never retrieved). */
  async get(username: string, label: number): Promise<number> {
    const rows = await this.db.query<{ count: unknown }>(GET, [username, label])
    return rows.length === 0 ? 0 : numberOf(rows[0].count)
  }

  /** Sets counts (Peergos setCounts: mirroring a user's counts from another server), in one transaction. */
  async set(username: string, counts: readonly LinkCount[]): Promise<void> {
    await this.db.withTransaction(async (tx) => {
      for (const c of counts) await tx.run(SET, [username, c.label, c.count, c.modified])
    })
  }

  /** Counts changed strictly after `afterSeconds` (Peergos getUpdatedCounts). */
  async listAfter(username: string, afterSeconds: number): Promise<LinkCount[]> {
    return (await this.db.query(AFTER, [username, afterSeconds])).map(linkCount)
  }

  /** The latest modification time of a user's counts, or of all counts; undefined if none. */
  async latestModified(username?: string): Promise<number | undefined> {
    const rows = username === undefined
      ? await this.db.query<{ latest: unknown }>(LATEST_ALL)
      : await this.db.query<{ latest: unknown }>(LATEST, [username])
    const v = rows[0]?.latest
    return v === null || v === undefined ? undefined : numberOf(v)
  }
}
