// Daemon configuration: every `peergos-ts daemon` option with its default, parsed strictly from
// the command line (and PEERGOS_* environment variables), and the --help text built from the same
// table so the two never disagree.
import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import { PeergosError } from '../errors.ts'
import { addressList, DEFAULT_P2P_LISTEN, parseListenAddress, parsePeerAddress } from './p2p/addresses.ts'
import { parseCid } from '../codec/cid.ts'
import { checkPublicKeyHash } from '../model/signing-keys.ts'
import { parsePeerIdString } from './p2p/peer-ids.ts'

export class ConfigError extends PeergosError {}

export interface S3Config {
  readonly endpoint: string
  readonly region: string
  readonly bucket: string
  readonly accessKey: string
  readonly secretKey: string
  readonly prefix: string
}

export interface DaemonConfig {
  /** Data directory: blocks, SQLite files, server identity. */
  readonly dir: string
  readonly host: string
  readonly port: number
  /** Public servers also accept GET for API calls (Peergos: only POST on a local server). */
  readonly publicServer: boolean
  /** Postgres URL; when set, every SQL store lives there instead of SQLite files. */
  readonly postgres?: string
  /** S3 block storage; when set, blocks live there instead of the data directory. */
  readonly s3?: S3Config
  /** Signups need a token created with `peergos-ts token create` (Peergos' signup tokens). */
  readonly requireSignupToken: boolean
  /** Quota of a user without an explicit one, in bytes. */
  readonly defaultQuota: number
  /** Maximum accepted request body, in bytes. */
  readonly maxBodyBytes: number
  /** Garbage collection period in ms (0 disables). */
  readonly gcPeriodMs: number
  /** A dumped Peergos server state to load before serving (the form of peergos-vectors/account-alice). */
  readonly importAccount?: string
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** The libp2p node (the `/http` protocol and the /p2p/ gateway); undefined with --no-p2p. */
  readonly p2p?: P2pConfig
  /** The PKI node's peer id, as given (undefined: this server runs its own PKI). */
  readonly pkiNodeId?: string
  /** `--pki-init`: this server is the PKI node (what it is anyway without --pki-node-id). */
  readonly pkiInit: boolean
  /** The PKI identity a mirror follows (Peergos `peergos.identity.hash`); default: asked of the PKI node, then kept. */
  readonly pkiIdentity?: string
  /** How often a mirror pulls the PKI, in ms (0: only on lookup misses and after its own updates). */
  readonly pkiRefreshMs: number
  /** The PKI node's proof-of-work calibration: signups and key changes a day before work is asked (Peergos max-daily-signups). */
  readonly maxDailySignups: number
  /** A request's headers and body (over TCP or a p2p stream) must arrive within this (ms); then 408 and closed. */
  readonly requestTimeoutMs: number
  /** A request's headers must arrive within this (ms): slow senders (slowloris) are cut off. */
  readonly headersTimeoutMs: number
  /** Requests open this long (ms) are logged as slow, with where they wait; 0 turns it off. */
  readonly slowRequestMs: number
  /** Limits of the p2p layer (used when `p2p` is set). */
  readonly p2pLimits: P2pLimits
  /** The web UI's static files served at / (undefined: the package's dist/web, built on demand by `peergos-ts daemon`). */
  readonly webRoot?: string
}

export interface P2pConfig {
  /** Multiaddrs to listen on; empty: dial out only (e.g. reachable through a relay alone). */
  readonly listen: readonly string[]
  /** Peers dialled at start and kept connected (multiaddrs ending /p2p/<peer-id>). */
  readonly bootstrap: readonly string[]
  /** Act as a circuit relay v2. */
  readonly relay: boolean
  /** Relays to hold a reservation on and be reachable through. */
  readonly relayVia: readonly string[]
}

export interface P2pLimits {
  /** Inbound `/http` streams open at once, over all peers and per peer; more are answered 429. */
  readonly maxStreams: number
  readonly maxStreamsPerPeer: number
  /** libp2p connections in all, and per peer (more inbound ones from a peer are refused). */
  readonly maxConnections: number
  readonly maxConnectionsPerPeer: number
  /** Requests the /p2p/ proxy relays at once, in all and to one peer; more are answered 429. */
  readonly proxyMaxInFlight: number
  readonly proxyMaxInFlightPerPeer: number
  /** The proxy waits this long (ms) for a peer's reply headers (then 504), and for a silent body either way. */
  readonly proxyTimeoutMs: number
}

interface OptionSpec {
  readonly name: string
  readonly kind: 'string' | 'int' | 'size' | 'flag'
  readonly help: string
  readonly default?: string
  /** What --help shows for the value (default by kind: N, SIZE or VALUE). */
  readonly value?: string
}

export const DAEMON_OPTIONS: readonly OptionSpec[] = [
  { name: 'dir', kind: 'string', default: join(homedir(), '.peergos-ts'), help: 'data directory (blocks, databases, server identity)' },
  { name: 'host', kind: 'string', default: '127.0.0.1', help: 'address the HTTP API and web UI listen on' },
  { name: 'port', kind: 'int', default: '8000', help: 'HTTP port' },
  { name: 'public-server', kind: 'flag', help: 'accept GET as well as POST for API calls (for servers behind a public domain)' },
  { name: 'postgres', kind: 'string', help: 'Postgres URL (postgres://user:pass@host:port/db) instead of SQLite files' },
  { name: 's3-endpoint', kind: 'string', help: 'S3 endpoint URL; setting it stores blocks in S3' },
  { name: 's3-region', kind: 'string', default: 'us-east-1', help: 'S3 region' },
  { name: 's3-bucket', kind: 'string', help: 'S3 bucket' },
  { name: 's3-access-key', kind: 'string', help: 'S3 access key (or PEERGOS_S3_ACCESS_KEY)' },
  { name: 's3-secret-key', kind: 'string', help: 'S3 secret key (or PEERGOS_S3_SECRET_KEY)' },
  { name: 's3-prefix', kind: 'string', default: '', help: 'key prefix inside the bucket' },
  { name: 'require-signup-token', kind: 'flag', help: 'refuse signups without a signup token' },
  { name: 'default-quota', kind: 'size', default: '1g', help: 'quota of each user without an explicit one (e.g. 500m, 2g)' },
  { name: 'max-body', kind: 'size', default: '8m', help: 'largest request body accepted (also through the /p2p/ proxy)' },
  { name: 'gc-period', kind: 'int', default: '43200000', help: 'garbage collection period in ms (0 disables)' },
  { name: 'import-account', kind: 'string', help: 'load a dumped Peergos server state (blocks, pointers, logins, BATs...) before serving' },
  { name: 'log-level', kind: 'string', default: 'info', help: 'fatal, error, warn, info, debug, trace or silent' },
  { name: 'p2p-listen', kind: 'string', value: 'MULTIADDR[,...]', default: DEFAULT_P2P_LISTEN, help: 'libp2p listen multiaddrs, comma-separated ("none": dial out only)' },
  { name: 'bootstrap', kind: 'string', value: 'MULTIADDR[,...]', help: 'peers to dial at start and keep connected (multiaddrs ending /p2p/<peer-id>, comma-separated)' },
  { name: 'pki-init', kind: 'flag', help: 'run the PKI node: keep the PKI (usernames to claim chains) under this server\'s PKI key (the default without --pki-node-id)' },
  { name: 'pki-node-id', kind: 'string', value: 'ID', help: 'peer id of the PKI node to mirror over p2p (needs --bootstrap to reach it); default: this server runs its own PKI' },
  { name: 'pki-identity', kind: 'string', value: 'HASH', help: 'the PKI identity a mirror follows (Peergos peergos.identity.hash; default: asked of the PKI node once, then kept)' },
  { name: 'pki-refresh', kind: 'int', default: '60000', help: 'how often a mirror pulls the PKI, in ms (0: only on lookup misses)' },
  { name: 'max-daily-signups', kind: 'int', default: '20000', help: 'PKI node: new usernames a day before signups must do proof of work (0: always the maximum)' },
  { name: 'relay', kind: 'flag', help: 'act as a circuit relay v2 for other servers' },
  { name: 'relay-via', kind: 'string', value: 'MULTIADDR[,...]', help: 'hold a slot on these relays (multiaddrs ending /p2p/<peer-id>, comma-separated) and advertise their /p2p-circuit addresses' },
  { name: 'request-timeout', kind: 'int', default: '60000', help: 'a request\'s headers and body must arrive within this many ms, over TCP or p2p (then 408 and the connection or stream is closed)' },
  { name: 'slow-request', kind: 'int', default: '10000', help: 'log a warning for a request still open after this many ms, with what it waits on (0 disables)' },
  { name: 'headers-timeout', kind: 'int', default: '20000', help: 'a request\'s headers must arrive within this many ms (slow senders are cut off)' },
  { name: 'p2p-max-streams', kind: 'int', default: '1024', help: 'inbound p2p /http streams open at once over all peers (more are answered 429)' },
  { name: 'p2p-max-streams-per-peer', kind: 'int', default: '128', help: 'inbound p2p /http streams one peer may have open at once, over all its connections (more are answered 429)' },
  { name: 'p2p-max-connections', kind: 'int', default: '300', help: 'libp2p connections held at once (beyond it the least useful are closed)' },
  { name: 'p2p-max-connections-per-peer', kind: 'int', default: '8', help: 'libp2p connections one peer may hold to this server (more inbound ones are refused)' },
  { name: 'p2p-proxy-max-in-flight', kind: 'int', default: '256', help: 'requests the /p2p/<peer-id>/http/ proxy relays at once (more are answered 429)' },
  { name: 'p2p-proxy-max-in-flight-per-peer', kind: 'int', default: '64', help: 'requests the proxy relays at once to one peer (more are answered 429)' },
  { name: 'p2p-proxy-timeout', kind: 'int', default: '60000', help: 'ms the proxy waits for a peer\'s reply headers (then 504) or for a silent body either way' },
  { name: 'web-root', kind: 'string', value: 'DIR', help: 'serve the web UI from DIR (default: the package\'s dist/web, built when missing)' },
  { name: 'no-p2p', kind: 'flag', help: 'run without libp2p (no /http protocol, no /p2p/<peer-id>/http/ gateway)' },
]

const LOG_LEVELS = new Set(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])

/** Parses sizes such as 1024, 500k, 20m, 1g, 2t (binary multiples). */
export function parseSize(s: string): number {
  const m = /^(\d+)([kmgt]?)i?b?$/i.exec(s.trim())
  if (m === null) throw new ConfigError(`Invalid size '${s}' (use e.g. 500m or 2g)`)
  const mult = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't']
  const n = Number(m[1]) * mult
  if (!Number.isSafeInteger(n)) throw new ConfigError(`Size '${s}' is too large`)
  return n
}

function parseInt10(name: string, s: string): number {
  if (!/^\d+$/.test(s)) throw new ConfigError(`--${name} must be a non-negative integer, got '${s}'`)
  const n = Number(s)
  if (!Number.isSafeInteger(n)) throw new ConfigError(`--${name} is too large`)
  return n
}

/** Parses daemon arguments (`--name value`, `--name=value`, flags); unknown options are errors. */
export function parseDaemonArgs(args: readonly string[], env: Record<string, string | undefined> = {}): DaemonConfig {
  const values = new Map<string, string>()
  const specs = new Map(DAEMON_OPTIONS.map((o) => [o.name, o]))
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    if (!arg.startsWith('--')) throw new ConfigError(`Unexpected argument '${arg}'`)
    const eq = arg.indexOf('=')
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq)
    const spec = specs.get(name)
    if (spec === undefined) throw new ConfigError(`Unknown option --${name} (see 'peergos-ts daemon --help')`)
    if (spec.kind === 'flag') {
      if (eq >= 0) throw new ConfigError(`--${name} takes no value`)
      values.set(name, 'true')
      continue
    }
    const value = eq >= 0 ? arg.slice(eq + 1) : args[++i]
    if (value === undefined) throw new ConfigError(`--${name} needs a value`)
    values.set(name, value)
  }
  const get = (name: string): string | undefined => values.get(name) ?? specs.get(name)?.default
  const port = parseInt10('port', get('port')!)
  if (port > 65535) throw new ConfigError('--port must be at most 65535')
  const logLevel = get('log-level')!
  if (!LOG_LEVELS.has(logLevel)) throw new ConfigError(`--log-level must be one of ${[...LOG_LEVELS].join(', ')}`)
  const endpoint = get('s3-endpoint')
  let s3: S3Config | undefined
  if (endpoint !== undefined) {
    const bucket = get('s3-bucket')
    const accessKey = get('s3-access-key') ?? env.PEERGOS_S3_ACCESS_KEY
    const secretKey = get('s3-secret-key') ?? env.PEERGOS_S3_SECRET_KEY
    if (bucket === undefined || accessKey === undefined || secretKey === undefined) {
      throw new ConfigError('--s3-endpoint needs --s3-bucket, --s3-access-key and --s3-secret-key')
    }
    s3 = { endpoint, region: get('s3-region')!, bucket, accessKey, secretKey, prefix: get('s3-prefix')! }
  }
  const pkiNodeId = get('pki-node-id')
  if (pkiNodeId !== undefined) wrapped(() => parsePeerIdString(pkiNodeId), '--pki-node-id')
  const pkiIdentity = get('pki-identity')
  if (pkiIdentity !== undefined) wrapped(() => checkPublicKeyHash(parseCid(pkiIdentity)), '--pki-identity')
  const p2p = parseP2pOptions(values, get)
  const positive = (name: string): number => {
    const n = parseInt10(name, get(name)!)
    if (n === 0) throw new ConfigError(`--${name} must be at least 1`)
    return n
  }
  if (pkiNodeId !== undefined && p2p === undefined) throw new ConfigError('--pki-node-id needs p2p (a mirror pulls the PKI over libp2p): drop --no-p2p')
  return {
    dir: resolve(get('dir')!),
    host: get('host')!,
    port,
    publicServer: values.has('public-server'),
    postgres: get('postgres') ?? env.PEERGOS_POSTGRES,
    s3,
    requireSignupToken: values.has('require-signup-token'),
    defaultQuota: parseSize(get('default-quota')!),
    maxBodyBytes: parseSize(get('max-body')!),
    gcPeriodMs: parseInt10('gc-period', get('gc-period')!),
    importAccount: get('import-account'),
    logLevel: logLevel as DaemonConfig['logLevel'],
    p2p,
    pkiNodeId,
    pkiInit: values.has('pki-init'),
    pkiIdentity,
    pkiRefreshMs: parseInt10('pki-refresh', get('pki-refresh')!),
    maxDailySignups: parseInt10('max-daily-signups', get('max-daily-signups')!),
    webRoot: values.has('web-root') ? resolve(get('web-root')!) : undefined,
    requestTimeoutMs: positive('request-timeout'),
    headersTimeoutMs: positive('headers-timeout'),
    slowRequestMs: parseInt10('slow-request', get('slow-request')!),
    p2pLimits: {
      maxStreams: positive('p2p-max-streams'),
      maxStreamsPerPeer: positive('p2p-max-streams-per-peer'),
      maxConnections: positive('p2p-max-connections'),
      maxConnectionsPerPeer: positive('p2p-max-connections-per-peer'),
      proxyMaxInFlight: positive('p2p-proxy-max-in-flight'),
      proxyMaxInFlightPerPeer: positive('p2p-proxy-max-in-flight-per-peer'),
      proxyTimeoutMs: positive('p2p-proxy-timeout'),
    },
  }
}

/** Runs a parser of the p2p layer, turning its typed error into a ConfigError naming the option. */
function wrapped<T>(parse: () => T, option: string): T {
  try {
    return parse()
  } catch (e) {
    throw new ConfigError(`${option}: ${(e as Error).message}`)
  }
}

function parseP2pOptions(values: ReadonlyMap<string, string>, get: (name: string) => string | undefined): P2pConfig | undefined {
  if (values.has('no-p2p')) {
    const conflicting = ['p2p-listen', 'bootstrap', 'relay', 'relay-via'].filter((n) => values.has(n))
    if (conflicting.length > 0) throw new ConfigError(`--no-p2p cannot be combined with --${conflicting.join(', --')}`)
    return undefined
  }
  const listen = addressList(get('p2p-listen'))
  const bootstrap = addressList(get('bootstrap'))
  const relayVia = addressList(get('relay-via'))
  for (const a of listen) wrapped(() => parseListenAddress(a), '--p2p-listen')
  for (const a of bootstrap) wrapped(() => parsePeerAddress(a, 'bootstrap'), '--bootstrap')
  for (const a of relayVia) wrapped(() => parsePeerAddress(a, 'relay'), '--relay-via')
  const relay = values.has('relay')
  if (relay && listen.length === 0) throw new ConfigError('--relay needs a --p2p-listen address to relay on')
  return { listen, bootstrap, relay, relayVia }
}

export function daemonHelp(): string {
  const lines = DAEMON_OPTIONS.map((o) => {
    const flag = o.kind === 'flag' ? `--${o.name}` : `--${o.name} ${o.value ?? (o.kind === 'int' ? 'N' : o.kind === 'size' ? 'SIZE' : 'VALUE')}`
    const def = o.default !== undefined && o.default !== '' ? ` (default: ${o.default})` : ''
    return `  ${flag.padEnd(30)} ${o.help}${def}`
  })
  return `Usage: peergos-ts daemon [options]\n\nStarts a Peergos home server on embedded storage.\n\nOptions:\n${lines.join('\n')}\n  --help                         print this help\n`
}
