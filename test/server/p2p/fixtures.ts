// Fixtures of the p2p tests: daemons on temp dirs with libp2p on 127.0.0.1 (random ports), the HTTP
// services of a daemon or of a peer through its /p2p/<peer-id>/http/ gateway, bare libp2p nodes with
// fresh identities, an echoing `/http` peer, and plain HTTP calls whose whole reply is kept.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { request, type IncomingHttpHeaders } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cidToString, type CID } from '../../../src/codec/cid.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster, p2pPrefix } from '../../../src/http/poster.ts'
import { bytesReply, statusReply, type HttpRequest, type HttpResponse } from '../../../src/http/transport.ts'
import { parseDaemonArgs } from '../../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../../src/server/daemon.ts'
import { requestPeer, startHttpServer, type RunningHttpServer } from '../../../src/server/http/node-server.ts'
import { serverIdentityFromKeys, type ServerIdentity } from '../../../src/server/identity.ts'
import { createLogger } from '../../../src/server/log.ts'
import { serveHttpOverP2p } from '../../../src/server/p2p/http-protocol.ts'
import type { NodeInfo } from '../../../src/server/p2p/node-info.ts'
import { startP2pNode, type P2pNode, type P2pNodeOptions } from '../../../src/server/p2p/p2p-node.ts'
import { cidOfPeer } from '../../../src/server/p2p/peer-ids.ts'

export const LOOPBACK = '/ip4/127.0.0.1/tcp/0'

export interface TestDaemon extends RunningDaemon {
  readonly dir: string
  /** Closes the daemon and removes its directory. */
  dispose(): Promise<void>
}

/** A daemon on a fresh temp dir (unless `args` name one), libp2p on 127.0.0.1 (random port), GC off; `args` come after and win. */
export async function startTestDaemon(args: readonly string[] = []): Promise<TestDaemon> {
  const given = args.indexOf('--dir')
  const dir = given >= 0 ? args[given + 1] : await mkdtemp(join(tmpdir(), 'pts-p2p-'))
  const p2p = args.includes('--no-p2p') ? [] : ['--p2p-listen', LOOPBACK]
  const config = parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', ...p2p, ...args])
  const daemon = await startDaemon(config, createLogger((process.env.PEERGOS_TEST_LOG ?? 'silent') as 'silent'))
  return {
    ...daemon,
    dir,
    async dispose() {
      await daemon.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** The HTTP services of `daemon`, or of `peer` through `daemon`'s gateway. */
export function servicesVia(daemon: { url: string; crypto: CryptoProvider }, peer?: CID): HttpNetworkServices & { crypto: CryptoProvider } {
  const poster = new FetchPoster(daemon.url, { timeoutMs: 60_000 })
  return { crypto: daemon.crypto, ...httpNetworkServices(poster, peer === undefined ? {} : { prefix: p2pPrefix(peer) }) }
}

export async function readNodeInfo(dir: string): Promise<NodeInfo> {
  return JSON.parse(await readFile(join(dir, 'node.json'), 'utf8')) as NodeInfo
}

let crypto: CryptoProvider | undefined

export async function freshIdentity(): Promise<ServerIdentity> {
  crypto ??= await createNodeCrypto()
  return serverIdentityFromKeys(crypto.signKeyPairFromSeed(crypto.randomBytes(32)))
}

/** A bare libp2p node with a fresh identity, listening on loopback unless told otherwise. */
export async function startTestNode(o: Partial<P2pNodeOptions> = {}): Promise<P2pNode> {
  return startP2pNode({ identity: await freshIdentity(), listen: [LOOPBACK], maxRetryMs: 1_000, ...o })
}

export interface Reply {
  readonly status: number
  readonly headers: IncomingHttpHeaders
  readonly body: Buffer
}

/**
 * One request to `url` + `path` with node:http (any method, any headers), the whole reply read. A
 * server that refuses a body replies first and closes while the body is still being sent: the
 * reply then counts, the write error does not.
 */
export function httpCall(url: string, path: string, o: { method?: string; body?: Uint8Array; headers?: Record<string, string | number> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    let reply: { status: number; headers: IncomingHttpHeaders; chunks: Buffer[] } | undefined
    const done = (): void => resolve({ status: reply!.status, headers: reply!.headers, body: Buffer.concat(reply!.chunks) })
    const req = request({ host: u.hostname, port: u.port, path, method: o.method ?? 'POST', headers: { 'Content-Length': o.body?.length ?? 0, ...o.headers } }, (res) => {
      reply = { status: res.statusCode ?? 0, headers: res.headers, chunks: [] }
      res.on('data', (d: Buffer) => reply!.chunks.push(d))
      res.on('error', done)
      res.on('end', done)
    })
    req.on('error', (e) => (reply === undefined ? reject(e) : done()))
    req.end(o.body)
  })
}

/**
 * A libp2p node serving `/http` with a real node-server whose handler echoes `/echo` (16 MiB limit)
 * and `/small` (1 KiB limit) with the requester's peer id in X-Requester and the body's sha256 in
 * X-Sha256, and holds `/hold` until release() (or forever).
 */
export interface EchoPeer {
  readonly node: P2pNode
  readonly server: RunningHttpServer
  release(): void
  stop(): Promise<void>
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

export async function startEchoPeer(): Promise<EchoPeer> {
  const node = await startTestNode()
  let release: () => void = () => {}
  const held = new Promise<void>((r) => { release = r })
  const handler = async (req: HttpRequest): Promise<HttpResponse> => {
    const requester = requestPeer(req)
    const who = { 'X-Requester': requester === undefined ? 'none' : cidToString(requester) }
    if (req.path === '/echo' || req.path === '/small') return bytesReply(req.body, 'application/octet-stream', { ...who, 'X-Sha256': sha256Hex(req.body) })
    if (req.path === '/hold') {
      await held
      return statusReply(204)
    }
    return statusReply(404)
  }
  const maxBodySize = (_method: string, path: string): number => (path === '/small' ? 1024 : 16 * 1024 * 1024)
  const server = await startHttpServer(Object.assign(handler, { maxBodySize }), { peerIds: [cidOfPeer(node.peerId)] })
  await serveHttpOverP2p(node.libp2p, server.server)
  return {
    node,
    server,
    release: () => release(),
    async stop() {
      release()
      await server.close(100)
      await node.stop()
    },
  }
}
