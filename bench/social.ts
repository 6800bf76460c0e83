// Social figures end to end: UserContexts over HTTP on loopback (FetchPoster) against a daemon in a
// child process (`node bin/peergos-ts.js daemon` on a temp dir, `--gc-period 0`).
// social.followRoundTrip.ms: one full follow handshake, from a requester's sendFollowRequest through
// the target's processing and accept-and-reciprocate reply to the requester processing that reply
// (both sides then follow each other, groups included). Each run uses a fresh requester; the first
// handshake also makes the target's groups, so it is a run of its own, reported separately.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { socialOf } from '../src/client/social/social.ts'
import { UserContext } from '../src/client/user-context.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import { FetchPoster } from '../src/http/poster.ts'
import type { NetworkAccess } from '../src/services/network-access.ts'
import { startDaemonProcess } from '../test/server/crash/daemon-process.ts'
import type { Figure } from './figures.ts'

const PASSWORD = 'a long and unusual bench password'
/** Timed handshakes (each with a new requester; signups beyond a few cost the requester more proof of work, untimed). */
const RUNS = 5

async function handshake(target: UserContext, requester: UserContext): Promise<number> {
  const t0 = performance.now()
  await socialOf(requester).sendFollowRequest(target.username)
  const [request] = await socialOf(target).followRequests()
  if (request?.from !== requester.username) throw new Error(`expected a request from ${requester.username}`)
  await socialOf(target).accept(request)
  await socialOf(requester).followRequests()
  const ms = performance.now() - t0
  if (!(await socialOf(requester).following()).includes(target.username)) throw new Error('the handshake did not complete')
  return ms
}

export async function run(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-social-'))
  const daemon = await startDaemonProcess(dir, { args: ['--gc-period', '0'], logLevel: 'error' })
  try {
    const net: NetworkAccess = { crypto: await createNodeCrypto(), ...httpNetworkServices(new FetchPoster(daemon.url)) }
    const target = await UserContext.signUp(net, 'target', PASSWORD)
    const first = await handshake(target, await UserContext.signUp(net, 'first', PASSWORD))
    const times: number[] = []
    for (let i = 0; i < RUNS; i++) times.push(await handshake(target, await UserContext.signUp(net, `requester${i}`, PASSWORD)))
    const sorted = [...times].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    return [
      { name: 'social.followRoundTrip.ms', value: median, unit: `ms (median of ${RUNS}; ${sorted[0].toFixed(0)}-${sorted[sorted.length - 1].toFixed(0)})` },
      { name: 'social.firstFollowRoundTrip.ms', value: first, unit: 'ms (the target makes its groups)' },
    ]
  } finally {
    await daemon.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
