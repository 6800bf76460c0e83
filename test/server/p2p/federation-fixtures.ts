// Fixtures of the federation tests: a PKI node and mirrors on 127.0.0.1, each mirror bootstrapped to
// the PKI node and to the servers started before it (so every server can reach every other home).
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster } from '../../../src/http/poster.ts'
import type { NetworkAccess } from '../../../src/services/network-access.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { servicesVia, startTestDaemon, type TestDaemon } from './fixtures.ts'

export function addressOf(d: TestDaemon): string {
  return d.p2p.node!.multiaddrs()[0]
}

/** The PKI node (`--pki-init`). */
export function startPkiNode(args: readonly string[] = []): Promise<TestDaemon> {
  return startTestDaemon(['--pki-init', ...args])
}

/** A server mirroring `pki`'s PKI, bootstrapped to it and to `peers`; connected to all of them when it resolves. */
export async function startMirror(pki: TestDaemon, peers: readonly TestDaemon[] = [], args: readonly string[] = []): Promise<TestDaemon> {
  const bootstrap = [pki, ...peers].map(addressOf).join(',')
  const d = await startTestDaemon(['--pki-node-id', pki.identity.peerIdString, '--bootstrap', bootstrap, ...args])
  await d.p2p.node!.ready()
  return d
}

/** A user signed up on `home` over its HTTP API (empty OpLog, then the identity's WriterData). */
export function signUpOn(home: TestDaemon, prefix: string): Promise<RemoteUser> {
  return RemoteUser.signUp(servicesVia(home), uniqueName(prefix))
}

export async function disposeAll(...ds: Array<TestDaemon | undefined>): Promise<void> {
  for (const d of ds) await d?.dispose().catch(() => {})
}

/** What the client library needs to talk to `d` over its HTTP API. */
export function networkOf(d: TestDaemon): NetworkAccess {
  return { crypto: d.crypto, ...httpNetworkServices(new FetchPoster(d.url, { timeoutMs: 60_000 })) }
}
