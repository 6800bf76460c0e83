// Home-server figures over HTTP on loopback to a daemon in a child process (`node bin/peergos-ts.js
// daemon` on a temp dir): 1 MiB BAT-prefixed raw block put/get throughput with several requests in
// flight, signed pointer updates per second (parallel CAS chains), and the daemon's CPU seconds per GB.
import { readFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CID } from '../src/codec/cid.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../src/crypto/provider.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import { FetchPoster } from '../src/http/poster.ts'
import { NodePoster } from '../src/server/http/node-poster.ts'
import { randomBat } from '../src/model/bat.ts'
import { calculateBatId, type BatWithId } from '../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../src/model/bat-prefix.ts'
import { MAX_FRAGMENT_SIZE, fragmentWithRoom } from '../src/model/fragmented-cipher-text.ts'
import { nextSequence } from '../src/model/pointer-update.ts'
import { encodeWriterData } from '../src/model/writer-data.ts'
import { startDaemonProcess, type DaemonProcess } from '../test/server/crash/daemon-process.ts'
import { RemoteUser } from '../test/server/crash/remote-user.ts'
import { signBlock, signPointer, type WriterState } from '../test/server/services/storage-fixtures.ts'
import { mbps, type Figure } from './figures.ts'
import { LeanPoster } from './lean-poster.ts'

/** Requests in flight for block puts and gets (a Peergos client uploads and downloads fragments in parallel). */
const BLOCK_CONCURRENCY = 8
const ROUNDS = 3
const BLOCKS_PER_ROUND = 160
/**
 * Puts before timing starts, ten rounds' worth, so that the figures measure a warmed daemon as a
 * long-running home server is. V8 optimises a function run once per request only after many requests,
 * and the daemon's isolates (main thread, writing workers) each compile their own code: after 320
 * warm-up puts the optimising compiler still ran 103 jobs (454 ms of its threads) during 960 measured
 * puts, after 1,600 warm-up puts 37 jobs (193 ms). The daemon's CPU per round of 160 puts from a cold
 * start, two runs: 2.52-2.85 s/GB over the first ten rounds, 2.23-2.25 from the eleventh on
 * (bench/server-profile.md, pass 9). The 320 of passes 5-8 measured part of that start-up.
 * The daemon's temp directory holds ~2.2 GB of blocks until the suite ends. PEERGOS_BENCH_WARM_PUTS sets
 * another count.
 */
const WARM_PUTS = Number(process.env.PEERGOS_BENCH_WARM_PUTS ?? 10 * BLOCKS_PER_ROUND)
const WRITERS = 8
const UPDATES_PER_WRITER = 1000
/** Updates per writer before timing starts (the JIT, key, ownership and WriterData caches warm up). */
const WARM_UPDATES = 200

/**
 * The client of these figures is a load generator, LeanPoster (bench/lean-poster.ts: keep-alive
 * sockets reading every reply into one reused buffer), as a server is measured with wrk: on a 2-core
 * machine the client's CPU comes out of the server's core. Receiving a 1 MiB block costs node:http
 * ~3.4 CPU s per GB, more than the daemon's ~2.4 for serving it (allocations and the full collections
 * their garbage starts), so with it the figures would measure the client. PEERGOS_BENCH_LOADGEN picks
 * another: `node` (NodePoster, node:http, what the CLI uses) or `fetch` (FetchPoster, undici).
 */
type LoadGenerator = 'lean' | 'node' | 'fetch'

function loadGenerator(): LoadGenerator {
  const v = process.env.PEERGOS_BENCH_LOADGEN ?? (process.env.PEERGOS_BENCH_FETCH === '1' ? 'fetch' : 'lean')
  if (v !== 'lean' && v !== 'node' && v !== 'fetch') throw new Error(`PEERGOS_BENCH_LOADGEN must be lean, node or fetch, not ${v}`)
  return v
}

interface Fragment {
  readonly data: Uint8Array
  readonly signature: Uint8Array
  readonly bat: BatWithId
  cid?: CID
}

/**
 * A fragment as a client uploads it: BAT prefix (inline BAT + the user's mirror BAT id) ‖ 1 MiB of
 * ciphertext, built with room around it as the client builds its fragments (fragmentWithRoom), so that
 * encodeBlockWriteGroup writes the request around it instead of copying the megabyte into a new body.
 * The load generator is apparatus, like wrk: what it spends on copies and their GC comes out of the
 * daemon's share of the 2 cores.
 */
function fragment(c: CryptoProvider, user: RemoteUser, mirrorBatId: CID): Fragment {
  const bat = randomBat(c)
  const data = fragmentWithRoom(createRawBlockPrefix(bat, mirrorBatId), c.randomBytes(MAX_FRAGMENT_SIZE))
  return { data, signature: signBlock(c, user.identity.signer, data), bat: { bat, id: calculateBatId(c, bat) } }
}

/** User and system CPU seconds of a live process (Linux /proc/<pid>/stat, fields 14 and 15). */
function cpuOf(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { user: Number(fields[11]) / CLOCK_TICKS, system: Number(fields[12]) / CLOCK_TICKS }
}
/** USER_HZ: 100 on every Linux this runs on (getconf CLK_TCK). */
const CLOCK_TICKS = 100

/** The 1-minute load average (the machine is shared: wall-clock figures depend on it). */
function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0])
}

/** Runs `fn` over `items` with `limit` calls in flight; returns the elapsed milliseconds. */
async function timed<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<number> {
  let next = 0
  const t0 = performance.now()
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
  return performance.now() - t0
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

export async function run(): Promise<Figure[]> {
  const c = await createNodeCrypto()
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-server-'))
  // PEERGOS_BENCH_CPU_PROF=<dir>: the daemon writes a V8 CPU profile there when it stops.
  const profDir = process.env.PEERGOS_BENCH_CPU_PROF
  let daemon: DaemonProcess | undefined
  let closePoster: (() => void) | undefined
  try {
    daemon = await startDaemonProcess(dir, {
      args: ['--gc-period', '0', '--default-quota', '1t'],
      logLevel: 'error',
      nodeArgs: profDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', profDir],
    })
    const gen = loadGenerator()
    const poster = gen === 'fetch' ? new FetchPoster(daemon.url, { timeoutMs: 60_000 }) : gen === 'node' ? new NodePoster(daemon.url) : new LeanPoster(daemon.url, 16)
    if (poster instanceof NodePoster || poster instanceof LeanPoster) closePoster = () => poster.close()
    const client = gen === 'fetch' ? 'fetch client' : gen === 'node' ? 'node:http client' : 'lean load generator'
    const net = { crypto: c, ...httpNetworkServices(poster) }
    const user = await RemoteUser.signUp(net, `bench${Date.now().toString(36)}`)
    const mirrorBatId = calculateBatId(c, randomBat(c))
    const tid = await net.storage.startTransaction(user.owner)
    const putFragment = async (f: Fragment): Promise<void> => {
      ;[f.cid] = await net.storage.put(user.owner, user.owner, [f.signature], [f.data], tid, true)
    }

    // Warm-up (JIT, connections, directories), then rounds of fresh fragments.
    await timed(Array.from({ length: WARM_PUTS }, () => fragment(c, user, mirrorBatId)), BLOCK_CONCURRENCY, putFragment)
    const stored: Fragment[] = []
    const putRates: number[] = []
    const loads: number[] = []
    let putBytes = 0
    const putCpu = { user: 0, system: 0 }
    for (let r = 0; r < ROUNDS; r++) {
      const round = Array.from({ length: BLOCKS_PER_ROUND }, () => fragment(c, user, mirrorBatId))
      const bytes = round.reduce((n, f) => n + f.data.length, 0)
      loads.push(loadAverage())
      const cpu0 = cpuOf(daemon.pid)
      const ms = await timed(round, BLOCK_CONCURRENCY, putFragment)
      const cpu1 = cpuOf(daemon.pid)
      putCpu.user += cpu1.user - cpu0.user
      putCpu.system += cpu1.system - cpu0.system
      putBytes += bytes
      putRates.push(mbps(bytes, ms))
      stored.push(...round)
    }

    const getRates: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      loads.push(loadAverage())
      const round = stored.slice(r * BLOCKS_PER_ROUND, (r + 1) * BLOCKS_PER_ROUND)
      let bytes = 0
      const ms = await timed(round, BLOCK_CONCURRENCY, async (f) => {
        const got = await net.storage.get(user.owner, f.cid!, f.bat)
        if (got === undefined || got.length !== f.data.length) throw new Error(`block ${f.cid} came back wrong`)
        bytes += got.length
      })
      getRates.push(mbps(bytes, ms))
    }

    // Pointer updates: WRITERS owned writers, each a CAS chain over WriterData blocks stored beforehand.
    const writers: WriterState[] = []
    for (let i = 0; i < WRITERS; i++) writers.push(await user.addWriter())
    const chains = await Promise.all(writers.map(async (w) => {
      const blocks = Array.from({ length: UPDATES_PER_WRITER }, (_, i) => encodeWriterData({ ...w.wd, tree: stored[i % stored.length].cid! }))
      const cids: CID[] = []
      for (let i = 0; i < blocks.length; i += 100) cids.push(...(await user.put(w.signer, blocks.slice(i, i + 100), false, tid)))
      let target = w.target
      let seq = w.sequence
      return cids.map((cid) => {
        const signed = signPointer(c, w.signer, target, cid, nextSequence(seq))
        target = cid
        seq = nextSequence(seq)
        return signed
      })
    }))
    const apply = (from: number, to: number): Promise<unknown> => Promise.all(writers.map(async (w, i) => {
      for (let k = from; k < to; k++) {
        if (!(await net.pointers.setPointer(user.owner, w.hash, chains[i][k]))) throw new Error(`pointer update ${k} of writer ${i} refused`)
      }
    }))
    await apply(0, WARM_UPDATES)
    loads.push(loadAverage())
    const t0 = performance.now()
    await apply(WARM_UPDATES, UPDATES_PER_WRITER)
    const applied = WRITERS * (UPDATES_PER_WRITER - WARM_UPDATES)
    const pointerRate = (applied / (performance.now() - t0)) * 1000
    await net.storage.closeTransaction(user.owner, tid)

    const gb = putBytes / 1e9
    const load = `load average ${Math.min(...loads)}–${Math.max(...loads)} on ${availableParallelism()} cores`
    return [
      { name: 'server.blockPut.MBps', value: median(putRates), unit: `MB/s (1 MiB raw fragments + BAT prefix over HTTP, ${BLOCK_CONCURRENCY} in flight, fsynced, ${client}; ${load})` },
      { name: 'server.blockGet.MBps', value: median(getRates), unit: `MB/s (1 MiB raw fragments with BAT over HTTP, ${BLOCK_CONCURRENCY} in flight, ${client}; ${load})` },
      { name: 'server.pointerUpdate.perSec', value: pointerRate, unit: `signed CAS updates/s over HTTP (${WRITERS} writers in parallel, ${client}; ${load})` },
      {
        name: 'server.cpuSecondsPerGB',
        value: (putCpu.user + putCpu.system) / gb,
        unit: `daemon CPU s per GB stored (1 MiB puts, ${BLOCK_CONCURRENCY} in flight, after ${WARM_PUTS} warm-up puts; user ${(putCpu.user / gb).toFixed(2)} + system ${(putCpu.system / gb).toFixed(2)}; ${load})`,
      },
    ]
  } finally {
    // SIGTERM: a graceful stop, so a --cpu-prof profile gets written.
    closePoster?.()
    await daemon?.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
