// Operator commands on a server's quota store (reference §5.3, §7.5; Peergos QuotaCLI `quota token create`,
// `quota set`, `quota show`): signup tokens and per-user quotas, written to the same SQLite files (or
// Postgres) the daemon uses, so they can be run next to a running daemon.
import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { ConfigError, DAEMON_OPTIONS, parseSize } from '../server/config.ts'
import { sqlitePath, type DbFile } from '../server/db/config.ts'
import { PostgresDatabase } from '../server/db/postgres.ts'
import { QuotaStore } from '../server/db/quota-store.ts'
import type { Database } from '../server/db/sql.ts'
import { SqliteDatabase } from '../server/db/sqlite.ts'
import { UsageStore } from '../server/db/usage-store.ts'

export const TOKEN_USAGE = `Usage: peergos-ts token <command> [--dir DIR | --postgres URL]

Signup tokens, for a daemon started with --require-signup-token. Each token allows one signup.

Commands:
  create      create a token and print it
  list        print the unused tokens
`

export const QUOTA_USAGE = `Usage: peergos-ts quota <command> [--dir DIR | --postgres URL]

Storage quotas of the users of this server (users without one get the daemon's --default-quota).

Commands:
  set USER SIZE   set USER's quota (bytes, or with a unit: 500m, 2g, 1t)
  show [USER]     print USER's quota and usage (without USER: every user with an explicit quota)

  --default-quota SIZE   the daemon's --default-quota, shown for users without one (default 1g)
`

const OPTIONS_HELP = `
Options:
  --dir DIR        the daemon's data directory (default: ${DAEMON_OPTIONS.find((o) => o.name === 'dir')!.default})
  --postgres URL   the daemon's Postgres database instead (or PEERGOS_POSTGRES)
  --help           print this help
`

interface Parsed {
  readonly positional: string[]
  readonly dir: string
  readonly postgres?: string
  readonly defaultQuota?: number
}

function parse(args: readonly string[]): Parsed {
  const positional: string[] = []
  let dir = DAEMON_OPTIONS.find((o) => o.name === 'dir')!.default!
  let postgres = process.env.PEERGOS_POSTGRES
  let defaultQuota: number | undefined
  for (let i = 0; i < args.length; i++) {
    const a = args[i]
    const eq = a.indexOf('=')
    const name = a.startsWith('--') ? (eq < 0 ? a.slice(2) : a.slice(2, eq)) : undefined
    if (name === undefined) {
      positional.push(a)
      continue
    }
    const value = eq >= 0 ? a.slice(eq + 1) : args[++i]
    if (value === undefined) throw new ConfigError(`--${name} needs a value`)
    if (name === 'dir') dir = value
    else if (name === 'postgres') postgres = value
    else if (name === 'default-quota') defaultQuota = parseSize(value)
    else throw new ConfigError(`Unknown option --${name}`)
  }
  return { positional, dir: resolve(dir), postgres, defaultQuota }
}

/** Opens the given stores' databases only: one file each on SQLite (created if absent), one pool on Postgres. */
async function withDatabases<T>(p: Parsed, files: readonly DbFile[], fn: (dbs: Database[]) => Promise<T>): Promise<T> {
  const dbs: Database[] = []
  try {
    if (p.postgres !== undefined) {
      const db = await PostgresDatabase.open({ url: p.postgres })
      dbs.push(...files.map(() => db))
    } else {
      await mkdir(p.dir, { recursive: true })
      for (const f of files) dbs.push(new SqliteDatabase({ path: sqlitePath({ kind: 'sqlite', dir: p.dir }, f) }))
    }
    return await fn(dbs)
  } finally {
    for (const db of new Set(dbs)) await db.close()
  }
}

function formatSize(bytes: number): string {
  for (const [unit, n] of [['TiB', 2 ** 40], ['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n} ${unit}`
  }
  return `${bytes} B`
}

function isHelp(args: readonly string[]): boolean {
  return args.length === 0 || args.includes('--help') || args.includes('-h')
}

async function guard(command: string, usage: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run()
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e
    process.stderr.write(`peergos-ts ${command}: ${e.message}\n\n${usage}${OPTIONS_HELP}`)
    return 2
  }
}

/** `peergos-ts token create|list`. */
export function runToken(args: string[]): Promise<number> {
  if (isHelp(args)) {
    process.stdout.write(TOKEN_USAGE + OPTIONS_HELP)
    return Promise.resolve(0)
  }
  return guard('token', TOKEN_USAGE, async () => {
    const p = parse(args)
    const [command, ...rest] = p.positional
    if (rest.length > 0 || (command !== 'create' && command !== 'list')) throw new ConfigError(`Unknown token command '${p.positional.join(' ')}'`)
    return withDatabases(p, ['quotas'], async ([db]) => {
      const quotas = await QuotaStore.open(db)
      if (command === 'list') {
        for (const t of await quotas.listTokens()) process.stdout.write(`${t}\n`)
        return 0
      }
      const token = randomBytes(32).toString('hex') // QuotaAdmin.generateToken
      if (!(await quotas.addToken(token))) throw new Error('Token collision')
      process.stdout.write(`${token}\n`)
      return 0
    })
  })
}

/** `peergos-ts quota set USER SIZE` and `peergos-ts quota show [USER]`. */
export function runQuota(args: string[]): Promise<number> {
  if (isHelp(args)) {
    process.stdout.write(QUOTA_USAGE + OPTIONS_HELP)
    return Promise.resolve(0)
  }
  return guard('quota', QUOTA_USAGE, async () => {
    const p = parse(args)
    const [command, ...rest] = p.positional
    if (command === 'set') {
      if (rest.length !== 2) throw new ConfigError('quota set needs USER and SIZE')
      const [user, size] = rest
      const bytes = parseSize(size)
      return withDatabases(p, ['quotas'], async ([db]) => {
        await (await QuotaStore.open(db)).setQuota(user, bytes)
        process.stdout.write(`${user} ${bytes} (${formatSize(bytes)})\n`)
        return 0
      })
    }
    if (command === 'show') {
      if (rest.length > 1) throw new ConfigError('quota show takes at most one USER')
      return withDatabases(p, ['quotas', 'usage'], async ([qdb, udb]) => {
        const quotas = await QuotaStore.open(qdb, p.defaultQuota)
        const usage = await UsageStore.open(udb)
        const names = rest.length === 1 ? rest : [...(await quotas.listQuotas()).keys()]
        for (const user of names) {
          const stored = await quotas.getStoredQuota(user)
          const quota = stored ?? quotas.defaultQuota
          const used = (await usage.getUserUsage(user)).totalBytes
          const origin = stored === undefined ? ' default' : ''
          process.stdout.write(`${user} quota ${quota} (${formatSize(quota)}${origin}) used ${used} (${formatSize(used)})\n`)
        }
        return 0
      })
    }
    throw new ConfigError(`Unknown quota command '${p.positional.join(' ')}'`)
  })
}
