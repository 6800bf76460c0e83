// Client figures end to end: a UserContext over HTTP on loopback against a daemon on embedded
// storage in a temp dir (`--gc-period 0`), in a child process by default (so client and server each
// have a core) or in this process with PEERGOS_BENCH_DAEMON=inprocess. The transport is the Node
// client's, NodePoster (node:http, what the CLI uses), or with PEERGOS_BENCH_POSTER=fetch the
// browser's, FetchPoster (fetch: undici in Node, ~2x the CPU per request and per MB). Signup, login,
// mkdir, 100 MiB upload and download, 4 KiB files one by one and 100 per writeFiles batch, and the
// listing of a 10,000-file directory. Each figure is the median of several runs; the unit names the
// runs' range, and a table of every run with the client's and the daemon's CPU goes to stderr.
// PEERGOS_BENCH_CPU_PROF=<dir>: the child daemon writes a V8 CPU profile there when it stops, this
// process writes client.cpuprofile (node:inspector) and phases.json, the monotonic-clock window of
// every timed run, so bench/profile-summary.ts can attribute both profiles to each figure.
import { randomFillSync } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Session } from 'node:inspector/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { constants, PerformanceObserver } from 'node:perf_hooks'
import { setFlagsFromString } from 'node:v8'
import { UserContext } from '../src/client/user-context.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../src/crypto/provider.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import { FetchPoster, type PostOptions, type Poster } from '../src/http/poster.ts'
import { parseDaemonArgs } from '../src/server/config.ts'
import { NodePoster } from '../src/server/http/node-poster.ts'
import { startDaemon, type RunningDaemon } from '../src/server/daemon.ts'
import { createLogger } from '../src/server/log.ts'
import { tuneHeapGrowth } from '../src/server/v8-heap.ts'
import type { NetworkAccess } from '../src/services/network-access.ts'
import { fileCreateCostMicros } from './fs-create-cost.ts'
import { cpuSecondsOf, startDaemonProcess, type DaemonProcess } from '../test/server/crash/daemon-process.ts'
import { mbps, type Figure } from './figures.ts'
import { posterKind } from './poster-choice.ts'

const MiB = 1024 * 1024
const PASSWORD = 'a long and unusual bench password'
const TRANSFER_BYTES = 100 * MiB
const TRANSFER_RUNS = 3
/** Sign-ins (the signup runs are one before each of the five sections of measure()). */
const LOGIN_RUNS = 5
/**
 * The PKI prices signups by their recent rate (Peergos' DifficultyGenerator): for ~6.4 s after any
 * signup the next one must carry proof of work of difficulty 12 or more (up to ~1 s of hashing). The
 * signup runs are spaced by at least this much (the other sections run in between) so each is
 * priced as a signup on a quiet server.
 */
const SIGNUP_GAP_MS = 7_000
const MKDIR_RUNS = 5
const MKDIRS_PER_RUN = 10
const SMALL_FILE = 4 * 1024
const SMALL_RUNS = 5
const SMALL_FILES_PER_RUN = 20
const BATCH = 100
const LIST_FILES = 10_000
/** Files per writeFiles call while the 10k directory is built. */
const LIST_BUILD_BATCH = 500
const LIST_RUNS = 5
const WARM_LIST_RUNS = 2
/**
 * Fresh sign-ins that list the directory before the timed ones, shown in the table but not in the
 * figure: the first listings through champ/get/bulk run cold code at both ends (the writing client's
 * listings come from its cache and exercise neither the fetch path nor the daemon's lookups), as the
 * warm-up sign-in before client.login.ms and the warm-up writes before mkdir and small files do.
 */
const FRESH_WARM_LIST_RUNS = 2
/** Listing runs stop once they took this long in all (at least LIST_MIN_RUNS), so the suite stays near 3 minutes. */
const LIST_BUDGET_MS = 45_000
const LIST_MIN_RUNS = 1

/** The daemon under test, in a child process or in this one. */
interface Daemon {
  readonly url: string
  readonly mode: 'child' | 'inprocess'
  /** CPU seconds the daemon has used so far (undefined in-process: it is this process). */
  cpu(): number | undefined
  stop(): Promise<void>
}

async function startBenchDaemon(dir: string, profDir: string | undefined): Promise<Daemon> {
  const args = ['--gc-period', '0', '--default-quota', '1t']
  if (process.env.PEERGOS_BENCH_DAEMON === 'inprocess') {
    // libp2p on loopback with an ephemeral port, as startDaemonProcess does (it plays no part in these figures).
    const config = parseDaemonArgs(['--dir', dir, '--port', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', ...args])
    const d: RunningDaemon = await startDaemon(config, createLogger('silent'))
    return { url: d.url, mode: 'inprocess', cpu: () => undefined, stop: () => d.close() }
  }
  const p: DaemonProcess = await startDaemonProcess(dir, {
    args,
    logLevel: 'error',
    nodeArgs: profDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir],
  })
  return {
    url: p.url,
    mode: 'child',
    cpu: () => cpuSecondsOf(p.pid),
    // SIGTERM: a graceful stop, so a --cpu-prof profile gets written.
    stop: async () => void (await p.kill('SIGTERM')),
  }
}

/** One timed run's window on the monotonic clock (µs, the clock of V8's CPU profiles). */
interface Phase {
  readonly figure: string
  readonly startUs: number
  readonly endUs: number
}

/** Requests to one route: how many, and the bytes of their URLs and bodies. */
interface RouteCount {
  n: number
  urlBytes: number
  bodyBytes: number
}

/**
 * Counts the requests by route (around any Poster). For FetchPoster its fetch also sends a request
 * again, once, when the daemon closed the idle keep-alive connection just as the request went out on
 * it ("other side closed": the daemon never read it). Under load the client's event loop can be busy
 * past undici's idle-socket deadline, and a suite of thousands of requests then meets that race now
 * and then; the retries are counted in the table.
 */
class RequestCounter {
  readonly routes = new Map<string, RouteCount>()
  keepAliveRetries = 0

  /** `poster`, counting each request by route with the bytes of its URL and body. */
  counted(poster: Poster): Poster {
    return {
      post: (path: string, body?: Uint8Array, options?: PostOptions): Promise<Uint8Array> => {
        const route = path.split('?')[0].replace(/^\/api\/v0\//, '')
        const r = this.routes.get(route) ?? { n: 0, urlBytes: 0, bodyBytes: 0 }
        r.n++
        r.urlBytes += path.length
        r.bodyBytes += body?.length ?? 0
        this.routes.set(route, r)
        return poster.post(path, body, options)
      },
    }
  }

  readonly fetch: typeof fetch = async (input, init) => {
    try {
      return await fetch(input, init)
    } catch (e) {
      if (!isKeepAliveRace(e)) throw e
      this.keepAliveRetries++
      return fetch(input, init)
    }
  }

  /** The counts since `before` (a snapshot), busiest route first. */
  since(before: ReadonlyMap<string, RouteCount>): ({ route: string } & RouteCount)[] {
    const out: ({ route: string } & RouteCount)[] = []
    for (const [route, r] of this.routes) {
      const b = before.get(route) ?? { n: 0, urlBytes: 0, bodyBytes: 0 }
      if (r.n > b.n) out.push({ route, n: r.n - b.n, urlBytes: r.urlBytes - b.urlBytes, bodyBytes: r.bodyBytes - b.bodyBytes })
    }
    return out.sort((a, b) => b.n - a.n)
  }

  snapshot(): Map<string, RouteCount> {
    return new Map([...this.routes].map(([k, v]) => [k, { ...v }]))
  }
}

function isKeepAliveRace(e: unknown): boolean {
  const cause = (e as { cause?: { code?: unknown; message?: unknown } } | undefined)?.cause
  return cause?.code === 'UND_ERR_SOCKET' && cause.message === 'other side closed'
}

interface Runs {
  readonly values: number[]
  /** Requests of all runs, by route. */
  readonly requests: Map<string, RouteCount>
  clientCpu: number
  daemonCpu: number | undefined
  wallMs: number
  /** Operations of all runs (files, directories, or MiB transferred), when a run counts them: the table then shows CPU per operation. */
  ops: number
  /** What one operation is, in the table ('op', or 'MiB' for the transfers). */
  opName: string
  /** The client's full (mark-compact) collections during the runs. */
  majorGcs: number
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The client's full (mark-compact) collections so far: a transfer's garbage of external buffers shows here first. */
let majorGcs = 0
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majorGcs++
}).observe({ entryTypes: ['gc'] })

function monotonicUs(): number {
  return Number(process.hrtime.bigint() / 1000n)
}

class Recorder {
  readonly phases: Phase[] = []
  readonly runs = new Map<string, Runs>()
  private readonly loadAtStart = loadavg()

  constructor(private readonly daemon: Daemon, private readonly requests: RequestCounter) {}

  /** Times `fn` as one run of `figure`; `value` turns its milliseconds into the figure's value. */
  async run<T>(figure: string, fn: () => Promise<T>, value: (ms: number, result: T) => number, ops = 0, opName = 'op'): Promise<T> {
    const r: Runs = this.runs.get(figure) ?? { values: [], requests: new Map(), clientCpu: 0, daemonCpu: this.daemon.mode === 'child' ? 0 : undefined, wallMs: 0, ops: 0, opName, majorGcs: 0 }
    this.runs.set(figure, r)
    const cpu0 = process.cpuUsage()
    const d0 = this.daemon.cpu()
    const req0 = this.requests.snapshot()
    const startUs = monotonicUs()
    const gc0 = majorGcs
    const t0 = performance.now()
    const result = await fn()
    const ms = performance.now() - t0
    await new Promise((resolve) => setImmediate(resolve)) // the collections' performance entries arrive a turn later
    r.majorGcs += majorGcs - gc0
    this.phases.push({ figure, startUs, endUs: monotonicUs() })
    for (const q of this.requests.since(req0)) {
      const t = r.requests.get(q.route) ?? { n: 0, urlBytes: 0, bodyBytes: 0 }
      r.requests.set(q.route, { n: t.n + q.n, urlBytes: t.urlBytes + q.urlBytes, bodyBytes: t.bodyBytes + q.bodyBytes })
    }
    const cpu = process.cpuUsage(cpu0)
    r.clientCpu += (cpu.user + cpu.system) / 1e6
    const d1 = this.daemon.cpu()
    if (r.daemonCpu !== undefined && d0 !== undefined && d1 !== undefined) r.daemonCpu += d1 - d0
    r.wallMs += ms
    r.ops += ops
    r.values.push(value(ms, result))
    return result
  }

  figure(name: string, unit: string): Figure {
    const r = this.runs.get(name)!
    const v = r.values
    const range = `median of ${v.length} runs, range ${fmt(Math.min(...v))}–${fmt(Math.max(...v))}`
    return { name, value: median(v), unit: `${unit}; ${range}` }
  }

  /** Every run of every figure, with where the CPU went (to stderr, so stdout keeps the figure lines). */
  table(): string {
    const lines = [`load average (1, 5, 15 min) ${this.loadAtStart.map((x) => x.toFixed(2)).join(' ')} at the start, ${loadavg().map((x) => x.toFixed(2)).join(' ')} at the end (other work on this machine inflates every figure)`, `${'figure'.padEnd(34)} ${'runs'.padEnd(56)} client CPU/wall  daemon CPU/wall`]
    for (const [name, r] of this.runs) {
      const share = (cpu: number | undefined): string => (cpu === undefined ? '(in-process)' : `${((cpu / (r.wallMs / 1000)) * 100).toFixed(0)}%`)
      const runs = r.values.length > 8 ? `${r.values.length} runs, median ${fmt(median(r.values))}, range ${fmt(Math.min(...r.values))}–${fmt(Math.max(...r.values))}` : r.values.map(fmt).join(' ')
      const perOp = r.ops === 0 ? '' : `  CPU per ${r.opName}: client ${fmt((r.clientCpu * 1000) / r.ops)} ms, daemon ${r.daemonCpu === undefined ? '(in-process)' : `${fmt((r.daemonCpu * 1000) / r.ops)} ms`}; client full GCs per run ${fmt(r.majorGcs / r.values.length)}`
      lines.push(`${name.padEnd(34)} ${runs.padEnd(56)} ${share(r.clientCpu).padStart(15)}  ${share(r.daemonCpu).padStart(15)}${perOp}`)
    }
    lines.push('', `HTTP requests per run, by route (count, mean request-target bytes, mean body bytes); ${this.requests.keepAliveRetries} sent again after a keep-alive race:`)
    for (const [name, r] of this.runs) {
      const k = r.values.length
      const routes = [...r.requests].sort((a, b) => b[1].n - a[1].n).map(([route, q]) => `${route} ${fmt(q.n / k)} (${fmt(q.urlBytes / q.n)} B, ${fmt(q.bodyBytes / q.n)} B)`)
      lines.push(`  ${name}: ${routes.join(', ')}`)
    }
    return lines.join('\n')
  }

  /** Requests per run by route, for phases.json. */
  requestsPerRun(): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {}
    for (const [name, r] of this.runs) out[name] = Object.fromEntries([...r.requests].map(([route, q]) => [route, q.n / r.values.length]))
    return out
  }
}

function fmt(x: number): string {
  return String(Number(x.toPrecision(3)))
}

function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let off = 0; off < n; off += 65536) randomFillSync(out, off, Math.min(65536, n - off))
  return out
}

/** Compares pieces with `expected` as they arrive (each may be reused by its reader once the next is asked for). */
function sameBytesStreamed(expected: Uint8Array): { next(p: Uint8Array): void; done(): boolean } {
  let off = 0
  let same = true
  return {
    next(p) {
      if (same && (off + p.length > expected.length || Buffer.compare(p, expected.subarray(off, off + p.length)) !== 0)) same = false
      off += p.length
    },
    done: () => same && off === expected.length,
  }
}

/** A fresh username per account (Peergos names: lowercase letters and digits, at most 32). */
function usernameFactory(): () => string {
  const stamp = Date.now().toString(36)
  let n = 0
  return () => `cb${stamp}${(n++).toString(36)}`
}

async function measure(c: CryptoProvider, daemon: Daemon, rec: Recorder, requests: RequestCounter, poster: Poster): Promise<void> {
  const net: NetworkAccess = { crypto: c, ...httpNetworkServices(requests.counted(poster)) }
  const nextName = usernameFactory()

  // Accounts: signup (keys, scrypt, one OpLog, then the sign-in it ends with) and sign-in. The signup
  // runs go between the other sections, each at least SIGNUP_GAP_MS after the one before.
  const warmName = nextName()
  await (await UserContext.signUp(net, warmName, PASSWORD)).close()
  let lastSignup = performance.now()
  const signupRun = async (): Promise<void> => {
    const wait = lastSignup + SIGNUP_GAP_MS - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
    const ctx = await rec.run('client.signup.ms', () => UserContext.signUp(net, nextName(), PASSWORD), (ms) => ms)
    lastSignup = performance.now()
    await ctx.close()
  }
  await (await UserContext.signIn(net, warmName, PASSWORD)).close()
  for (let i = 0; i < LOGIN_RUNS; i++) await (await rec.run('client.login.ms', () => UserContext.signIn(net, warmName, PASSWORD), (ms) => ms)).close()

  // The directory the writing client builds and every fresh sign-in lists.
  const many = `/${warmName}/many`
  const listed = (n: number): void => {
    if (n !== LIST_FILES) throw new Error(`listed ${n} of ${LIST_FILES} files`)
  }
  // The writing client's sections in a function of their own: once it returns, nothing reaches the
  // client, so the fresh sign-ins below list in a heap without its caches, as a new process would.
  // Kept reachable, its ~25 MB of decoded blocks and entries cost each later listing 35–55 ms of GC
  // marking (two alternated pairs: 574 → 538 and 627 → 574 ms).
  const asTheWriter = async (): Promise<void> => {
    const user = await UserContext.signIn(net, warmName, PASSWORD)
    const fs = user.fs
    const home = `/${warmName}`
    const data = randomBytes(TRANSFER_BYTES)
    const small = randomBytes(SMALL_FILE)
    const batch = (prefix: string, n: number): { name: string; data: Uint8Array }[] => Array.from({ length: n }, (_, i) => ({ name: `${prefix}${i}`, data: small }))

    const sections: (() => Promise<void>)[] = [
      async () => {
        // mkdir: new directories side by side in one parent.
        await fs.mkdir(`${home}/dirs`)
        await fs.mkdir(`${home}/dirs/warm`)
        for (let r = 0; r < MKDIR_RUNS; r++) {
          await rec.run('client.mkdir.ms', async () => {
            for (let i = 0; i < MKDIRS_PER_RUN; i++) await fs.mkdir(`${home}/dirs/d${r}-${i}`)
          }, (ms) => ms / MKDIRS_PER_RUN, MKDIRS_PER_RUN)
        }
      },
      async () => {
        // 100 MiB in one writeFile.
        await fs.mkdir(`${home}/big`)
        await fs.writeFile(`${home}/big/warm.bin`, data.subarray(0, 12 * MiB))
        for (let r = 0; r < TRANSFER_RUNS; r++) {
          await rec.run('client.upload100MiB.MBps', () => fs.writeFile(`${home}/big/f${r}.bin`, data), (ms) => mbps(TRANSFER_BYTES, ms), TRANSFER_BYTES / MiB, 'MiB')
        }
      },
      async () => {
        // ... and back through the streamed reader as a streaming consumer does (each piece used before
        // the next is asked for: `reuse`, so the reader opens chunks into a few reused buffers), every
        // piece compared byte for byte with what was uploaded as it arrives (inside the timing).
        for await (const _ of fs.readFile(`${home}/big/warm.bin`, { reuse: true })) void _
        for (let r = 0; r < TRANSFER_RUNS; r++) {
          const same = await rec.run('client.download100MiB.MBps', async () => {
            const check = sameBytesStreamed(data)
            for await (const p of fs.readFile(`${home}/big/f${r}.bin`, { reuse: true })) check.next(p)
            return check.done()
          }, (ms) => mbps(TRANSFER_BYTES, ms), TRANSFER_BYTES / MiB, 'MiB')
          if (!same) throw new Error(`download ${r} differs from what was uploaded`)
        }
      },
      async () => {
        // 4 KiB files, one writeFile each.
        await fs.mkdir(`${home}/small`)
        await fs.writeFile(`${home}/small/warm`, small)
        for (let r = 0; r < SMALL_RUNS; r++) {
          await rec.run('client.smallFile4KiB.ms', async () => {
            for (let i = 0; i < SMALL_FILES_PER_RUN; i++) await fs.writeFile(`${home}/small/s${r}-${i}`, small)
          }, (ms) => ms / SMALL_FILES_PER_RUN, SMALL_FILES_PER_RUN)
        }
      },
      async () => {
        // 4 KiB files, 100 per writeFiles batch, each batch into a directory of its own.
        await fs.mkdir(`${home}/batched`)
        await fs.writeFiles(`${home}/batched`, batch('warm', BATCH))
        for (let r = 0; r < SMALL_RUNS; r++) {
          await fs.mkdir(`${home}/batched/b${r}`)
          await rec.run('client.smallFile4KiB.batched.ms', () => fs.writeFiles(`${home}/batched/b${r}`, batch('f', BATCH)), (ms) => ms / BATCH, BATCH)
        }
      },
    ]
    for (const section of sections) {
      await signupRun()
      await section()
    }

    // A directory of 10,000 files (4 KiB each, built with writeFiles batches), listed whole by the
    // client that wrote it (its verified-block cache holds the blocks it wrote; not a figure).
    await fs.mkdir(many)
    for (let i = 0; i < LIST_FILES; i += LIST_BUILD_BATCH) {
      const n = Math.min(LIST_BUILD_BATCH, LIST_FILES - i)
      await rec.run('(building the 10k directory, ms/file)', () => fs.writeFiles(many, batch(`f${i / LIST_BUILD_BATCH}-`, n)), (ms) => ms / n)
    }
    for (let r = 0; r < WARM_LIST_RUNS; r++) listed((await rec.run('(list10k by the writing client, ms)', () => fs.list(many), (ms) => ms)).length)
    await user.close()
  }
  await asTheWriter()
  // The figure: a fresh sign-in each run, which has to fetch the directory from the daemon.
  for (let r = 0; r < FRESH_WARM_LIST_RUNS; r++) {
    const fresh = await UserContext.signIn(net, warmName, PASSWORD)
    listed((await rec.run('(list10k warm-up by a fresh sign-in, ms)', () => fresh.fs.list(many), (ms) => ms)).length)
    await fresh.close()
  }
  let listing = 0
  for (let r = 0; r < LIST_RUNS && (r < LIST_MIN_RUNS || listing < LIST_BUDGET_MS); r++) {
    const fresh = await UserContext.signIn(net, warmName, PASSWORD)
    const t0 = performance.now()
    listed((await rec.run('client.list10k.ms', () => fresh.fs.list(many), (ms) => ms)).length)
    listing += performance.now() - t0
    await fresh.close()
  }
}

export async function run(): Promise<Figure[]> {
  // the client process tuned as the CLI's (cli/main.ts) and the daemon's: without it a 100 MiB download
  // ran 8-13 full collections instead of 3-5 (bench/client-profile.md, sixth pass)
  const tuned = tuneHeapGrowth()
  const c = await createNodeCrypto()
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-client-'))
  const createCostAtStart = fileCreateCostMicros(dir)
  const profDir = process.env.PEERGOS_BENCH_CPU_PROF
  let daemon: Daemon | undefined
  let profiler: Session | undefined
  let rec: Recorder | undefined
  let nodePoster: NodePoster | undefined
  try {
    daemon = await startBenchDaemon(dir, profDir)
    if (profDir !== undefined) {
      profiler = new Session()
      profiler.connect()
      await profiler.post('Profiler.enable')
      await profiler.post('Profiler.start')
    }
    const requests = new RequestCounter()
    rec = new Recorder(daemon, requests)
    const kind = posterKind()
    const poster = kind === 'fetch' ? new FetchPoster(daemon.url, { timeoutMs: 120_000, fetch: requests.fetch }) : (nodePoster = new NodePoster(daemon.url, { timeoutMs: 120_000 }))
    await measure(c, daemon, rec, requests, poster)
    const where = daemon.mode === 'child' ? 'daemon in a child process' : 'daemon in-process'
    const via = `${kind === 'fetch' ? 'FetchPoster' : 'NodePoster'} over loopback, ${where}`
    const creates = `a file create cost ${createCostAtStart.toFixed(0)} µs of CPU on this file system at the start, ${fileCreateCostMicros(dir).toFixed(0)} at the end`
    return [
      rec.figure('client.signup.ms', `ms per signup (keys, scrypt, OpLog, then sign-in; runs ${SIGNUP_GAP_MS / 1000} s apart, so no proof of work; ${via})`),
      rec.figure('client.login.ms', `ms per sign-in (PKI, scrypt, login data, home; ${via})`),
      rec.figure('client.mkdir.ms', `ms per mkdir (one directory, ${MKDIRS_PER_RUN} in a row per run; ${via}; ${creates})`),
      rec.figure('client.upload100MiB.MBps', `MB/s (100 MiB writeFile, encrypted, fsynced; ${via})`),
      rec.figure('client.download100MiB.MBps', `MB/s (100 MiB streamed readFile, verified, decrypted and compared piece by piece; ${via})`),
      rec.figure('client.smallFile4KiB.ms', `ms per file (4 KiB writeFile, ${SMALL_FILES_PER_RUN} in a row per run; ${via}; ${creates})`),
      rec.figure('client.smallFile4KiB.batched.ms', `ms per file (4 KiB, ${BATCH} per writeFiles; ${via})`),
      rec.figure('client.list10k.ms', `ms per list of a ${LIST_FILES}-file directory by a fresh sign-in (${via})`),
    ]
  } finally {
    if (profiler !== undefined) {
      const { profile } = await profiler.post('Profiler.stop')
      await writeFile(join(profDir!, 'client.cpuprofile'), JSON.stringify(profile))
      profiler.disconnect()
    }
    if (profDir !== undefined && rec !== undefined) await writeFile(join(profDir, 'phases.json'), JSON.stringify({ mode: daemon?.mode, requestsPerRun: rec.requestsPerRun(), phases: rec.phases }, null, 1))
    if (rec !== undefined) console.error(rec.table())
    nodePoster?.close()
    await daemon?.stop()
    await rm(dir, { recursive: true, force: true })
    if (tuned !== undefined) setFlagsFromString('--heap-growing-percent=0') // V8's default (its own factor) for the suites after this one
  }
}
