// The daemon's p2p side in one piece (reference §7.1): the libp2p node on the server identity, the
// `/http` protocol served by the daemon's own HTTP server, the /p2p/<peer-id>/http/ gateway for
// that server's `intercept`, and DIR/node.json, rewritten whenever our addresses change (a relay
// reservation arrives or is lost). With --no-p2p only node.json is written (no multiaddrs).
import type { Server } from 'node:http'
import { cidToString } from '../../codec/cid.ts'
import type { P2pConfig, P2pLimits } from '../config.ts'
import type { ServerIdentity } from '../identity.ts'
import type { Logger } from '../log.ts'
import { createP2pGateway, type Gateway } from './gateway.ts'
import { serveHttpOverP2p } from './http-protocol.ts'
import { NodeInfoWriter, type NodeInfo } from './node-info.ts'
import type { P2pNode } from './p2p-node.ts'

export interface DaemonP2pOptions {
  /** Undefined: run without libp2p. */
  readonly p2p?: P2pConfig
  /** Stream, connection and proxy limits (defaults: those of `peergos-ts daemon --help`). */
  readonly limits?: P2pLimits
  readonly dir: string
  readonly identity: ServerIdentity
  readonly pkiNodeId?: string
  /** Largest request body the gateway relays. */
  readonly maxBodyBytes: number
  readonly log: Logger
}

export interface DaemonP2p {
  /** Undefined with --no-p2p. */
  readonly node?: P2pNode
  /** For node-server's `intercept` option; undefined with --no-p2p. */
  readonly gateway?: Gateway
  /** Serves `/http` with the daemon's HTTP server and writes node.json. */
  attach(server: Server, apiUrl: string): Promise<void>
  /** What node.json holds now. */
  info(): NodeInfo
  close(): Promise<void>
}

export async function startDaemonP2p(o: DaemonP2pOptions): Promise<DaemonP2p> {
  // libp2p is loaded only when it runs.
  const node = o.p2p === undefined ? undefined : await (await import('./p2p-node.ts')).startP2pNode({
    identity: o.identity, listen: o.p2p.listen, bootstrap: o.p2p.bootstrap, relay: o.p2p.relay, relayVia: o.p2p.relayVia, log: o.log,
    maxConnections: o.limits?.maxConnections, maxConnectionsPerPeer: o.limits?.maxConnectionsPerPeer,
  })
  const gateway = node === undefined ? undefined : createP2pGateway({
    libp2p: node.libp2p,
    maxBodyBytes: o.maxBodyBytes,
    maxInFlight: o.limits?.proxyMaxInFlight,
    maxInFlightPerPeer: o.limits?.proxyMaxInFlightPerPeer,
    timeoutMs: o.limits?.proxyTimeoutMs,
    idleTimeoutMs: o.limits?.proxyTimeoutMs,
    onError: (err, path) => o.log.warn({ err: { name: (err as Error).name, message: (err as Error).message }, path }, 'p2p proxy request failed'),
  })
  const writer = new NodeInfoWriter(o.dir)
  let apiUrl = ''
  let stopServing: (() => Promise<void>) | undefined
  const info = (): NodeInfo => ({
    peerId: o.identity.peerIdString,
    id: cidToString(o.identity.id),
    pkiNodeId: o.pkiNodeId ?? o.identity.peerIdString,
    multiaddrs: node?.multiaddrs() ?? [],
    apiUrl,
    relay: o.p2p?.relay === true,
  })
  const rewrite = (): void => {
    writer.write(info()).catch((err) => o.log.error({ err }, 'could not write node.json'))
  }

  return {
    node,
    gateway,
    info,
    async attach(server, url) {
      apiUrl = url
      if (node !== undefined) {
        stopServing = await serveHttpOverP2p(node.libp2p, server, { maxStreams: o.limits?.maxStreams, maxStreamsPerPeer: o.limits?.maxStreamsPerPeer })
        node.libp2p.addEventListener('self:peer:update', rewrite)
      }
      await writer.write(info())
      o.log.info({ peerId: o.identity.peerIdString, multiaddrs: info().multiaddrs }, node === undefined ? 'p2p disabled' : 'p2p node listening')
    },
    async close() {
      if (node === undefined) return
      node.libp2p.removeEventListener('self:peer:update', rewrite)
      await stopServing?.().catch(() => {})
      await node.stop()
    },
  }
}
