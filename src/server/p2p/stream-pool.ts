// Kept-alive `/http` streams to peergos-ts peers: a node:http Agent per peer whose connections are
// libp2p streams, so calls to a peer reuse an open stream instead of opening one each (a stream
// costs a multistream-select round trip, and a new stream's yamux window starts small). Peergos'
// Nabu serves one exchange per stream, so only peers whose identify agent names peergos-ts (ours
// does, see p2p-node.ts) get pooled streams; any other peer gets a fresh stream per request.
import { Agent, type ClientRequestArgs } from 'node:http'
import type { Duplex } from 'node:stream'
import type { Libp2p, PeerId } from '@libp2p/interface'
import type { StreamSocket } from './stream-socket.ts'

/** The libp2p node name of a peergos-ts server (its identify agent is "peergos-ts/<version> node/<version>"). */
export const AGENT_NAME = 'peergos-ts'

/** Streams kept per peer: in use at once (more requests wait for one), and idle. */
const MAX_STREAMS = 32
const MAX_IDLE_STREAMS = 16
/** An idle stream is closed after this; well under a peergos-ts server's keep-alive timeout (65 s). */
const IDLE_MS = 30_000

export type StreamOpener = (peer: PeerId, signal: AbortSignal) => Promise<StreamSocket>

interface Pool {
  readonly agents: Map<string, Agent>
  /** Whether a peer identified itself as peergos-ts (refreshed by identify). */
  readonly ours: Map<string, boolean>
}

const pools = new WeakMap<Libp2p, Pool>()

function poolOf(libp2p: Libp2p): Pool {
  let pool = pools.get(libp2p)
  if (pool === undefined) {
    const p: Pool = { agents: new Map(), ours: new Map() }
    libp2p.addEventListener('peer:identify', (evt) => {
      p.ours.set(evt.detail.peerId.toString(), isOurs(evt.detail.agentVersion))
    })
    libp2p.addEventListener('peer:disconnect', (evt) => {
      const peer = evt.detail.toString()
      p.agents.get(peer)?.destroy()
      p.agents.delete(peer)
    })
    pools.set(libp2p, p)
    pool = p
  }
  return pool
}

function isOurs(agentVersion: string | undefined): boolean {
  return agentVersion !== undefined && agentVersion.startsWith(`${AGENT_NAME}/`)
}

/** Whether `peer` is known to be a peergos-ts server (from identify, or the peer store once identified). */
async function peerIsOurs(libp2p: Libp2p, pool: Pool, peer: PeerId): Promise<boolean> {
  const key = peer.toString()
  const known = pool.ours.get(key)
  if (known !== undefined) return known
  try {
    const agent = (await libp2p.peerStore.get(peer)).metadata.get('AgentVersion')
    if (agent === undefined) return false // not identified yet: ask again next time
    const ours = isOurs(new TextDecoder().decode(agent))
    pool.ours.set(key, ours)
    return ours
  } catch {
    return false
  }
}

/**
 * The Agent that pools streams to `peer`, or undefined when the peer is not known to be peergos-ts.
 * `open` opens one stream (with its own dial timeout).
 */
export async function streamAgentFor(libp2p: Libp2p, peer: PeerId, open: StreamOpener, dialTimeoutMs: number): Promise<Agent | undefined> {
  const pool = poolOf(libp2p)
  if (!(await peerIsOurs(libp2p, pool, peer))) return undefined
  const key = peer.toString()
  let agent = pool.agents.get(key)
  if (agent === undefined) {
    const a = new Agent({ keepAlive: true, maxSockets: MAX_STREAMS, maxFreeSockets: MAX_IDLE_STREAMS, timeout: IDLE_MS, scheduling: 'lifo' })
    // node:http's Agent accepts a connection made asynchronously through the callback.
    a.createConnection = ((_options: ClientRequestArgs, done: (err: Error | null, socket?: Duplex) => void) => {
      open(peer, AbortSignal.timeout(dialTimeoutMs)).then((socket) => {
        // The peer half-closed: it takes no more requests on this stream.
        socket.once('end', () => socket.destroy())
        done(null, socket)
      }, (e: Error) => done(e))
      return undefined
    }) as unknown as Agent['createConnection']
    pool.agents.set(key, a)
    agent = a
  }
  return agent
}
