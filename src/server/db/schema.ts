// The DDL of every Peergos table, per dialect (reference §8.2; Peergos SqlSupplier with
// SqliteCommands / PostgresCommands): the same table, column, index and constraint names and
// types, so a Peergos data directory's SQLite files open directly and a Peergos Postgres too.
import type { Database, Dialect } from './sql.ts'

interface Types { bytes: string; serial: string; integer: string }

function types(d: Dialect): Types {
  return d === 'sqlite' ? { bytes: 'blob', serial: 'INTEGER', integer: 'INTEGER' } : { bytes: 'BYTEA', serial: 'SERIAL', integer: 'BIGINT' }
}

export function mutablePointersDdl(): string {
  return 'CREATE TABLE IF NOT EXISTS metadatablobs (writingkey text primary key not null, hash text not null); ' +
    'CREATE UNIQUE INDEX IF NOT EXISTS index_name ON metadatablobs (writingkey);'
}

export function followRequestsDdl(d: Dialect): string {
  return d === 'sqlite'
    ? 'CREATE TABLE IF NOT EXISTS followrequests (id integer primary key autoincrement, name text not null, followrequest text not null);'
    : 'CREATE TABLE IF NOT EXISTS followrequests (id serial primary key, name text not null, followrequest text not null);'
}

export function accountDdl(d: Dialect): string {
  const t = types(d)
  return 'CREATE TABLE IF NOT EXISTS login (username text primary key not null, entry text not null, reader text not null); ' +
    'CREATE UNIQUE INDEX IF NOT EXISTS login_index ON login (username);' +
    'CREATE TABLE IF NOT EXISTS pendinglogin (username text not null, entry text not null, ' +
    'reader text not null, writer text not null, target text not null, created BIGINT not null, ' +
    'PRIMARY KEY (username, reader));' +
    `CREATE TABLE IF NOT EXISTS mfa (username text not null, name text not null, credid ${t.bytes} not null, ` +
    `type ${t.integer} not null, enabled boolean not null, created ${t.integer} not null, value ${t.bytes} not null); ` +
    'CREATE INDEX IF NOT EXISTS mfa_index ON mfa (username);' +
    `CREATE TABLE IF NOT EXISTS mfa_challenge (username text primary key not null, challenge ${t.bytes} not null); ` +
    'CREATE UNIQUE INDEX IF NOT EXISTS mfa_challenge_index ON mfa_challenge (username);'
}

export function batsDdl(): string {
  return 'CREATE TABLE IF NOT EXISTS bats (username text not null, id text primary key not null, bat text not null); ' +
    'CREATE UNIQUE INDEX IF NOT EXISTS bat_index ON bats (id);'
}

export function linkCountsDdl(d: Dialect): string {
  const i = types(d).integer
  return `CREATE TABLE IF NOT EXISTS linkcounts (username text not null, label ${i} not null, count ${i} not null, ` +
    `modified ${i} not null, PRIMARY KEY (username, label)); `
}

export function spaceRequestsDdl(): string {
  return 'CREATE TABLE IF NOT EXISTS spacerequests (name text primary key not null, spacerequest text not null);'
}

export function quotasDdl(): string {
  return 'CREATE TABLE IF NOT EXISTS freequotas (name text primary key not null, quota BIGINT not null);' +
    'CREATE TABLE IF NOT EXISTS signuptokens (token varchar(64) primary key not null);'
}

export function transactionsDdl(d: Dialect): string {
  return `CREATE TABLE IF NOT EXISTS transactions (tid varchar(64) not null, owner varchar(64) not null, hash varchar(64) not null, time ${types(d).integer});`
}

export function serverIdsDdl(d: Dialect): string {
  const t = types(d)
  return `CREATE TABLE IF NOT EXISTS serverids (id ${t.serial} primary key not null,peerid ${t.bytes} not null, private ${t.bytes}, record ${t.bytes} not null);`
}

export function serverMessagesDdl(d: Dialect): string {
  const t = types(d)
  return `CREATE TABLE IF NOT EXISTS messages (id ${t.serial} PRIMARY KEY NOT NULL,username VARCHAR(32) NOT NULL,` +
    `type ${t.integer} NOT NULL,sent ${t.integer} NOT NULL,body text NOT NULL,priorid ${t.integer},dismissed boolean);`
}

export function usageDdl(d: Dialect): string {
  const t = types(d)
  return `CREATE TABLE IF NOT EXISTS users (id ${t.serial} PRIMARY KEY NOT NULL,name VARCHAR(32) NOT NULL,CONSTRAINT uniq_users UNIQUE (name));` +
    'CREATE TABLE IF NOT EXISTS userusage (user_id INTEGER REFERENCES users(id) PRIMARY KEY,total_bytes BIGINT NOT NULL,' +
    'errored BOOLEAN NOT NULL,CONSTRAINT uniq_usage UNIQUE (user_id));' +
    `CREATE TABLE IF NOT EXISTS writers (id ${t.serial} PRIMARY KEY NOT NULL,key_hash ${t.bytes} NOT NULL,CONSTRAINT uniq_writers UNIQUE (key_hash));` +
    'CREATE TABLE IF NOT EXISTS pendingusage (user_id INTEGER REFERENCES users(id),writer_id INTEGER REFERENCES writers(id) PRIMARY KEY,' +
    'pending_bytes BIGINT NOT NULL);' +
    `CREATE TABLE IF NOT EXISTS writerusage (writer_id INTEGER REFERENCES writers(id),user_id INTEGER REFERENCES users(id),target ${t.bytes},` +
    'direct_size BIGINT NOT NULL,CONSTRAINT uniq UNIQUE (writer_id));' +
    'CREATE TABLE IF NOT EXISTS ownedkeys (parent_id INTEGER REFERENCES writers(id),owned_id INTEGER REFERENCES writers(id),' +
    'PRIMARY KEY (parent_id, owned_id));'
}

/**
 * Adds a column that older Peergos schemas lack (JdbcTransactionStore adds `transactions.time`
 * this way). SQLite has no ADD COLUMN IF NOT EXISTS, so its "duplicate column" error is ignored.
 */
export async function ensureColumn(db: Database, table: string, column: string, type: string): Promise<void> {
  if (db.dialect === 'postgres') {
    await db.exec(`ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS ${column} ${type};`)
    return
  }
  const cols = await db.query<{ name: string }>('SELECT name FROM pragma_table_info(?)', [table])
  if (!cols.some((c) => c.name === column)) await db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type};`)
}

/** Creates tables from DDL; on Postgres, concurrent creators are serialised so IF NOT EXISTS cannot race. */
export async function createTables(db: Database, ddl: string): Promise<void> {
  if (db.dialect === 'sqlite') return db.exec(ddl)
  await db.withTransaction(async (tx) => {
    await tx.lock('peergos-ts schema')
    for (const stmt of ddl.split(';').map((s) => s.trim()).filter((s) => s.length > 0)) await tx.run(stmt)
  })
}
