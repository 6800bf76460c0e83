// Serves an http-layer handler (src/http/router.ts) over node:http (reference §7.1, §7.2; security
// checklist 35, 36): Host header check (Peergos SubdomainHandler), per-route body limits enforced
// while streaming, request/header/idle timeouts, and a graceful close. Connections handed over by
// the p2p layer (libp2p `/http` streams) carry their authenticated peer id to the handler. Bodies of
// routes that keep nothing of them, and pooled replies (blocks read for block/get), reuse pooled buffers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { CID } from '../../codec/cid.ts'
import { BodyTooLargeError } from '../../http/errors.ts'
import { allowedHosts, isAllowedHost, type AllowedHosts } from '../../http/host.ts'
import { errorReply, parseTarget, statusReply, type HttpRequest, type HttpResponse } from '../../http/transport.ts'
import type { BufferPool } from '../buffer-pool.ts'
import { declaredTooLarge, readBody, type BodyAlignment } from './body.ts'
import { attachSocketApi } from './socket-api.ts'
import { watchRequest, type RequestWatch, type SlowRequestOptions } from './slow-requests.ts'

/** What the server needs of a handler: createApiHandler's result satisfies it. */
export interface ServedHandler {
  (req: HttpRequest): Promise<HttpResponse>
  maxBodySize(method: string, path: string): number
  /** Whether the route keeps nothing of the request body once the handler's promise settled (createApiHandler's bodyIsTransient). */
  bodyIsTransient?(method: string, path: string): boolean
}

export interface NodeServerOptions {
  /** Listen address (default 127.0.0.1). */
  readonly host?: string
  /** Listen port (default 0: any free port). */
  readonly port?: number
  /** Extra Host header values naming this server (public host names, with port when not default). */
  readonly publicHosts?: readonly string[]
  /** This node's peer ids, accepted as Host for requests through the p2p proxy. */
  readonly peerIds?: readonly CID[]
  /** Whole request, headers and body (default 60 s). */
  readonly requestTimeoutMs?: number
  /** Headers alone (default 20 s): slowloris. */
  readonly headersTimeoutMs?: number
  /** Idle keep-alive connections (default 65 s). */
  readonly keepAliveTimeoutMs?: number
  /** Request line + headers (default 16 KiB). */
  readonly maxHeaderSize?: number
  /** How often request and header timeouts are checked (default 1 s; Node's own default is 30 s). */
  readonly timeoutCheckIntervalMs?: number
  /** Simultaneous connections (default unlimited). */
  readonly maxConnections?: number
  /** Errors of the transport itself (handler errors are the router's). */
  readonly onError?: (error: unknown) => void
  /**
   * Sees each request (after the Host check) before the handler and returns true when it took it
   * (the p2p gateway streams `/p2p/<peer-id>/http/...` itself). It may rewrite `req.url` and return false.
   */
  readonly intercept?: (req: IncomingMessage, res: ServerResponse, expectsContinue: boolean) => boolean
  /** Buffers for the bodies of routes whose body is transient; released once the handler settled. */
  readonly bodyPool?: BufferPool
  /** With an aligned bodyPool: which byte of a pooled body to place page-aligned (the daemon: a block write's first block). */
  readonly alignBody?: BodyAlignment
  /**
   * A reply body leased from this pool (a block the store read for block/get) is released once
   * written whole to the socket: nothing else holds it (see FileBlockStoreOptions.readPool).
   */
  readonly replyPool?: BufferPool
  /** Reports requests that stay open long, with where they wait (slow-requests.ts); none by default. */
  readonly slowRequests?: SlowRequestOptions
}

/** The peer id the p2p transport authenticated for a connection (a libp2p stream as a socket). */
const connectionPeers = new WeakMap<object, CID>()
const requestPeers = new WeakMap<HttpRequest, CID>()

/** Marks a connection the p2p layer hands to the server as coming from `peer` (its libp2p remote peer). */
export function setConnectionPeer(socket: object, peer: CID): void {
  connectionPeers.set(socket, peer)
}

/** The authenticated peer of a connection that came over p2p; undefined for plain TCP. */
export function connectionPeer(socket: object): CID | undefined {
  return connectionPeers.get(socket)
}

/** The router's `requester`: the authenticated peer id of the node that sent `req`, or undefined over plain HTTP. */
export function requestPeer(req: HttpRequest): CID | undefined {
  return requestPeers.get(req)
}

export interface RunningHttpServer {
  readonly port: number
  /** "http://127.0.0.1:<port>" */
  readonly url: string
  readonly server: Server
  /** Stops accepting, lets in-flight requests finish for up to `graceMs` (default 5 s), then cuts the rest. */
  close(graceMs?: number): Promise<void>
}

function hostValues(req: IncomingMessage): string[] {
  const out: string[] = []
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'host') out.push(req.rawHeaders[i + 1])
  return out
}

function headerMap(req: IncomingMessage): Map<string, string> {
  const out = new Map<string, string>()
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i].toLowerCase()
    const prev = out.get(name)
    out.set(name, prev === undefined ? req.rawHeaders[i + 1] : `${prev}, ${req.rawHeaders[i + 1]}`)
  }
  return out
}

function send(res: ServerResponse, r: HttpResponse, close = false, replyPool?: BufferPool): void {
  const headers: Record<string, string | number> = { ...r.headers }
  // A Trailer header makes Node (like Java's HttpServer for length 0) send the reply chunked.
  if (headers.Trailer === undefined) headers['Content-Length'] = r.body.length
  if (close) headers.Connection = 'close'
  // 'finish': the socket has taken every byte. A reply cut short keeps its buffer (the GC takes it).
  if (replyPool?.isLeased(r.body) === true) res.once('finish', () => replyPool.release(r.body))
  res.writeHead(r.status, headers)
  res.end(r.body)
}

/** Replies without reading the body, then drops the connection shortly after (the client may still be sending). */
function refuse(req: IncomingMessage, res: ServerResponse, r: HttpResponse): void {
  req.pause()
  res.once('finish', () => setTimeout(() => req.socket.destroy(), 200).unref())
  send(res, r, true)
}

interface ServerState {
  hosts: AllowedHosts
  intercept?: NodeServerOptions['intercept']
  bodyPool?: BufferPool
  alignBody?: BodyAlignment
  replyPool?: BufferPool
  slowRequests?: SlowRequestOptions
  /** Set by close(): replies then carry "Connection: close" so kept-alive connections end with them. */
  closing: boolean
}

async function serve(handler: ServedHandler, state: ServerState, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean): Promise<void> {
  if (!isAllowedHost(hostValues(req), state.hosts)) return refuse(req, res, statusReply(404))
  if (state.intercept?.(req, res, expectsContinue) === true) return
  const target = req.url ?? ''
  if (!target.startsWith('/')) return refuse(req, res, statusReply(400))
  let parsed: ReturnType<typeof parseTarget>
  try {
    parsed = parseTarget(target)
  } catch (e) {
    return refuse(req, res, errorReply(e))
  }
  const method = req.method ?? ''
  const watch = watchRequest(state.slowRequests, method, parsed.path)
  try {
    await serveParsed(handler, state, req, res, expectsContinue, method, parsed, watch)
  } finally {
    watch.end()
  }
}

async function serveParsed(handler: ServedHandler, state: ServerState, req: IncomingMessage, res: ServerResponse, expectsContinue: boolean, method: string, parsed: ReturnType<typeof parseTarget>, watch: RequestWatch): Promise<void> {
  const limit = handler.maxBodySize(method, parsed.path)
  const tooLarge = (): void => refuse(req, res, errorReply(new BodyTooLargeError(`Input exceeds maximum size of ${limit} bytes`)))
  if (declaredTooLarge(req, limit)) return tooLarge()
  // "Expect: 100-continue" is answered only once the request passed every check above.
  if (expectsContinue) res.writeContinue()
  const pool = state.bodyPool !== undefined && handler.bodyIsTransient?.(method, parsed.path) === true ? state.bodyPool : undefined
  const body = await readBody(req, limit, pool, pool === undefined ? undefined : state.alignBody)
  if (!body.ok) return tooLarge()
  const request: HttpRequest = { method, path: parsed.path, query: parsed.query, headers: headerMap(req), body: body.body }
  const peer = connectionPeers.get(req.socket)
  if (peer !== undefined) requestPeers.set(request, peer)
  let response: HttpResponse
  watch.stage = 'handler'
  try {
    response = await handler(request)
  } finally {
    // The route keeps nothing of a transient body once its handler settled.
    if (pool !== undefined) pool.release(body.body)
  }
  watch.stage = 'reply'
  send(res, response, state.closing, state.replyPool)
}

export async function startHttpServer(handler: ServedHandler, options: NodeServerOptions = {}): Promise<RunningHttpServer> {
  const state: ServerState = { hosts: allowedHosts({ port: 0 }), closing: false, intercept: options.intercept, bodyPool: options.bodyPool, alignBody: options.alignBody, replyPool: options.replyPool, slowRequests: options.slowRequests }
  const server = createServer({
    maxHeaderSize: options.maxHeaderSize ?? 16 * 1024,
    requireHostHeader: true,
    connectionsCheckingInterval: options.timeoutCheckIntervalMs ?? 1_000,
  })
  const onRequest = (expectsContinue: boolean) => (req: IncomingMessage, res: ServerResponse): void => {
    serve(handler, state, req, res, expectsContinue).catch((e) => {
      options.onError?.(e)
      if (!res.headersSent) refuse(req, res, statusReply(500))
      else res.destroy()
    })
  }
  server.on('request', onRequest(false))
  server.on('checkContinue', onRequest(true))
  server.requestTimeout = options.requestTimeoutMs ?? 60_000
  server.headersTimeout = Math.min(options.headersTimeoutMs ?? 20_000, server.requestTimeout)
  // Well above clients' idle timeouts (undici: the hint minus 1 s), so a client never reuses a socket the server is closing.
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 65_000
  server.timeout = server.requestTimeout
  if (options.maxConnections !== undefined) server.maxConnections = options.maxConnections
  server.on('clientError', (e, socket) => {
    options.onError?.(e)
    // A request whose headers or body did not arrive in time gets 408 (Node's own reply), anything else 400.
    const status = (e as NodeJS.ErrnoException).code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request'
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
    else socket.destroy()
  })
  // our WebSocket extension transport for the web UI (socket-api.ts): the same handler, per message
  const sockets = attachSocketApi(server, handler, { hosts: () => state.hosts, bodyPool: state.bodyPool, alignBody: state.alignBody, replyPool: state.replyPool, onError: options.onError, idleTimeoutMs: options.keepAliveTimeoutMs })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  state.hosts = allowedHosts({ port, publicHosts: options.publicHosts ?? [], peerIds: options.peerIds ?? [] })
  const host = options.host ?? '127.0.0.1'

  return {
    port,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    server,
    close(graceMs = 5_000): Promise<void> {
      state.closing = true
      sockets.close()
      return new Promise((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), graceMs)
        force.unref()
        server.close(() => {
          clearTimeout(force)
          resolve()
        })
        server.closeIdleConnections()
      })
    },
  }
}
