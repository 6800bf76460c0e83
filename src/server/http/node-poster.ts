// A Poster for Node programs (the CLI, benches, server-to-server calls): the same contract as
// FetchPoster (Peergos' error convention decoded into named errors, gzip replies decoded, timeouts, a
// cap on reply size) at a fraction of fetch's CPU cost per request, which matters when client and
// server share cores. http: origins go through Http1Pool (node:net, each socket read parsed in place
// and copied once into a buffer of the reply's size, or into the caller's: PostOptions.receiveInto); https: ones through node:https with keep-alive.
import type { IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { gunzipSync } from 'node:zlib'
import { ERROR_CLASS_HEADER, errorFromWire, HttpTransportError } from '../../http/errors.ts'
import type { PostOptions, Poster } from '../../http/poster.ts'
import { Http1Pool } from './http1-pool.ts'
import type { Http1Reply } from './http1-reply.ts'

export interface NodePosterOptions {
  /** Default timeout when a call gives none (Peergos: 15 s); -1 for none. */
  readonly timeoutMs?: number
  /** Replies larger than this fail instead of filling memory (default 64 MiB). */
  readonly maxResponseBytes?: number
  /** Parallel connections kept to the server (default 16). */
  readonly maxSockets?: number
  readonly headers?: Readonly<Record<string, string>>
}

function header(res: IncomingMessage, name: string): string | null {
  const v = res.headers[name.toLowerCase()]
  return typeof v === 'string' ? v : null
}

/** What node:http refuses in a request target (ERR_UNESCAPED_CHARACTERS). */
const UNESCAPED_PATH = /[^\u0021-\u00ff]/
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
/** Headers the poster writes itself. */
const OWN_HEADERS = new Set(['host', 'content-length', 'accept-encoding', 'connection', 'transfer-encoding'])

/** The caller's extra headers as request-head lines, checked once (no CR/LF smuggled into the head). */
function headerLines(headers: Readonly<Record<string, string>> | undefined): string {
  let out = ''
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!TOKEN.test(name)) throw new TypeError(`Invalid header name ${JSON.stringify(name)}`)
    if (/[\0\r\n]/.test(value)) throw new TypeError(`Invalid value of header ${name}`)
    if (!OWN_HEADERS.has(name.toLowerCase())) out += `${name}: ${value}\r\n`
  }
  return out
}

/** The bytes as a plain Uint8Array (callers compare replies with Uint8Arrays; a Buffer is a subclass). */
function plain(b: Uint8Array): Uint8Array {
  return b.constructor === Uint8Array ? b : new Uint8Array(b.buffer, b.byteOffset, b.length)
}

export class NodePoster implements Poster {
  private readonly url: URL
  /** http: origins. */
  private readonly pool?: Http1Pool
  private readonly head?: string
  /** https: origins. */
  private readonly agent?: HttpsAgent

  constructor(baseUrl: string, private readonly options: NodePosterOptions = {}) {
    this.url = new URL(baseUrl)
    const maxSockets = options.maxSockets ?? 16
    if (this.url.protocol === 'https:') {
      this.agent = new HttpsAgent({ keepAlive: true, maxSockets })
    } else if (this.url.protocol === 'http:') {
      const host = this.url.hostname.replace(/^\[(.*)\]$/, '$1') // an IPv6 literal without its brackets
      this.pool = new Http1Pool(host, Number(this.url.port || 80), { maxConnections: maxSockets, maxReplyBytes: this.maxBytes })
      this.head = `HTTP/1.1\r\nHost: ${this.url.host}\r\n${headerLines(options.headers)}Accept-Encoding: gzip\r\nConnection: keep-alive\r\nContent-Length: `
    } else throw new TypeError(`Unsupported server URL ${baseUrl}`)
  }

  private get maxBytes(): number {
    return this.options.maxResponseBytes ?? 64 * 1024 * 1024
  }

  post(path: string, body: Uint8Array = new Uint8Array(0), options: PostOptions = {}): Promise<Uint8Array> {
    if (!path.startsWith('/')) return Promise.reject(new TypeError('Poster paths are absolute'))
    if (this.pool === undefined) return this.attempt(path, body, options, true)
    if (UNESCAPED_PATH.test(path)) return Promise.reject(new TypeError('Request path contains unescaped characters'))
    const timeout = options.timeoutMs ?? this.options.timeoutMs ?? 15_000
    const what = path.split('?')[0]
    return this.pool.request(`POST ${path} ${this.head}${body.length}\r\n\r\n`, body, timeout, what, options.receiveInto).then((reply) => this.replyBody(reply, what))
  }

  /** A 200 reply's body, un-gzipped; any other status as the error its headers name. */
  private replyBody(reply: Http1Reply, what: string): Uint8Array {
    if (reply.status !== 200) throw errorFromWire(reply.status, reply.headers.get('trailer') ?? null, reply.headers.get(ERROR_CLASS_HEADER.toLowerCase()) ?? null)
    const encoding = reply.headers.get('content-encoding')
    if (encoding === undefined || encoding.toLowerCase() !== 'gzip') return plain(reply.body)
    let out: Buffer
    try {
      out = gunzipSync(reply.body, { maxOutputLength: this.maxBytes })
    } catch (e) {
      throw new HttpTransportError(`Reply could not be decompressed: ${what}`, { cause: e })
    }
    return plain(out)
  }

  /**
   * One request over node:https. `mayRetry`: when it went out on a kept-alive connection that the server closed at that
   * very moment (ECONNRESET or EPIPE before any reply: the server had timed the idle connection out and
   * never read the request), it is sent once more on a new connection, as Node's documentation advises
   * and as fetch (undici) does.
   */
  private attempt(path: string, body: Uint8Array, options: PostOptions, mayRetry: boolean): Promise<Uint8Array> {
    const timeout = options.timeoutMs ?? this.options.timeoutMs ?? 15_000
    const max = this.maxBytes
    const what = path.split('?')[0]
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false
      let replied = false
      const fail = (e: Error): void => {
        if (settled) return
        settled = true
        reject(e)
      }
      const req = httpsRequest({
        protocol: this.url.protocol, host: this.url.hostname, port: this.url.port, path, method: 'POST', agent: this.agent!,
        headers: { ...this.options.headers, 'Content-Length': body.length, 'Accept-Encoding': 'gzip' },
      }, (res) => {
        replied = true
        const declared = Number(res.headers['content-length'] ?? '0')
        if (res.statusCode !== 200) {
          res.resume()
          fail(errorFromWire(res.statusCode ?? 0, header(res, 'trailer'), header(res, ERROR_CLASS_HEADER)))
          return
        }
        if (declared > max) {
          res.destroy()
          fail(new HttpTransportError(`Reply of ${declared} bytes exceeds ${max}`))
          return
        }
        // A declared, uncompressed length is received straight into one buffer: each chunk is copied
        // once and dies young, instead of living until the end to be concatenated (long-lived 64 KiB
        // chunks of megabyte replies drove V8 into full collections).
        const plainDeclared = res.headers['content-encoding'] === undefined && Number.isSafeInteger(declared) && declared > 0
        const given = plainDeclared ? options.receiveInto?.(declared) : undefined
        let whole: Uint8Array | undefined = !plainDeclared ? undefined
          : given !== undefined && given.length >= declared ? given.subarray(0, declared)
          : declared >= 64 * 1024 ? Buffer.allocUnsafeSlow(declared) : Buffer.allocUnsafe(declared)
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          if (size + chunk.length > max) {
            res.destroy()
            fail(new HttpTransportError(`Reply exceeds ${max} bytes`))
            return
          }
          if (whole !== undefined && size + chunk.length <= whole.length) whole.set(chunk, size)
          else {
            if (whole !== undefined) chunks.push(Buffer.from(whole.subarray(0, size))) // more than declared: node:http would fail first
            whole = undefined
            chunks.push(chunk)
          }
          size += chunk.length
        })
        res.on('error', (e) => fail(new HttpTransportError(`Reply could not be read: ${what}`, { cause: e })))
        res.on('end', () => {
          if (settled) return
          let out: Uint8Array = whole !== undefined ? whole.subarray(0, size) : chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size)
          if (res.headers['content-encoding'] === 'gzip') {
            try {
              out = gunzipSync(out, { maxOutputLength: max })
            } catch (e) {
              fail(new HttpTransportError(`Reply could not be decompressed: ${what}`, { cause: e }))
              return
            }
          }
          settled = true
          resolve(new Uint8Array(out.buffer, out.byteOffset, out.length))
        })
      })
      if (timeout >= 0) {
        req.setTimeout(timeout, () => {
          req.destroy()
          fail(new HttpTransportError(`Timeout after ${timeout} ms on ${what}`))
        })
      }
      req.on('error', (e) => {
        const code = (e as NodeJS.ErrnoException).code
        if (mayRetry && !settled && !replied && req.reusedSocket && (code === 'ECONNRESET' || code === 'EPIPE')) {
          settled = true
          this.attempt(path, body, options, false).then(resolve, reject)
          return
        }
        fail(new HttpTransportError(`Request failed: ${what}`, { cause: e }))
      })
      req.end(body)
    })
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.pool?.close()
    this.agent?.destroy()
  }
}
