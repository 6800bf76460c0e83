// Peergos' `/http` libp2p protocol (Nabu HttpProtocol; reference §7.1): one HTTP/1.1 exchange per
// stream as Nabu does (between peergos-ts servers, several on a kept-alive stream: stream-pool.ts),
// the request's Host set to the target's base58 peer id. The initiator does not half-close
// after its request (Nabu closes only after the reply), so both ends frame by HTTP, never by EOF.
// Inbound streams become connections of the daemon's own node:http server (same routes, body
// limits, Host check and timeouts as TCP), tagged with the authenticated remote peer id. Streams
// beyond a per-peer or a total limit are answered 429 and closed unread.
import type { IncomingHttpHeaders, IncomingMessage, Server } from 'node:http'
import { request as httpRequest } from 'node:http'
import type { Readable } from 'node:stream'
import type { Libp2p, PeerId, Stream } from '@libp2p/interface'
import { errorReply } from '../../http/transport.ts'
import { PeergosError } from '../../errors.ts'
import { setConnectionPeer } from '../http/node-server.ts'
import { P2pStreamError, P2pStreamLimitError, P2pTimeoutError, PeerUnreachableError } from './errors.ts'
import { cidOfPeer } from './peer-ids.ts'
import { streamAgentFor } from './stream-pool.ts'
import { StreamSocket } from './stream-socket.ts'

export const HTTP_PROTOCOL = '/http'

/** Inbound and outbound `/http` streams per connection (libp2p's defaults, 32 and 64, are low for parallel block transfers). */
export const STREAMS_PER_CONNECTION = 256

export interface ServeOverP2pOptions {
  /** Inbound `/http` streams open at once over all peers (default 1024); more are refused with 429. */
  readonly maxStreams?: number
  /** Inbound `/http` streams one peer may have open at once, over all its connections (default 128); more are refused with 429. */
  readonly maxStreamsPerPeer?: number
}

export const DEFAULT_MAX_STREAMS = 1024
export const DEFAULT_MAX_STREAMS_PER_PEER = 128

/**
 * Refuses a stream over a limit with a 429 reply in Peergos' error convention (P2pStreamLimitError),
 * without reading its request, then closes it: the caller gets a typed error, not a bare reset.
 */
function refuseStream(stream: Stream, remotePeer: string, message: string): void {
  const r = errorReply(new P2pStreamLimitError(message))
  const head = [`HTTP/1.1 ${r.status} Too Many Requests`, ...Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`), 'Content-Length: 0', 'Connection: close', '', ''].join('\r\n')
  const socket = new StreamSocket(stream, remotePeer)
  socket.on('error', () => {})
  socket.resume() // whatever the peer sends meanwhile is dropped
  socket.end(head, () => socket.destroy())
}

/** Serves `/http` streams with `server` (emitted as connections); returns a function that stops it. */
export async function serveHttpOverP2p(libp2p: Libp2p, server: Server, o: ServeOverP2pOptions = {}): Promise<() => Promise<void>> {
  const max = o.maxStreams ?? DEFAULT_MAX_STREAMS
  const maxPerPeer = o.maxStreamsPerPeer ?? DEFAULT_MAX_STREAMS_PER_PEER
  let open = 0
  const perPeer = new Map<string, number>()
  await libp2p.handle(HTTP_PROTOCOL, (stream, connection) => {
    const peer = connection.remotePeer.toString()
    const mine = perPeer.get(peer) ?? 0
    if (mine >= maxPerPeer) return refuseStream(stream, peer, `Too many p2p HTTP streams from peer ${peer} (limit ${maxPerPeer})`)
    if (open >= max) return refuseStream(stream, peer, `Too many p2p HTTP streams (limit ${max})`)
    open++
    perPeer.set(peer, mine + 1)
    const socket = new StreamSocket(stream, peer)
    socket.once('close', () => {
      open--
      const left = (perPeer.get(peer) ?? 1) - 1
      if (left <= 0) perPeer.delete(peer)
      else perPeer.set(peer, left)
    })
    setConnectionPeer(socket, cidOfPeer(connection.remotePeer))
    server.emit('connection', socket)
  }, { maxInboundStreams: STREAMS_PER_CONNECTION, maxOutboundStreams: STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
  return () => libp2p.unhandle(HTTP_PROTOCOL)
}

export interface P2pRequestOptions {
  /** Until the reply's status and headers arrive, dial included (default 60 s, Peergos' proxy timeout). */
  readonly timeoutMs?: number
  /** A reply body silent this long fails (default 60 s). */
  readonly idleTimeoutMs?: number
  readonly signal?: AbortSignal
}

export interface P2pResponse {
  readonly status: number
  /** Header names and values as received (raw case, repeated names kept). */
  readonly rawHeaders: readonly string[]
  readonly headers: IncomingHttpHeaders
  /** The reply body; it errors with P2pStreamError or P2pTimeoutError if the stream breaks. */
  readonly body: Readable
}

/** Request headers (Host is always the peer's; a bytes body sets its own Content-Length). */
export type P2pRequestHeaders = ReadonlyArray<readonly [string, string]>

const DIAL_ERRORS_TIMEOUT = new Set(['AbortError', 'TimeoutError'])

async function openHttpStream(libp2p: Libp2p, peer: PeerId, signal: AbortSignal, timeout: AbortSignal): Promise<StreamSocket> {
  try {
    // (libp2p 3.3 negotiates the protocol fully, a round trip per stream: stream-pool.ts keeps
    // streams to peergos-ts peers open for later requests.)
    const stream = await libp2p.dialProtocol(peer, HTTP_PROTOCOL, { signal, maxOutboundStreams: STREAMS_PER_CONNECTION, runOnLimitedConnection: true })
    return new StreamSocket(stream, peer.toString())
  } catch (e) {
    const err = e as Error
    if (signal.aborted && !timeout.aborted) throw new P2pStreamError('Request aborted', { cause: e })
    if (timeout.aborted || DIAL_ERRORS_TIMEOUT.has(err.name)) throw new P2pTimeoutError(`Timed out reaching peer ${peer.toString()}`, { cause: e })
    if (err.name === 'UnsupportedProtocolError') throw new PeerUnreachableError(`Peer ${peer.toString()} does not serve ${HTTP_PROTOCOL}`, { cause: e })
    throw new PeerUnreachableError(`Cannot reach peer ${peer.toString()}: ${err.message}`, { cause: e })
  }
}

/**
 * One HTTP request to `peer` over a `/http` stream: a kept-alive one when the peer is peergos-ts
 * (stream-pool.ts), else a new one (on an existing connection when there is one, else dialled from
 * the peer store's addresses). `body` is bytes or a stream (sent chunked unless `headers` give a
 * Content-Length). Resolves with the reply once its headers arrive.
 */
export async function p2pHttpRequest(
  libp2p: Libp2p, peer: PeerId, method: string, path: string, headers: P2pRequestHeaders = [], body?: Uint8Array | Readable, o: P2pRequestOptions = {},
): Promise<P2pResponse> {
  if (!path.startsWith('/')) throw new TypeError('p2p request paths are absolute')
  const timeoutMs = o.timeoutMs ?? 60_000
  const timeout = AbortSignal.timeout(timeoutMs)
  const signal = o.signal === undefined ? timeout : AbortSignal.any([timeout, o.signal])
  const agent = await streamAgentFor(libp2p, peer, (p, dialSignal) => openHttpStream(libp2p, p, dialSignal, dialSignal), timeoutMs)
  // Without a pool: a stream of its own, closed once the reply has been read.
  const own = agent === undefined ? await openHttpStream(libp2p, peer, signal, timeout) : undefined
  const outgoing: string[] = []
  for (const [name, value] of headers) {
    const lower = name.toLowerCase()
    if (lower !== 'host' && !(lower === 'content-length' && body instanceof Uint8Array)) outgoing.push(name, value)
  }
  // Nabu's Sender: the Host is the target's base58 peer id.
  outgoing.push('Host', peer.toString())
  if (body instanceof Uint8Array) outgoing.push('Content-Length', String(body.length))
  return new Promise<P2pResponse>((resolve, reject) => {
    let settled = false
    const fail = (e: Error): void => {
      if (settled) return
      settled = true
      signal.removeEventListener('abort', onAbort)
      req.destroy(e)
      own?.destroy(e)
      reject(e)
    }
    const onAbort = (): void => fail(timeout.aborted ? new P2pTimeoutError(`No reply from peer ${peer.toString()} within ${timeoutMs} ms`) : new P2pStreamError('Request aborted'))
    const req = own === undefined
      ? httpRequest({ method, path, headers: outgoing, agent, setHost: false })
      : httpRequest({ method, path, headers: outgoing, createConnection: () => own, setHost: false })
    signal.addEventListener('abort', onAbort, { once: true })
    if (signal.aborted) return onAbort()
    // Errors of our own (a dial through the pool failing) pass as they are; node:http's are the stream breaking.
    req.on('error', (e) => fail(e instanceof PeergosError ? e : new P2pStreamError(`The stream to peer ${peer.toString()} broke: ${e.message}`, { cause: e })))
    req.on('response', (res: IncomingMessage) => {
      settled = true
      signal.removeEventListener('abort', onAbort)
      const socket = res.socket
      const stalled = (): void => {
        res.destroy(new P2pTimeoutError(`Reply from peer ${peer.toString()} stalled`))
      }
      socket.setTimeout(o.idleTimeoutMs ?? 60_000)
      socket.on('timeout', stalled)
      // A pooled stream carries later replies: this one's watch ends with it.
      const unwatch = (): void => {
        socket.off('timeout', stalled)
      }
      res.once('end', unwatch)
      res.once('close', unwatch)
      if (own !== undefined) {
        res.on('error', () => own.destroy())
        res.on('end', () => own.destroy())
      }
      // Refused while the body was still going out (413, or the server closes): stop sending it,
      // and end the stream with the reply (the server reads nothing more from it).
      if (body !== undefined && !(body instanceof Uint8Array) && !req.writableFinished && ((res.statusCode ?? 0) >= 400 || res.headers.connection === 'close')) {
        body.unpipe(req)
        const drop = (): void => {
          req.destroy()
        }
        res.once('end', drop)
        res.once('close', drop)
      }
      resolve({ status: res.statusCode ?? 0, rawHeaders: res.rawHeaders, headers: res.headers, body: res })
    })
    if (body === undefined) req.end()
    else if (body instanceof Uint8Array) req.end(body)
    else {
      // The body's own failure (e.g. a size limit) is the caller's error, not the stream's.
      body.once('error', (e) => {
        fail(e)
        req.destroy()
      })
      body.pipe(req)
    }
  })
}

/** Reads a whole reply body up to `max` bytes (for callers that want bytes, not a stream). */
export async function readP2pBody(res: P2pResponse, max: number): Promise<Uint8Array> {
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    total += chunk.length
    if (total > max) {
      res.body.destroy()
      throw new P2pStreamError(`Reply exceeds ${max} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}
