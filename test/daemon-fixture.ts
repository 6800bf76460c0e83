// A daemon for client tests: a fresh temporary data directory, HTTP on a free port of 127.0.0.1,
// libp2p on a free loopback port (never the public default), no periodic GC, logs silent but for
// slow requests (on stderr, so a test that times out shows where the daemon waited); the client's
// services over HTTP to it; and deterministic test data.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FetchPoster } from '../src/http/poster.ts'
import { httpNetworkServices } from '../src/http/clients/network.ts'
import type { NetworkAccess } from '../src/services/network-access.ts'
import { parseDaemonArgs } from '../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../src/server/daemon.ts'
import { createLogger } from '../src/server/log.ts'

export interface TestDaemon {
  readonly daemon: RunningDaemon
  readonly dir: string
  /** Every service over HTTP (fetch, as in a browser) to this daemon. */
  readonly net: NetworkAccess
  close(): Promise<void>
}

/** Passes the daemon's "slow request" warnings to stderr and drops its other log lines (hostile-input tests make many). */
const slowRequestsToStderr = {
  write(line: string): void {
    if (line.includes('"msg":"slow request"')) process.stderr.write(`test daemon: ${line}`)
  },
}

export async function startTestDaemon(extraArgs: readonly string[] = []): Promise<TestDaemon> {
  const dir = await mkdtemp(join(tmpdir(), 'pts-daemon-'))
  const args = ['--dir', dir, '--port', '0', '--host', '127.0.0.1', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', ...extraArgs]
  const daemon = await startDaemon(parseDaemonArgs(args), createLogger('warn', slowRequestsToStderr))
  const net: NetworkAccess = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
  return {
    daemon, dir, net,
    async close() {
      await daemon.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

/** Deterministic pseudo-random bytes. */
export function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n)
  let x = seed
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0
    out[i] = x >>> 24
  }
  return out
}
