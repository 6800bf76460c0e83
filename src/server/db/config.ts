// Opening every store (reference §8.2): on SQLite one file per Peergos store in PEERGOS_PATH with
// Peergos' default names (or ':memory:'), on Postgres one database (one pool) for all tables, as
// Peergos' `-use-postgres` does.
import { isAbsolute, join } from 'node:path'
import { BatStore } from './bat-store.ts'
import { FollowRequestStore } from './follow-request-store.ts'
import { LinkCountStore } from './link-count-store.ts'
import { LoginStore } from './login-store.ts'
import { MfaStore } from './mfa-store.ts'
import { PointerStore } from './pointer-store.ts'
import { PostgresDatabase, type PostgresOptions } from './postgres.ts'
import { QuotaStore } from './quota-store.ts'
import { ServerIdStore } from './server-id-store.ts'
import { SpaceRequestStore } from './space-request-store.ts'
import type { Database } from './sql.ts'
import { SqliteDatabase, type SqliteSynchronous } from './sqlite.ts'
import { TransactionStore } from './transaction-store.ts'
import { UsageStore } from './usage-store.ts'

/** Peergos' default file of each store (`-mutable-pointers-file`, `-social-sql-file`, ...). */
export const PEERGOS_SQL_FILES = {
  pointers: 'mutable.sql',
  social: 'social.sql',
  account: 'login.sql',
  bats: 'bats.sql',
  linkCounts: 'link-counts.sql',
  transactions: 'transactions.sql',
  quotas: 'quotas.sql',
  usage: 'space-usage.sql',
  spaceRequests: 'space-requests.sql',
  serverIds: 'serverids.sql',
} as const

export type DbFile = keyof typeof PEERGOS_SQL_FILES

/**
 * Stores whose last commits may be lost on power loss (synchronous NORMAL: no fsync on the request's path;
 * a process crash still loses nothing), because what they hold is recovered:
 * - usage: derived from the pointers; at start every writer whose recorded target differs from its
 *   pointer is diffed again (SpaceAccounting.reconcile), and SQLite keeps the surviving commits in order.
 * - transactions: rows that keep an upload's blocks from GC until its pointer names them; GC also keeps
 *   unreachable blocks younger than GarbageCollectorOptions.minBlockAgeMs (10 min), and these databases
 *   are synced every minute, so a row lost with the last minute's commits still has its blocks kept.
 * Pointers, logins, BATs, follow requests and the rest keep FULL: an acknowledged write is on disk.
 */
export const RECOVERABLE_STORES: ReadonlySet<DbFile> = new Set<DbFile>(['usage', 'transactions'])

export interface SqliteConfig {
  readonly kind: 'sqlite'
  /** The Peergos data directory (PEERGOS_PATH), or ':memory:' for all stores in memory. */
  readonly dir: string
  /** Per-store overrides: a file name (relative to `dir`), an absolute path, or ':memory:'. */
  readonly files?: Partial<Record<DbFile, string>>
  readonly synchronous?: SqliteSynchronous
  readonly journalMode?: 'WAL' | 'DELETE'
}

export interface PostgresConfig extends PostgresOptions {
  readonly kind: 'postgres'
}

export type DbConfig = SqliteConfig | PostgresConfig

export interface Stores {
  readonly pointers: PointerStore
  readonly followRequests: FollowRequestStore
  readonly logins: LoginStore
  readonly mfa: MfaStore
  readonly bats: BatStore
  readonly linkCounts: LinkCountStore
  readonly transactions: TransactionStore
  readonly quotas: QuotaStore
  readonly usage: UsageStore
  readonly spaceRequests: SpaceRequestStore
  readonly serverIds: ServerIdStore
  /** Closes every underlying database. */
  close(): Promise<void>
}

/** The path a store's SQLite file opens at. */
export function sqlitePath(config: SqliteConfig, file: DbFile): string {
  const name = config.files?.[file] ?? (config.dir === ':memory:' ? ':memory:' : PEERGOS_SQL_FILES[file])
  if (name === ':memory:' || isAbsolute(name)) return name
  return join(config.dir, name)
}

/** Opens the databases of every store: one per file on SQLite, one shared pool on Postgres. */
export async function openDatabases(config: DbConfig): Promise<Record<DbFile, Database>> {
  const files = Object.keys(PEERGOS_SQL_FILES) as DbFile[]
  if (config.kind === 'postgres') {
    const db = await PostgresDatabase.open(config)
    return Object.fromEntries(files.map((f): [DbFile, Database] => [f, db])) as Record<DbFile, Database>
  }
  const opened: Partial<Record<DbFile, Database>> = {}
  try {
    for (const f of files) {
      const synchronous = RECOVERABLE_STORES.has(f) ? 'NORMAL' : config.synchronous
      opened[f] = new SqliteDatabase({ path: sqlitePath(config, f), synchronous, journalMode: config.journalMode })
    }
  } catch (e) {
    await Promise.all(Object.values(opened).map((d) => d.close()))
    throw e
  }
  return opened as Record<DbFile, Database>
}

export async function openStores(config: DbConfig, options: { defaultQuota?: number } = {}): Promise<Stores> {
  const dbs = await openDatabases(config)
  const closeAll = async (): Promise<void> => {
    await Promise.all([...new Set(Object.values(dbs))].map((d) => d.close()))
  }
  try {
    return {
      pointers: await PointerStore.open(dbs.pointers),
      followRequests: await FollowRequestStore.open(dbs.social),
      logins: await LoginStore.open(dbs.account),
      mfa: await MfaStore.open(dbs.account),
      bats: await BatStore.open(dbs.bats),
      linkCounts: await LinkCountStore.open(dbs.linkCounts),
      transactions: await TransactionStore.open(dbs.transactions),
      quotas: await QuotaStore.open(dbs.quotas, options.defaultQuota),
      usage: await UsageStore.open(dbs.usage),
      spaceRequests: await SpaceRequestStore.open(dbs.spaceRequests),
      serverIds: await ServerIdStore.open(dbs.serverIds),
      close: closeAll,
    }
  } catch (e) {
    await closeAll()
    throw e
  }
}
