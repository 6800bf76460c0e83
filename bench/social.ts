// Social figures end to end: UserContexts over HTTP on loopback (NodePoster, or FetchPoster with
// PEERGOS_BENCH_POSTER=fetch: bench/poster-choice.ts) against a daemon in a
// child process (`node bin/peergos-ts.js daemon` on a temp dir, `--gc-period 0`).
// social.followRoundTrip.ms: one full follow handshake, from a requester's sendFollowRequest through
// the target's processing and accept-and-reciprocate reply to the requester processing that reply
// (both sides then follow each other, groups included). Each run uses a fresh requester; the first
// handshake also makes the target's groups, so it is a run of its own, reported separately.
// social.share1000Files.ms and social.revoke1000Files.ms: see shareAndRevoke (goals 1 s and 10 s).
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { socialOf } from '../src/client/social/social.ts'
import { UserContext } from '../src/client/user-context.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import type { NetworkAccess } from '../src/services/network-access.ts'
import { startDaemonProcess } from '../test/server/crash/daemon-process.ts'
import type { Figure } from './figures.ts'
import { benchPoster } from './poster-choice.ts'

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

/** Files in the folder shared and revoked. */
const FOLDER_FILES = 1000
const SHARE_RUNS = 3

/**
 * social.share1000Files.ms: sharing a folder of 1,000 small files read-only with one follower (the
 * median over SHARE_RUNS followers). social.revoke1000Files.ms: revoking one of them (the folder's
 * 1,000 files and itself get new keys, and the others shared with are sent the new capability).
 */
async function shareAndRevoke(target: UserContext, followers: readonly string[]): Promise<Figure[]> {
  const folder = '/target/shared-folder'
  await target.fs.mkdir(folder)
  const files = Array.from({ length: FOLDER_FILES }, (_, i) => ({ name: `file-${String(i).padStart(4, '0')}.txt`, data: new TextEncoder().encode(`small file ${i}\n`) }))
  for (let i = 0; i < files.length; i += 250) await target.fs.writeFiles(folder, files.slice(i, i + 250))
  const social = socialOf(target)
  const shares: number[] = []
  for (const f of followers.slice(0, SHARE_RUNS)) {
    const t0 = performance.now()
    await social.shareReadAccessWith(folder, [f])
    shares.push(performance.now() - t0)
  }
  shares.sort((a, b) => a - b)
  const t0 = performance.now()
  await social.unshareReadAccessWith(folder, [followers[0]])
  const revoke = performance.now() - t0
  if ((await social.sharedWith(folder)).read.length !== SHARE_RUNS - 1) throw new Error('the revocation left the wrong readers')
  if ((await target.fs.list(folder)).length !== FOLDER_FILES) throw new Error('the rotated folder lost files')
  return [
    { name: 'social.share1000Files.ms', value: shares[Math.floor(shares.length / 2)], unit: `ms (median of ${shares.length}; a folder of ${FOLDER_FILES} small files, read-only, one follower)` },
    { name: 'social.revoke1000Files.ms', value: revoke, unit: `ms (one reader of ${SHARE_RUNS} revoked: ${FOLDER_FILES + 1} items re-keyed, the others re-shared)` },
  ]
}

export async function run(): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-social-'))
  const daemon = await startDaemonProcess(dir, { args: ['--gc-period', '0'], logLevel: 'error' })
  const transport = benchPoster(daemon.url)
  try {
    const net: NetworkAccess = { crypto: await createNodeCrypto(), ...httpNetworkServices(transport.poster) }
    const target = await UserContext.signUp(net, 'target', PASSWORD)
    const first = await handshake(target, await UserContext.signUp(net, 'first', PASSWORD))
    const times: number[] = []
    const requesters: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const requester = await UserContext.signUp(net, `requester${i}`, PASSWORD)
      times.push(await handshake(target, requester))
      requesters.push(requester.username)
    }
    const sorted = [...times].sort((a, b) => a - b)
    const median = sorted[Math.floor(sorted.length / 2)]
    return [
      { name: 'social.followRoundTrip.ms', value: median, unit: `ms (median of ${RUNS}; ${sorted[0].toFixed(0)}-${sorted[sorted.length - 1].toFixed(0)}; ${transport.label})` },
      { name: 'social.firstFollowRoundTrip.ms', value: first, unit: 'ms (the target makes its groups)' },
      ...(await shareAndRevoke(target, requesters)),
    ]
  } finally {
    transport.close()
    await daemon.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
