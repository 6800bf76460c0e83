// The p2p HTTP proxy on the daemon's HTTP server (reference §7.1; Nabu HttpProxyHandler and
// HttpProxyService): POST /p2p/<peer-id>/http/<path> opens a `/http` stream to that peer (over an
// open connection when there is one) and relays the request to its /<path>, streaming the body
// both ways. Our own peer id is served locally. Like Nabu it takes POST only (403 otherwise; GET of
// the web UI's static files outside /api and /peergos is relayed too, so a node's UI loads under
// this path and talks to that node's API through it) and,
// as Peergos binds its gateway to 127.0.0.1, only loopback clients unless told otherwise; requests
// that arrived over p2p are never proxied further. Failures are replied in Peergos' convention.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Transform, type TransformCallback } from 'node:stream'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { BodyTooLargeError } from '../../http/errors.ts'
import { errorReply, statusReply, type HttpResponse } from '../../http/transport.ts'
import { connectionPeer } from '../http/node-server.ts'
import { GatewayBusyError, InvalidP2pPathError, P2pStreamError, P2pTimeoutError } from './errors.ts'
import { p2pHttpRequest } from './http-protocol.ts'
import { parsePeerIdString } from './peer-ids.ts'

export const GATEWAY_PREFIX = '/p2p/'
const HTTP_SEGMENT = '/http/'

export interface GatewayOptions {
  readonly libp2p: Libp2p
  /** Largest request body relayed (Nabu aggregates at most 8 MiB). */
  readonly maxBodyBytes: number
  /** Requests relayed at once (default 256); more get 429. */
  readonly maxInFlight?: number
  /** Requests relayed at once to one peer (default 64), so one slow peer cannot take every slot; more get 429. */
  readonly maxInFlightPerPeer?: number
  /** Until the peer's reply headers arrive (default 60 s, Peergos' proxy timeout); then 504. */
  readonly timeoutMs?: number
  /** A body silent this long, either way, ends the exchange (default 60 s). */
  readonly idleTimeoutMs?: number
  /** Serve clients that are not on loopback too (default false). */
  readonly allowRemoteClients?: boolean
  readonly onError?: (error: unknown, path: string) => void
}

/** What node-server's `intercept` option takes. */
export type Gateway = (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => boolean

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those the proxy sets itself; `Trailer` carries Peergos' errors, so it passes. */
const NOT_RELAYED = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'upgrade', 'host', 'expect'])

function relayedHeaders(raw: readonly string[]): Array<[string, string]> {
  const named = new Set<string>()
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].toLowerCase() === 'connection') for (const n of raw[i + 1].split(',')) named.add(n.trim().toLowerCase())
  }
  const out: Array<[string, string]> = []
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    if (!NOT_RELAYED.has(name) && !named.has(name)) out.push([raw[i], raw[i + 1]])
  }
  return out
}

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.')
}

/** Counts the request body as it streams and fails it once it passes `limit`. */
class BodyLimit extends Transform {
  private seen = 0
  constructor(private readonly limit: number) {
    super()
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length
    if (this.seen > this.limit) done(new BodyTooLargeError(`Input exceeds maximum size of ${this.limit} bytes`))
    else done(null, chunk)
  }
}

/** The target of a gateway path: the peer and the path (with its query) to request there. */
export function parseGatewayTarget(url: string): { peer: PeerId; path: string } {
  const rest = url.slice(GATEWAY_PREFIX.length)
  const slash = rest.indexOf('/')
  if (slash < 0) throw new InvalidP2pPathError('Expecting p2p request to include path in url')
  const target = rest.slice(slash)
  if (!target.startsWith(HTTP_SEGMENT)) throw new InvalidP2pPathError('Expecting path to be a http request')
  let peer: PeerId
  try {
    peer = parsePeerIdString(rest.slice(0, slash))
  } catch {
    throw new InvalidP2pPathError('Invalid peer id in p2p path')
  }
  return { peer, path: target.slice(HTTP_SEGMENT.length - 1) }
}

/** The status a proxy failure is replied with: Peergos' 400 + Trailer, except busy, timeout and a broken stream. */
function failureReply(e: unknown): HttpResponse {
  const r = errorReply(e)
  if (e instanceof P2pTimeoutError) return { ...r, status: 504 }
  if (e instanceof P2pStreamError) return { ...r, status: 502 }
  return r
}

/** Replies without reading (the rest of) the body, then closes the connection. */
function replyAndClose(req: IncomingMessage, res: ServerResponse, r: HttpResponse): void {
  if (res.headersSent) {
    res.destroy()
    return
  }
  req.unpipe()
  req.pause()
  res.once('finish', () => setTimeout(() => req.socket.destroy(), 200).unref())
  const headers: Record<string, string | number> = { ...r.headers, Connection: 'close' }
  if (headers.Trailer === undefined) headers['Content-Length'] = r.body.length
  res.writeHead(r.status, headers)
  res.end(r.body)
}

/** A GET through the gateway of the web UI's files (anything of the peer outside its API), never of the API. */
function isWebUiGet(method: string | undefined, url: string): boolean {
  if (method !== 'GET') return false
  const rest = url.slice(GATEWAY_PREFIX.length)
  const http = rest.indexOf(HTTP_SEGMENT)
  if (http < 0) return false
  return !/^(api|peergos|p2p)(\/|$|\?)/.test(rest.slice(http + HTTP_SEGMENT.length))
}

export function createP2pGateway(o: GatewayOptions): Gateway {
  const maxInFlight = o.maxInFlight ?? 256
  const maxPerPeer = o.maxInFlightPerPeer ?? 64
  let inFlight = 0
  const perPeer = new Map<string, number>()

  const relay = async (req: IncomingMessage, res: ServerResponse, peer: PeerId, path: string, expectsContinue: boolean): Promise<void> => {
    if (req.method === 'GET') return relayGet(req, res, peer, path)
    if (expectsContinue) res.writeContinue()
    const body = new BodyLimit(o.maxBodyBytes)
    req.once('close', () => {
      if (!req.complete) body.destroy(new P2pStreamError('The client went away before its body was complete'))
    })
    req.pipe(body)
    // A client that goes away before the reply cancels the exchange with the peer.
    const gone = new AbortController()
    res.once('close', () => gone.abort())
    const upstream = await p2pHttpRequest(o.libp2p, peer, 'POST', path, relayedHeaders(req.rawHeaders), body, {
      timeoutMs: o.timeoutMs, idleTimeoutMs: o.idleTimeoutMs, signal: gone.signal,
    })
    const headers: string[] = []
    for (const [name, value] of relayedHeaders(upstream.rawHeaders)) headers.push(name, value)
    // The peer replied before taking the whole body (e.g. its own 413): the rest is never read, so
    // this connection cannot carry another request.
    if (!req.complete) {
      headers.push('Connection', 'close')
      req.unpipe(body)
      res.once('finish', () => setTimeout(() => req.socket.destroy(), 200).unref())
    }
    res.writeHead(upstream.status, headers)
    upstream.body.once('error', () => res.destroy())
    res.once('close', () => upstream.body.destroy())
    upstream.body.pipe(res)
  }

  /** A GET of the web UI's static files: no body, the reply streamed back. */
  const relayGet = async (req: IncomingMessage, res: ServerResponse, peer: PeerId, path: string): Promise<void> => {
    req.resume()
    const gone = new AbortController()
    res.once('close', () => gone.abort())
    const upstream = await p2pHttpRequest(o.libp2p, peer, 'GET', path, relayedHeaders(req.rawHeaders), undefined, {
      timeoutMs: o.timeoutMs, idleTimeoutMs: o.idleTimeoutMs, signal: gone.signal,
    })
    const headers: string[] = []
    for (const [name, value] of relayedHeaders(upstream.rawHeaders)) headers.push(name, value)
    res.writeHead(upstream.status, headers)
    upstream.body.once('error', () => res.destroy())
    res.once('close', () => upstream.body.destroy())
    upstream.body.pipe(res)
  }

  return (req, res, expectsContinue) => {
    const url = req.url ?? ''
    if (!url.startsWith(GATEWAY_PREFIX) || connectionPeer(req.socket) !== undefined) return false
    const path = url.split('?')[0]
    try {
      if ((req.method !== 'POST' && !isWebUiGet(req.method, url)) || (o.allowRemoteClients !== true && !isLoopback(req.socket.remoteAddress))) {
        replyAndClose(req, res, statusReply(403))
        return true
      }
      const target = parseGatewayTarget(url)
      if (target.peer.equals(o.libp2p.peerId)) {
        req.url = target.path
        return false
      }
      const declared = req.headers['content-length']
      if (declared !== undefined && Number(declared) > o.maxBodyBytes) throw new BodyTooLargeError(`Input exceeds maximum size of ${o.maxBodyBytes} bytes`)
      if (inFlight >= maxInFlight) throw new GatewayBusyError(`Too many requests through the p2p proxy (limit ${maxInFlight})`)
      const peer = target.peer.toString()
      const toPeer = perPeer.get(peer) ?? 0
      if (toPeer >= maxPerPeer) throw new GatewayBusyError(`Too many requests through the p2p proxy to peer ${peer} (limit ${maxPerPeer})`)
      inFlight++
      perPeer.set(peer, toPeer + 1)
      res.once('close', () => {
        inFlight--
        const left = (perPeer.get(peer) ?? 1) - 1
        if (left <= 0) perPeer.delete(peer)
        else perPeer.set(peer, left)
      })
      relay(req, res, target.peer, target.path, expectsContinue).catch((e) => {
        o.onError?.(e, path)
        replyAndClose(req, res, failureReply(e))
      })
    } catch (e) {
      o.onError?.(e, path)
      replyAndClose(req, res, failureReply(e))
    }
    return true
  }
}
