// p2p figures on loopback with two daemons in child processes (`node bin/peergos-ts.js daemon`):
// B stores 1 MiB BAT-prefixed fragments of a user signed up on it; A is bootstrapped to B, and the
// fragments are fetched through A's /p2p/<B>/http/ proxy (HTTP to A, libp2p `/http` stream to B,
// B's block/get), several in flight, as a Peergos server reads blocks of a user homed elsewhere.
// Also a small API call (getPointer of the user's identity) made to B directly and through A's
// proxy (what the proxy adds per call), and a 100 MiB download of B's blocks by a client of A.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CID } from '../src/codec/cid.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import { p2pPrefix } from '../src/http/poster.ts'
import { parsePeerId } from '../src/http/wire.ts'
import { randomBat } from '../src/model/bat.ts'
import { calculateBatId, type BatWithId } from '../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../src/model/bat-prefix.ts'
import { concatBytes } from '../src/model/bytes.ts'
import { MAX_FRAGMENT_SIZE } from '../src/model/fragmented-cipher-text.ts'
import type { NodeInfo } from '../src/server/p2p/node-info.ts'
import { cpuSecondsOf, startDaemonProcess, type DaemonProcess } from '../test/server/crash/daemon-process.ts'
import { RemoteUser } from '../test/server/crash/remote-user.ts'
import { signBlock } from '../test/server/services/storage-fixtures.ts'
import { mbps, medianMs, type Figure } from './figures.ts'
import { NodePoster } from '../src/server/http/node-poster.ts'

const CONCURRENCY = 8
const ROUNDS = 3
const BLOCKS_PER_ROUND = 64
/** 100 MiB of 1 MiB fragments for p2p.proxyStream.MBps. */
const STREAM_BLOCKS = 100
const CALLS = 2000

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
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

export async function run(): Promise<Figure[]> {
  const c = await createNodeCrypto()
  const dirs = [await mkdtemp(join(tmpdir(), 'pts-bench-p2p-b-')), await mkdtemp(join(tmpdir(), 'pts-bench-p2p-a-')), await mkdtemp(join(tmpdir(), 'pts-bench-p2p-web-'))]
  // An empty web root: the daemons serve the API only (no UI bundle built at start).
  const web = ['--web-root', dirs[2]]
  const daemons: DaemonProcess[] = []
  const posters: NodePoster[] = []
  try {
    const b = await startDaemonProcess(dirs[0], { args: ['--gc-period', '0', '--default-quota', '1t', ...web], logLevel: 'error' })
    daemons.push(b)
    const bInfo = JSON.parse(await readFile(join(dirs[0], 'node.json'), 'utf8')) as NodeInfo
    const a = await startDaemonProcess(dirs[1], { args: ['--gc-period', '0', '--bootstrap', bInfo.multiaddrs[0], ...web], logLevel: 'error' })
    daemons.push(a)

    const direct = new NodePoster(b.url)
    const viaA = new NodePoster(a.url)
    posters.push(direct, viaA)
    const onB = { crypto: c, ...httpNetworkServices(direct) }
    const proxied = httpNetworkServices(viaA, { prefix: p2pPrefix(parsePeerId(bInfo.id)) })
    const user = await RemoteUser.signUp(onB, `bench${Date.now().toString(36)}`)
    const mirrorBatId = calculateBatId(c, randomBat(c))
    const blocks: Array<{ cid: CID; bat: BatWithId; size: number }> = []
    const tid = await onB.storage.startTransaction(user.owner)
    for (let i = 0; i < STREAM_BLOCKS; i++) {
      const bat = randomBat(c)
      const data = concatBytes(createRawBlockPrefix(bat, mirrorBatId), c.randomBytes(MAX_FRAGMENT_SIZE))
      const [cid] = await onB.storage.put(user.owner, user.owner, [signBlock(c, user.identity.signer, data)], [data], tid, true)
      blocks.push({ cid, bat: { bat, id: calculateBatId(c, bat) }, size: data.length })
    }

    // A small call: B's getPointer for the user's identity, directly and through A.
    const directPointers = httpNetworkServices(direct).pointers
    const call = async (pointers: typeof directPointers): Promise<void> => {
      if ((await pointers.getPointer(user.owner, user.owner)) === undefined) throw new Error('no pointer')
    }
    for (let i = 0; i < 200; i++) await Promise.all([call(directPointers), call(proxied.pointers)]) // warm-up
    // CPU time of the processes involved (this client, A, B) per call: what load on a shared machine does not distort.
    const clientCpu = (): number => process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6
    const cpuNow = (): number => cpuSecondsOf(a.pid) + cpuSecondsOf(b.pid) + clientCpu()
    let cpu0 = cpuNow()
    const directMs = await medianMs(CALLS, () => call(directPointers))
    const directCpuMs = ((cpuNow() - cpu0) * 1000) / CALLS
    cpu0 = cpuNow()
    const proxyMs = await medianMs(CALLS, () => call(proxied.pointers))
    const proxyCpuMs = ((cpuNow() - cpu0) * 1000) / CALLS

    const fetchBlocks = (list: typeof blocks): Promise<number> => timed(list, CONCURRENCY, async (blk) => {
      const got = await proxied.storage.get(user.owner, blk.cid, blk.bat)
      if (got === undefined || got.length !== blk.size) throw new Error(`block ${blk.cid} came back wrong through the proxy`)
    })
    const some = blocks.slice(0, BLOCKS_PER_ROUND)
    await fetchBlocks(blocks) // warm-up: JIT, the libp2p connection, B's caches
    const rates: number[] = []
    const bytes = some.reduce((n, blk) => n + blk.size, 0)
    for (let r = 0; r < ROUNDS; r++) rates.push(mbps(bytes, await fetchBlocks(some)))
    const streamRates: number[] = []
    const streamBytes = blocks.reduce((n, blk) => n + blk.size, 0)
    cpu0 = cpuNow()
    const each0 = [cpuSecondsOf(a.pid), cpuSecondsOf(b.pid), clientCpu()]
    for (let r = 0; r < ROUNDS; r++) streamRates.push(mbps(streamBytes, await fetchBlocks(blocks)))
    const streamMB = (ROUNDS * streamBytes) / 1e6
    const cpuPerMB = ((cpuNow() - cpu0) * 1000) / streamMB
    const [aMs, bMs, clientMs] = [cpuSecondsOf(a.pid), cpuSecondsOf(b.pid), clientCpu()].map((v, i) => ((v - each0[i]) * 1000) / streamMB)
    await onB.storage.closeTransaction(user.owner, tid)
    return [
      { name: 'http.directCall.ms', value: directMs, unit: `ms (median of ${CALLS} getPointer calls to B over its HTTP API, node:http client, kept-alive connection; CPU of client and B: ${directCpuMs.toFixed(2)} ms a call)` },
      { name: 'p2p.proxyCall.ms', value: proxyMs, unit: `ms (median of ${CALLS} getPointer calls to B through A's /p2p/<B>/http/ proxy over libp2p; the proxy adds ${(proxyMs - directMs).toFixed(2)} ms; CPU of client, A and B: ${proxyCpuMs.toFixed(2)} ms a call)` },
      { name: 'p2p.proxyBlockGet.MBps', value: median(rates), unit: `MB/s (1 MiB fragments with BAT from B through A's /p2p/ proxy over libp2p, ${CONCURRENCY} in flight, node:http client)` },
      { name: 'p2p.proxyStream.MBps', value: median(streamRates), unit: `MB/s (a ${STREAM_BLOCKS} MiB download of B's 1 MiB fragments by a client of A, through A's /p2p/ proxy over libp2p, ${CONCURRENCY} in flight; CPU of client, A and B: ${cpuPerMB.toFixed(1)} ms a MB: client ${clientMs.toFixed(1)}, A ${aMs.toFixed(1)}, B ${bMs.toFixed(1)})` },
    ]
  } finally {
    for (const p of posters) p.close()
    await Promise.all(daemons.map((d) => d.kill('SIGTERM')))
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })))
  }
}
