// The transport under every HTTP client (Peergos HttpPoster / JavaPoster): post(path, body) → reply
// bytes, with Peergos' error convention decoded into named errors. FetchPoster implements it with
// fetch (Node and browsers), resending once a request whose connection was reset before any reply;
// p2pPrefix() builds the `/p2p/<peer-id>/http/` proxy form (reference §7.1).
import { cidToString, type CID } from '../codec/cid.ts'
import { ERROR_CLASS_HEADER, errorFromWire, HttpTransportError } from './errors.ts'
import { readLimited } from './gzip.ts'

export interface PostOptions {
  /** Peergos postUnzip: the reply may be gzip Content-Encoded and must be returned decoded. */
  readonly gzip?: boolean
  /** Peergos poster.get(): a read without a body, sent as an empty POST (or a GET to a public server). */
  readonly get?: boolean
  /** Milliseconds, or -1 for none (Peergos passes -1 for long calls). */
  readonly timeoutMs?: number
  /**
   * Where a 200 reply of `length` bytes (its Content-Length, not content-coded) may land: the body is
   * written into the first `length` bytes of the returned buffer and that view is the result. Undefined
   * or too short: a buffer is allocated as usual (also for gzip and chunked replies). A poster that
   * cannot receive in place ignores it. The buffer is the caller's again only once the call resolved:
   * after a failure it may still be referenced by the failed exchange, so it must not be reused.
   */
  readonly receiveInto?: (length: number) => Uint8Array | undefined
}

export interface Poster {
  /** `path` is absolute ("/api/v0/id", "/p2p/<id>/http/api/v0/id"); resolves with the 200 reply's body. */
  post(path: string, body?: Uint8Array, options?: PostOptions): Promise<Uint8Array>
}

/** The path prefix that sends a request through the p2p proxy to `peerId` (HttpMutablePointers.getProxyUrlPrefix). */
export function p2pPrefix(peerId: CID): string {
  return `/p2p/${cidToString(peerId)}/http/`
}

export interface FetchPosterOptions {
  /** Defaults to the global fetch. */
  readonly fetch?: typeof fetch
  /** Send get() calls as GET, as JavaPoster does for public servers (localhost servers refuse GET). */
  readonly publicServer?: boolean
  /** Default timeout when a call gives none (Peergos: 15 s). */
  readonly timeoutMs?: number
  /** Replies larger than this fail instead of filling memory (default 64 MiB). */
  readonly maxResponseBytes?: number
  /** Extra request headers (e.g. Authorization for basic auth, User-Agent outside browsers). */
  readonly headers?: Readonly<Record<string, string>>
}

async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? '0')
  if (declared > max) {
    await res.body?.cancel().catch(() => {})
    throw new HttpTransportError(`Reply of ${declared} bytes exceeds ${max}`)
  }
  if (res.body === null) return new Uint8Array(0)
  // a declared length within the cap: the body read whole by the platform (one buffer, no per-chunk
  // reads and join here); a reply longer than it declared is a transport error in fetch itself
  if (res.headers.has('content-length') && res.headers.get('content-encoding') === null) return new Uint8Array(await res.arrayBuffer())
  return readLimited(res.body, max, 'Reply')
}

/** What Node's fetch (undici) names a connection the server reset or closed before any reply; browsers give no code. */
const RESET_CODES: ReadonlySet<string> = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET'])

/** Whether fetch failed because the connection was reset or closed before a reply (not a timeout, not a refusal). */
function connectionReset(e: unknown): boolean {
  if (!(e instanceof TypeError)) return false
  const code = (e.cause as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && RESET_CODES.has(code)
}

/**
 * A Poster over fetch to one server; `baseUrl` is its origin, e.g. "http://127.0.0.1:8000".
 * A request whose connection is reset or closed before any reply (a kept-alive connection the server
 * closed as the request went out) is sent once more, within the same timeout, as browsers do for a
 * reused connection and as NodePoster does; Node's fetch does not for a POST.
 */
export class FetchPoster implements Poster {
  private readonly base: string
  private readonly fetchFn: typeof fetch

  constructor(baseUrl: string, private readonly options: FetchPosterOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '')
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init))
  }

  async post(path: string, body: Uint8Array = new Uint8Array(0), options: PostOptions = {}): Promise<Uint8Array> {
    if (!path.startsWith('/')) throw new TypeError('Poster paths are absolute')
    const useGet = options.get === true && this.options.publicServer === true && body.length === 0
    const timeout = options.timeoutMs ?? this.options.timeoutMs ?? 15_000
    const signal = timeout >= 0 ? AbortSignal.timeout(timeout) : undefined
    const send = (): Promise<Response> => this.fetchFn(this.base + path, {
      method: useGet ? 'GET' : 'POST',
      ...(useGet ? {} : { body: body as Uint8Array<ArrayBuffer> }),
      headers: { ...this.options.headers },
      redirect: 'error',
      ...(signal !== undefined ? { signal } : {}),
    })
    let res: Response
    try {
      try {
        res = await send()
      } catch (e) {
        if (!connectionReset(e) || signal?.aborted === true) throw e
        res = await send()
      }
    } catch (e) {
      const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')
      throw new HttpTransportError(timedOut ? `Timeout after ${timeout} ms on ${path.split('?')[0]}` : `Request failed: ${path.split('?')[0]}`, { cause: e })
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {})
      throw errorFromWire(res.status, res.headers.get('trailer'), res.headers.get(ERROR_CLASS_HEADER))
    }
    try {
      return await readCapped(res, this.options.maxResponseBytes ?? 64 * 1024 * 1024)
    } catch (e) {
      if (e instanceof HttpTransportError) throw e
      throw new HttpTransportError(`Reply could not be read: ${path.split('?')[0]}`, { cause: e })
    }
  }
}
