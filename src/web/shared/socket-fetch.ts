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
// a new one. The client still trusts no reply: every block is re-hashed by its reader, as over HTTP.
import { decodeSocketReply, encodeSocketRequest, SOCKET_HELLO, SOCKET_PATH, type SocketReply } from '../../http/socket-messages.ts'

/** How long a new socket may take to say hello before the server counts as one without the extension. */
const HELLO_TIMEOUT_MS = 10_000

/** Requests sent over the socket and left to fetch (tests and profiles read these). */
export interface SocketFetchCounts {
  socket: number
  fetched: number
  /** 'unknown' until the first request, then 'socket' or 'absent' (fetch only). */
  state: 'unknown' | 'socket' | 'absent'
}

interface Pending {
  readonly resolve: (r: SocketReply) => void
  readonly reject: (e: unknown) => void
}

export class SocketFetch {
  readonly counts: SocketFetchCounts = { socket: 0, fetched: 0, state: 'unknown' }
  private socket: Promise<WebSocket | undefined> | undefined
  private readonly pending = new Map<number, Pending>()
  private nextId = 1

  /** `origin`: the page's ("http://host:port"); `fallback` does what the socket does not. */
  constructor(private readonly origin: string, private readonly fallback: typeof fetch, private readonly Socket: typeof WebSocket = WebSocket) {}

  /** fetch(url, init) with a byte (or no) body: over the socket when it may, else `fallback`. */
  async fetch(url: string, init: RequestInit): Promise<Response> {
    const r = await this.exchange(url, init)
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
  async exchange(url: string, init: RequestInit): Promise<SocketReply | undefined> {
    const u = new URL(url, this.origin)
    const body = init.body ?? new Uint8Array(0)
    const method = init.method ?? 'GET'
    const plain = u.origin === this.origin && !u.pathname.startsWith('/p2p/') && body instanceof Uint8Array && (init.redirect ?? 'error') === 'error' && new Headers(init.headers).keys().next().done === true
    const ws = plain && this.counts.state !== 'absent' ? await this.connect() : undefined
    if (ws === undefined) return undefined
    init.signal?.throwIfAborted()
    if (ws.readyState !== ws.OPEN) throw new TypeError('Failed to fetch (the socket closed)')
    const id = this.nextId++
    const message = encodeSocketRequest({ id, method, target: u.pathname + u.search, body: body as Uint8Array })
    this.counts.socket++
    return new Promise<SocketReply>((resolve, reject) => {
      const signal = init.signal ?? undefined
      const onAbort = (): void => {
        this.pending.delete(id)
        reject(signal!.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      const done = (): void => signal?.removeEventListener('abort', onAbort)
      this.pending.set(id, { resolve: (r) => { done(); resolve(r) }, reject: (e) => { done(); reject(e) } })
      ws.send(message)
    })
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
        this.received(e.data)
      }
      ws.onerror = () => {} // followed by close
      ws.onclose = () => {
        clearTimeout(timer)
        absent()
        this.socket = undefined // the next request opens a new one
        const failed = [...this.pending.values()]
        this.pending.clear()
        for (const p of failed) p.reject(new TypeError('Failed to fetch (the socket closed)'))
      }
    })
    return this.socket
  }

  private received(data: unknown): void {
    if (!(data instanceof ArrayBuffer)) return
    let r: ReturnType<typeof decodeSocketReply>
    try {
      r = decodeSocketReply(new Uint8Array(data))
    } catch {
      return // the request it answers (if any) times out as over HTTP
    }
    const p = this.pending.get(r.id)
    if (p === undefined) return
    this.pending.delete(r.id)
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
