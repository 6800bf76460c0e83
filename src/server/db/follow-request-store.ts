// Pending follow request storage (reference §6.1, §8.2; Peergos JdbcIpnsAndSocial): table
// followrequests(id, name = target identity PublicKeyHash string, followrequest = base64(CBOR
// BlindFollowRequest)). The bytes are opaque here; the SocialNetwork service checks auth.
import { cidToString } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { createTables, followRequestsDdl, mutablePointersDdl } from './schema.ts'
import { fromBase64, toBase64, type Database } from './sql.ts'

/** SocialNetwork.MAX_PENDING_FOLLOWERS in Peergos: more pending requests than this are refused. */
export const MAX_PENDING_FOLLOWERS = 100

const COUNT = 'SELECT COUNT(*) AS n FROM followrequests WHERE name = ?;'
const INSERT = 'INSERT INTO followrequests (name, followrequest) VALUES(?, ?);'
const SELECT = 'SELECT followrequest FROM followrequests WHERE name = ? ORDER BY id;'
const DELETE = 'DELETE FROM followrequests WHERE name = ? AND followrequest = ?;'

function targetName(target: PublicKeyHash | string): string {
  return typeof target === 'string' ? target : cidToString(target)
}

export class FollowRequestStore {
  private constructor(private readonly db: Database) {}

  /** Opens the store on `social.sql` (or the shared Postgres). */
  static async open(db: Database): Promise<FollowRequestStore> {
    await createTables(db, followRequestsDdl(db.dialect) + mutablePointersDdl())
    return new FollowRequestStore(db)
  }

  /**
   * Stores a request for the target identity unless it already has more than `maxPending`
   * (Peergos' check, made atomic here); returns false when refused.
   */
  async add(target: PublicKeyHash | string, request: Uint8Array, maxPending = MAX_PENDING_FOLLOWERS): Promise<boolean> {
    const name = targetName(target)
    return this.db.withTransaction(async (tx) => {
      await tx.lock(`followrequests ${name}`)
      const [{ n }] = await tx.query<{ n: number }>(COUNT, [name])
      if (Number(n) > maxPending) return false
      await tx.run(INSERT, [name, toBase64(request)])
      return true
    })
  }

  /** The target's pending requests in arrival order. */
  async list(target: PublicKeyHash | string): Promise<Uint8Array[]> {
    const rows = await this.db.query<{ followrequest: string }>(SELECT, [targetName(target)])
    return rows.map((r) => fromBase64(r.followrequest, 'followrequest'))
  }

  /** Removes every stored copy of exactly these request bytes; true if one was there. */
  async remove(target: PublicKeyHash | string, request: Uint8Array): Promise<boolean> {
    return (await this.db.run(DELETE, [targetName(target), toBase64(request)])) > 0
  }
}
