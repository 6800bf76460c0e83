// fetch for the web UI's API requests over our server's WebSocket extension (http/socket-messages.ts,
// server/http/socket-api.ts), where the server offers it: the same method, target and body bytes, the
// reply rebuilt as the Response fetch would give (status, headers, body; a gzip body decoded as fetch
// decodes it). In Chromium a 1 MiB block then moves as one message instead of a Blob registration and
// a network-service request, about 1 s (up) and 0.6 s (down) less CPU per 100 MiB (bench/web-profile.md,
// pass 6). Detected once per worker: the socket is ours only once the server's hello arrived; a server
// without the extension (an upgrade refused, no hello) leaves every request to fetch, as do requests to
// another origin or through a /p2p/ proxy path. Only the page's own origin is used: it served this code,
// so a reply it sends whole (a socket message cannot be capped while it arrives) is no new trust.
// A socket that closes fails its requests in flight as fetch fails (TypeError); the next request opens
// a new one. A socket the server closed as idle (SOCKET_IDLE_CLOSE) handled none of the requests still
// waiting, so those are sent again, once, on a new socket. The client still trusts no reply: every
// block is re-hashed by its reader, as over HTTP.
// A caller that owns the buffer around a body (a chunk helper's fragment write, moved to it) may let the
// request's head be written into the spare bytes just before the body, so a 1 MiB message is not
// copied into a new one (about 0.1 s of CPU per 100 MiB uploaded, bench/web-profile.md pass 7).
import { decodeSocketReply, encodeSocketRequest, SOCKET_HELLO, SOCKET_IDLE_CLOSE, SOCKET_PATH, type SocketReply } from '../../http/socket-messages.ts'

/** How long a new socket may take to say hello before the server counts as one without the extension. */
const HELLO_TIMEOUT_MS = 10_000

/** Requests sent over the socket and left to fetch (tests and profiles read these). */
export interface SocketFetchCounts {
  socket: number
  fetched: number
  /** 'unknown' until the first request, then 'socket' or 'absent' (fetch only). */
  state: 'unknown' | 'socket' | 'absent'
}

/** Fails the requests waiting on a socket the server closed as idle: none of them was handled. */
class SocketIdleClosed extends TypeError {}

/** How a request may be sent over the socket. */
export interface SocketSendOptions {
  /**
   * The bytes before the body in its buffer are the caller's to overwrite (nothing reads them): the
   * request's head is written there and the message sent as a view, with no copy of the body. Where
   * there is too little room (or the body is in shared memory), the message is built as usual.
   */
  readonly headInRoomBefore?: boolean
}

const NO_BODY = new Uint8Array(0)

/** The request message for `body`, its head written in the room before the body when allowed and there is room. */
function requestMessage(id: number, method: string, target: string, body: Uint8Array, headInRoomBefore: boolean): Uint8Array<ArrayBuffer> {
  if (headInRoomBefore && body.length > 0 && body.buffer instanceof ArrayBuffer) {
    const head = encodeSocketRequest({ id, method, target, body: NO_BODY })
    if (body.byteOffset >= head.length) {
      const message = new Uint8Array(body.buffer, body.byteOffset - head.length, head.length + body.length)
      message.set(head)
      return message
    }
  }
  return encodeSocketRequest({ id, method, target, body })
}

interface Pending {
  readonly resolve: (r: SocketReply) => void
  readonly reject: (e: unknown) => void
}

export class SocketFetch {
  readonly counts: SocketFetchCounts = { socket: 0, fetched: 0, state: 'unknown' }
  private socket: Promise<WebSocket | undefined> | undefined
  /** The socket `socket` settled to or is opening. */
  private current: WebSocket | undefined
  /** Requests sent on each socket and not yet answered (a closing socket fails only its own). */
  private readonly pending = new WeakMap<WebSocket, Map<number, Pending>>()
  private nextId = 1

  /** `origin`: the page's ("http://host:port"); `fallback` does what the socket does not. */
  constructor(private readonly origin: string, private readonly fallback: typeof fetch, private readonly Socket: typeof WebSocket = WebSocket) {}

  /** fetch(url, init) with a byte (or no) body: over the socket when it may, else `fallback`. */
  async fetch(url: string, init: RequestInit, options: SocketSendOptions = {}): Promise<Response> {
    const r = await this.exchange(url, init, options)
    if (r === undefined) {
      this.counts.fetched++
      return this.fallback(url, init)
    }
    return responseOf(r.status, r.headers, r.body)
  }

  /**
   * The request over the socket, its reply as the server sent it (the body a view into the message,
   * not decoded: a caller that takes no content coding checks for none); undefined when it may not go
   * over the socket (the caller sends it by fetch).
   */
  async exchange(url: string, init: RequestInit, options: SocketSendOptions = {}, resent = false): Promise<SocketReply | undefined> {
    const u = new URL(url, this.origin)
    const body = init.body ?? new Uint8Array(0)
    const method = init.method ?? 'GET'
    const plain = u.origin === this.origin && !u.pathname.startsWith('/p2p/') && body instanceof Uint8Array && (init.redirect ?? 'error') === 'error' && new Headers(init.headers).keys().next().done === true
    const ws = plain && this.counts.state !== 'absent' ? await this.connect() : undefined
    if (ws === undefined) return undefined
    init.signal?.throwIfAborted()
    if (ws.readyState !== ws.OPEN) {
      // closing (say, as idle) but its close not yet delivered: once more on a new socket
      if (resent) throw new TypeError('Failed to fetch (the socket closed)')
      this.forget(ws)
      return this.exchange(url, init, options, true)
    }
    const id = this.nextId++
    const message = requestMessage(id, method, u.pathname + u.search, body as Uint8Array, options.headInRoomBefore === true)
    this.counts.socket++
    try {
      return await this.send(ws, id, message, init.signal ?? undefined)
    } catch (e) {
      if (e instanceof SocketIdleClosed && !resent) return this.exchange(url, init, options, true)
      throw e
    }
  }

  private send(ws: WebSocket, id: number, message: Uint8Array<ArrayBuffer>, signal: AbortSignal | undefined): Promise<SocketReply> {
    const pending = this.pendingOn(ws)
    return new Promise<SocketReply>((resolve, reject) => {
      const onAbort = (): void => {
        pending.delete(id)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      const done = (): void => signal?.removeEventListener('abort', onAbort)
      pending.set(id, { resolve: (r) => { done(); resolve(r) }, reject: (e) => { done(); reject(e) } })
      ws.send(message)
    })
  }

  /** Drops `ws` as this worker's socket (the next request opens another), if it still is. */
  private forget(ws: WebSocket): void {
    if (this.current === ws) {
      this.socket = undefined
      this.current = undefined
    }
  }

  /** The open socket, opening it when none is; undefined when the server has no such socket. */
  private connect(): Promise<WebSocket | undefined> {
    this.socket ??= new Promise((resolve) => {
      let ws: WebSocket
      try {
        ws = new this.Socket(this.origin.replace(/^http/, 'ws') + SOCKET_PATH)
      } catch {
        // refused before any connection (a Content-Security-Policy whose 'self' does not cover ws: in an older browser)
        this.counts.state = 'absent'
        return resolve(undefined)
      }
      this.current = ws
      ws.binaryType = 'arraybuffer'
      let hello = false
      const absent = (): void => {
        if (hello) return
        this.counts.state = 'absent'
        resolve(undefined)
        ws.close()
      }
      const timer = setTimeout(absent, HELLO_TIMEOUT_MS)
      ws.onmessage = (e: MessageEvent) => {
        if (!hello) {
          clearTimeout(timer)
          if (e.data !== SOCKET_HELLO) return absent()
          hello = true
          this.counts.state = 'socket'
          resolve(ws)
          return
        }
        this.received(ws, e.data)
      }
      ws.onerror = () => {} // followed by close
      ws.onclose = (e: CloseEvent) => {
        clearTimeout(timer)
        absent()
        this.forget(ws) // the next request opens a new one
        const pending = this.pendingOn(ws)
        const failed = [...pending.values()]
        pending.clear()
        const idle = hello && e.code === SOCKET_IDLE_CLOSE
        for (const p of failed) p.reject(idle ? new SocketIdleClosed('Failed to fetch (the socket closed as idle)') : new TypeError('Failed to fetch (the socket closed)'))
      }
    })
    return this.socket
  }

  private pendingOn(ws: WebSocket): Map<number, Pending> {
    let m = this.pending.get(ws)
    if (m === undefined) this.pending.set(ws, (m = new Map()))
    return m
  }

  private received(ws: WebSocket, data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return
    let r: ReturnType<typeof decodeSocketReply>
    try {
      r = decodeSocketReply(new Uint8Array(data))
    } catch {
      return // the request it answers (if any) times out as over HTTP
    }
    const pending = this.pendingOn(ws)
    const p = pending.get(r.id)
    if (p === undefined) return
    pending.delete(r.id)
    p.resolve(r)
  }
}

/** The Response fetch would give for these reply bytes (fetch decodes a gzip body and drops its length). */
function responseOf(status: number, headerList: readonly (readonly [string, string])[], body: Uint8Array): Response {
  const headers = new Headers(headerList as [string, string][])
  const empty = status === 204 || status === 205 || status === 304
  if (headers.get('content-encoding')?.toLowerCase() === 'gzip') {
    headers.delete('content-encoding')
    headers.delete('content-length')
    const decoded = new Blob([body as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip'))
    return new Response(empty ? null : decoded, { status, headers })
  }
  return new Response(empty ? null : body as Uint8Array<ArrayBuffer>, { status, headers })
}

/** This worker's SocketFetch to the page's origin (one socket per worker), leaving to `fallback` what it does not send. */
let shared: SocketFetch | undefined
export function sameOriginSocketFetch(fallback: typeof fetch = (input, init) => fetch(input, init)): SocketFetch {
  if (shared === undefined) {
    shared = new SocketFetch(self.location.origin, fallback)
    ;(self as unknown as { peergosSocketCounts?: SocketFetchCounts }).peergosSocketCounts = shared.counts
  }
  return shared
}
