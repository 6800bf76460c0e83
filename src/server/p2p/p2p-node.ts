// The server's libp2p node (reference §7.1; node-ecosystem §1, §3): TCP, Noise, yamux and identify,
// keyed by the daemon's persistent server identity so its peer id is the id storage reports.
// Nothing reaches out on its own: no DHT, bootstrap list, autoNAT, UPnP or relay discovery; only
// the configured bootstrap peers are dialled and the configured relays reserved (keepers.ts).
// `relay: true` adds a circuit relay v2 server without data or time limits on relayed connections.
// Limits: connections in all and per peer (a gater refuses a peer's connection beyond its share),
// inbound yamux streams per connection; the `/http` handler limits streams per peer (http-protocol.ts).
import '../../polyfill.ts' // libp2p 3 calls Promise.withResolvers, which Node 20 lacks
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { privateKeyFromRaw } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'
import { noise } from '@libp2p/noise'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { yamux } from '@libp2p/yamux'
import { createLibp2p, type Libp2pOptions } from 'libp2p'
import type { ServerIdentity } from '../identity.ts'
import type { Logger } from '../log.ts'
import { parseListenAddress, parsePeerAddress } from './addresses.ts'
import { P2pStartError } from './errors.ts'
import { bootstrapKeeper, relayKeeper, type Keeper } from './keepers.ts'
import { AGENT_NAME } from './stream-pool.ts'
import { PACKAGE_VERSION } from '../package-root.ts'

const VERSION = PACKAGE_VERSION

export interface P2pNodeOptions {
  readonly identity: ServerIdentity
  /** Multiaddrs to listen on (e.g. /ip4/0.0.0.0/tcp/4001); empty: dial out only. */
  readonly listen: readonly string[]
  /** Peers (multiaddrs ending /p2p/<id>) dialled at start and re-dialled whenever the connection drops. */
  readonly bootstrap?: readonly string[]
  /** Act as a circuit relay v2 for other nodes. */
  readonly relay?: boolean
  /** Relays (multiaddrs ending /p2p/<id>) to reserve a slot on and advertise `<relay>/p2p-circuit` addresses through. */
  readonly relayVia?: readonly string[]
  /** Connections held at once over all peers (default 300, libp2p's); beyond it libp2p prunes the least useful. */
  readonly maxConnections?: number
  /** Connections one peer may hold to us at once (default 8); more inbound ones are refused after the handshake. */
  readonly maxConnectionsPerPeer?: number
  /** How long keepers wait between failed attempts, at most (default 30 s; the first retry is after 0.5 s). */
  readonly maxRetryMs?: number
  readonly log?: Logger
}

export interface P2pNode {
  readonly libp2p: Libp2p
  readonly peerId: PeerId
  /** The addresses others can dial us on, each ending /p2p/<our id> (listening, and relayed once reserved). */
  multiaddrs(): string[]
  /** Resolves once every bootstrap peer has been connected and every relay holds a reservation for us. */
  ready(): Promise<void>
  stop(): Promise<void>
}

/** The daemon's Ed25519 server key as a libp2p private key (the 64-byte seed ‖ public key form). */
export function libp2pPrivateKey(identity: ServerIdentity): PrivateKey {
  const key = privateKeyFromRaw(identity.keys.secretKey)
  if (peerIdFromPrivateKey(key).toString() !== identity.peerIdString) throw new P2pStartError('The server key does not give the server peer id')
  return key
}

export const DEFAULT_MAX_CONNECTIONS = 300
export const DEFAULT_MAX_CONNECTIONS_PER_PEER = 8

/**
 * yamux: inbound streams per connection bounded (the `/http` handler has its own per-peer limit). A
 * stream's receive window may grow to 4 MiB, no more than a paused stream may buffer (yamux's
 * maxReadBufferLength; its default 16 MiB window would let a paused stream overflow and be reset).
 * The initial window stays the spec's 256 KiB: js-yamux assumes the remote's initial window is its
 * own, so a larger one would overrun a Peergos (Java) peer's window.
 */
const YAMUX = {
  maxInboundStreams: 512,
  maxOutboundStreams: 1024,
  streamOptions: { maxStreamWindowSize: 4 * 1024 * 1024, maxReadBufferLength: 4 * 1024 * 1024 },
}

export async function startP2pNode(o: P2pNodeOptions): Promise<P2pNode> {
  const privateKey = libp2pPrivateKey(o.identity)
  const listen = o.listen.map(parseListenAddress)
  const bootstrap = (o.bootstrap ?? []).map((a) => parsePeerAddress(a, 'bootstrap'))
  const relays = (o.relayVia ?? []).map((a) => parsePeerAddress(a, 'relay'))
  const retry = { maxRetryMs: o.maxRetryMs ?? 30_000, log: o.log }
  const maxPerPeer = o.maxConnectionsPerPeer ?? DEFAULT_MAX_CONNECTIONS_PER_PEER
  let self: Libp2p | undefined
  const options: Libp2pOptions<Record<string, unknown>> = {
    privateKey,
    // Identify's agent "peergos-ts/<version> node/<version>": peergos-ts peers keep `/http` streams open between requests (stream-pool.ts).
    nodeInfo: { name: AGENT_NAME, version: VERSION },
    addresses: { listen: listen.map((a) => a.toString()) },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux(YAMUX)],
    connectionManager: { maxConnections: o.maxConnections ?? DEFAULT_MAX_CONNECTIONS },
    // Once a connection is authenticated: refused when its peer already holds the most it may.
    connectionGater: { denyInboundUpgradedConnection: async (peer) => self !== undefined && self.getConnections(peer).length >= maxPerPeer },
    services: {
      identify: identify(),
      // No data or duration limit: relayed peers are servers whose API (blocks up to 1 MiB) runs through it.
      ...(o.relay === true ? { relay: circuitRelayServer({ reservations: { applyDefaultLimit: false } }) } : {}),
      ...(bootstrap.length > 0 ? { bootstrapKeeper: bootstrapKeeper(bootstrap, retry) } : {}),
      ...(relays.length > 0 ? { relayKeeper: relayKeeper(relays, retry) } : {}),
    },
    start: false,
  }
  const libp2p = await createLibp2p(options)
  self = libp2p
  try {
    await libp2p.start()
  } catch (e) {
    await Promise.resolve(libp2p.stop()).catch(() => {})
    throw new P2pStartError(`libp2p could not listen on ${o.listen.join(', ')}: ${(e as Error).message}`, { cause: e })
  }
  const keepers = [libp2p.services.bootstrapKeeper, libp2p.services.relayKeeper].filter((k): k is Keeper => k !== undefined)
  const ourId = libp2p.peerId.toString()
  return {
    libp2p,
    peerId: libp2p.peerId,
    multiaddrs: () => libp2p.getMultiaddrs().map((a) => (a.getComponents().at(-1)?.name === 'p2p' ? a : a.encapsulate(`/p2p/${ourId}`)).toString()),
    ready: () => Promise.all(keepers.map((k) => k.ready)).then(() => {}),
    stop: async () => {
      await libp2p.stop()
    },
  }
}
