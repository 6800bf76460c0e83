// The server end of our WebSocket extension transport (http/socket-messages.ts): an Upgrade at
// SOCKET_PATH on the HTTP server (the `ws` library does the framing), after the same Host check as
// every HTTP request and a same-origin check on Origin (a page of another site cannot open it; clients
// outside browsers send none). Each message is one API request handed to the same handler as HTTP,
// so every check applies unchanged; the route's body limit is enforced per message, a block write's
// body goes into the same pooled buffer as over HTTP, and a pooled reply is released once sent.
// Requests in flight per socket are bounded: at the bound the socket stops being read, and the
// requests its last read still held wait their turn.
// A malformed message with a readable id gets a typed error reply; anything else closes the socket.
// A socket idle for the HTTP keep-alive time (no request in flight, none received) is closed with
// SOCKET_IDLE_CLOSE, and nothing received after that decision is handled (so the client may resend).
// Client frames are unmasked by bufferutil (ws loads it when installed): ws' JavaScript loop would
// cost the daemon 0.38 s of CPU per 100 MiB uploaded, the native one under 0.01 s.
// The HTTP API itself is untouched: Peergos clients never see this.
import type { IncomingMessage, Server } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { BodyTooLargeError } from '../../http/errors.ts'
import { isAllowedHost, type AllowedHosts } from '../../http/host.ts'
import { MAX_BULK_PUT_BODY } from '../../http/routes/storage.ts'
import { decodeSocketRequest, encodeSocketReplyHead, MAX_SOCKET_TARGET, SOCKET_HELLO, SOCKET_IDLE_CLOSE, SOCKET_PATH, socketMessageId } from '../../http/socket-messages.ts'
import { errorReply, parseTarget, type HttpRequest, type HttpResponse } from '../../http/transport.ts'
import type { BufferPool } from '../buffer-pool.ts'
import { copyInto, type BodyAlignment } from './body.ts'
import { connectionPeer, type ServedHandler } from './node-server.ts'

/** Requests a socket may have in flight (received, reply not yet written out). */
export const MAX_SOCKET_IN_FLIGHT = 16
/** The largest message: the largest HTTP body any route takes, plus method and target. */
export const MAX_SOCKET_MESSAGE = MAX_BULK_PUT_BODY + 7 + 16 + MAX_SOCKET_TARGET

export interface SocketApiOptions {
  /** The Host values this server answers to (the HTTP server's, known once it listens). */
  readonly hosts: () => AllowedHosts
  readonly bodyPool?: BufferPool
  readonly alignBody?: BodyAlignment
  readonly replyPool?: BufferPool
  readonly onError?: (error: unknown) => void
  /** How long a socket with no request in flight may stay silent before it is closed (default 65 s, the HTTP keep-alive time). */
  readonly idleTimeoutMs?: number
}

/** The default idle time of a socket: the HTTP server's keep-alive timeout. */
export const SOCKET_IDLE_TIMEOUT_MS = 65_000

export interface SocketApi {
  /** Sockets open now (tests). */
  readonly open: () => number
  /** Closes every socket (going away) and stops taking upgrades. */
  close(): void
}

function headerValues(req: IncomingMessage, name: string): string[] {
  const out: string[] = []
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === name) out.push(req.rawHeaders[i + 1])
  return out
}

/** Same origin only: an Origin, when sent, must name this very Host over http(s). */
function originAllowed(req: IncomingMessage): boolean {
  const origins = headerValues(req, 'origin')
  if (origins.length === 0) return true
  if (origins.length > 1) return false
  let u: URL
  try {
    u = new URL(origins[0])
  } catch {
    return false
  }
  return (u.protocol === 'http:' || u.protocol === 'https:') && u.host.toLowerCase() === (req.headers.host ?? '').toLowerCase()
}

function refuseUpgrade(socket: Duplex, status: string): void {
  if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
  else socket.destroy()
}

/** Headers that ask for a protocol change, dropped from a request given back to the HTTP server. */
const UPGRADE_HEADERS = new Set(['upgrade', 'connection', 'http2-settings'])

/**
 * An Upgrade request that is not for our socket (an h2c upgrade on an API call, say) goes back to the
 * HTTP server as the plain request it would have been without an 'upgrade' listener: its request line
 * and headers, less the upgrade ones, put back in front of what followed them, and the connection
 * handed to the server again (as the p2p layer hands over its streams).
 */
function asPlainRequest(server: Server, req: IncomingMessage, socket: Duplex, head: Buffer): void {
  const lines = [`${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/${req.httpVersion}`]
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (!UPGRADE_HEADERS.has(req.rawHeaders[i].toLowerCase())) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
  if (head.length > 0) socket.unshift(head)
  socket.unshift(Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'))
  server.emit('connection', socket)
}

/** Takes the HTTP server's WebSocket upgrades at SOCKET_PATH; other Upgrade requests are served as plain HTTP. */
export function attachSocketApi(server: Server, handler: ServedHandler, options: SocketApiOptions): SocketApi {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_SOCKET_MESSAGE, perMessageDeflate: false, clientTracking: true })
  let closing = false
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const ours = (req.url ?? '').split('?')[0] === SOCKET_PATH && req.method === 'GET' && (req.headers.upgrade ?? '').toLowerCase() === 'websocket'
    if (!ours) return asPlainRequest(server, req, socket, head)
    socket.on('error', () => socket.destroy())
    if (closing) return refuseUpgrade(socket, '503 Service Unavailable')
    if (!isAllowedHost(headerValues(req, 'host'), options.hosts())) return refuseUpgrade(socket, '404 Not Found')
    // a connection the p2p layer handed over carries its peer on HTTP requests only: not offered there
    if (connectionPeer(req.socket) !== undefined) return refuseUpgrade(socket, '404 Not Found')
    if (!originAllowed(req)) return refuseUpgrade(socket, '403 Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, handler, options))
  })
  return {
    open: () => wss.clients.size,
    close() {
      closing = true
      for (const ws of wss.clients) ws.close(1001, 'Server closing')
      // a client that does not answer the close handshake is cut off soon after
      setTimeout(() => { for (const ws of wss.clients) ws.terminate() }, 1_000).unref()
      wss.close()
    },
  }
}

function serveSocket(ws: WebSocket, handler: ServedHandler, options: SocketApiOptions): void {
  let inFlight = 0
  /** Requests read past the bound (the rest of the last read): answered as others settle, in order. */
  const queued: { id: number; data: Buffer }[] = []
  /** Set once the socket is being closed for idleness: what arrives after is not handled. */
  let idle = false
  const idleMs = options.idleTimeoutMs ?? SOCKET_IDLE_TIMEOUT_MS
  let idleTimer: ReturnType<typeof setTimeout> | undefined
  const watchIdle = (): void => {
    clearTimeout(idleTimer)
    if (inFlight > 0 || queued.length > 0) return
    idleTimer = setTimeout(() => {
      if (inFlight > 0 || queued.length > 0) return
      idle = true
      ws.close(SOCKET_IDLE_CLOSE, 'Idle')
      setTimeout(() => ws.terminate(), 1_000).unref() // a client that does not answer the close
    }, idleMs)
    idleTimer.unref()
  }
  ws.on('close', () => clearTimeout(idleTimer))
  const start = (id: number, data: Buffer): void => {
    inFlight++
    answer(handler, options, data).then((r) => reply(ws, id, r, options.replyPool, settled), (e: unknown) => {
      options.onError?.(e)
      reply(ws, id, errorReply(e), undefined, settled)
    })
  }
  const settled = (): void => {
    inFlight--
    const next = queued.shift()
    if (next !== undefined) start(next.id, next.data)
    else if (ws.isPaused) ws.resume()
    watchIdle()
  }
  ws.on('error', (e) => {
    options.onError?.(e)
    ws.terminate()
  })
  ws.on('message', (data: RawData, isBinary: boolean) => {
    if (idle) return
    clearTimeout(idleTimer)
    if (!isBinary || !(data instanceof Buffer)) return ws.close(1003, 'Binary request messages only')
    const id = socketMessageId(data)
    if (id === undefined) return ws.close(1002, 'Message too short')
    // at the bound the socket stops being read; what its last read still holds waits here
    if (inFlight >= MAX_SOCKET_IN_FLIGHT) {
      queued.push({ id, data })
      ws.pause()
      return
    }
    start(id, data)
    if (inFlight >= MAX_SOCKET_IN_FLIGHT) ws.pause()
  })
  ws.send(SOCKET_HELLO)
  watchIdle()
}

/** One request through the HTTP handler, with the HTTP server's body rules. */
async function answer(handler: ServedHandler, options: SocketApiOptions, data: Buffer): Promise<HttpResponse> {
  let parsed: ReturnType<typeof parseTarget>
  let method: string
  let body: Uint8Array
  try {
    const r = decodeSocketRequest(data)
    parsed = parseTarget(r.target)
    method = r.method
    body = r.body
  } catch (e) {
    return errorReply(e) // MalformedSocketMessageError or InvalidQueryError: 400 with its message
  }
  const limit = handler.maxBodySize(method, parsed.path)
  if (body.length > limit) return errorReply(new BodyTooLargeError(`Input exceeds maximum size of ${limit} bytes`))
  const pool = options.bodyPool !== undefined && body.length > 0 && handler.bodyIsTransient?.(method, parsed.path) === true ? options.bodyPool : undefined
  let pooled: Uint8Array | undefined
  if (pool !== undefined) {
    pooled = pool.acquire(body.length, options.alignBody?.(body) ?? 0)
    copyInto(pooled, body, 0) // one memcpy into shared memory, where .set would copy word by word (body.ts)
  }
  const request: HttpRequest = { method, path: parsed.path, query: parsed.query, headers: new Map(), body: pooled ?? body }
  try {
    return await handler(request)
  } finally {
    if (pooled !== undefined) pool!.release(pooled)
  }
}

/** The reply as one message (head, then the body as its second frame: no copy of the body). */
function reply(ws: WebSocket, id: number, r: HttpResponse, replyPool: BufferPool | undefined, settled: () => void): void {
  const headers: [string, string][] = Object.entries(r.headers)
  // the headers an HTTP reply would carry: Content-Length unless chunked for a Trailer (node-server.ts send)
  if (r.headers.Trailer === undefined) headers.push(['Content-Length', String(r.body.length)])
  const leased = replyPool?.isLeased(r.body) === true
  if (ws.readyState !== ws.OPEN) {
    if (leased) replyPool!.release(r.body)
    return settled()
  }
  const head = encodeSocketReplyHead(id, r.status, headers)
  if (r.body.length === 0) {
    ws.send(head, { binary: true }, settled)
    return
  }
  ws.send(head, { binary: true, fin: false })
  ws.send(r.body, { binary: true, fin: true }, (err) => {
    // a reply cut short keeps its buffer (as over HTTP: the GC takes it)
    if (leased && !err) replyPool!.release(r.body)
    settled()
  })
}
