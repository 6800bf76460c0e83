// Kept-alive HTTP/1.1 connections to one http: origin over node:net, one request at a time on each:
// every socket read lands in one buffer the pool reuses (net's `onread`) and is parsed in place by
// Http1ReplyReader, so a reply costs one copy into a buffer of its declared size and no per-read
// Buffer or event, a fraction of node:http's client CPU for the ~100 KB replies of a listing; once
// a declared body is under way, the reads land straight in it (no copy).
import { connect, type Socket } from 'node:net'
import { HttpTransportError } from '../../http/errors.ts'
import { Http1ReplyReader, type Http1Reply } from './http1-reply.ts'

/** One request: its head and body as sent, and where its reply goes. */
interface Exchange {
  readonly head: string
  readonly body: Uint8Array
  readonly timeoutMs: number
  /** For error messages: the path without its query. */
  readonly what: string
  /** True for the one resend after a kept-alive connection was found closed. */
  readonly resent: boolean
  /** PostOptions.receiveInto: where a declared 200 body may land. */
  readonly receiveInto: ((length: number) => Uint8Array | undefined) | undefined
  readonly resolve: (reply: Http1Reply) => void
  readonly reject: (e: Error) => void
}

const READ_BUFFER_BYTES = 256 * 1024

class Connection {
  readonly socket: Socket
  private readonly reader: Http1ReplyReader
  private current: Exchange | undefined
  /** Replies completed on this connection: a request on a used one may meet the server's idle close. */
  private served = 0
  private closed = false

  /** The body window the next read lands in, when it is one (nextReadBuffer). */
  private window: Uint8Array | undefined

  constructor(private readonly pool: Http1Pool, private readonly readBuffer: Buffer, maxBytes: number) {
    this.reader = new Http1ReplyReader(maxBytes)
    this.socket = connect({
      host: pool.host, port: pool.port, noDelay: true,
      onread: { buffer: () => this.nextReadBuffer(), callback: (n: number, buf: Uint8Array) => this.onRead(buf, n) },
    })
    this.socket.on('error', (e) => this.close(e))
    this.socket.on('end', () => this.close(undefined))
    this.socket.on('close', () => this.close(undefined))
    this.socket.on('timeout', () => {
      const x = this.current
      this.current = undefined
      this.close(undefined)
      x?.reject(new HttpTransportError(`Timeout after ${x.timeoutMs} ms on ${x.what}`))
    })
  }

  get idle(): boolean {
    return this.current === undefined && !this.closed
  }

  start(x: Exchange): void {
    this.current = x
    this.reader.begin(x.receiveInto)
    this.socket.ref()
    this.socket.setTimeout(Math.max(0, x.timeoutMs))
    this.socket.cork()
    this.socket.write(x.head, 'latin1')
    if (x.body.length > 0) this.socket.write(x.body)
    this.socket.uncork()
  }

  /**
   * Where the socket's next read lands (net asks after each read): straight into the rest of a
   * declared 200 body in progress, else the shared read buffer. A read is synchronous (the kernel
   * copies during the call, in this thread), and every failure closes the connection, so nothing
   * writes into a body once its exchange has settled.
   */
  private nextReadBuffer(): Uint8Array {
    this.window = this.current === undefined || this.closed ? undefined : this.reader.bodyWindow()
    return this.window ?? this.readBuffer
  }

  private onRead(buf: Uint8Array, n: number): boolean {
    const x = this.current
    if (x === undefined) { // nothing is expected on an idle connection
      this.close(undefined)
      return false
    }
    let complete: boolean
    try {
      complete = buf === this.window ? this.reader.filledInPlace(n) : this.reader.feed(buf, 0, n)
    } catch (e) {
      this.current = undefined
      this.close(undefined)
      x.reject(e as Error)
      return false
    }
    if (complete) this.finish(x)
    return true
  }

  private finish(x: Exchange): void {
    const reply = this.reader.reply()
    this.current = undefined
    this.served++
    if (reply.keepAlive && this.reader.extra === 0) {
      this.socket.setTimeout(0)
      this.pool.release(this)
    } else this.close(undefined)
    x.resolve(reply)
  }

  /** The socket failed or ended: the exchange in progress completes (a body read until the close), is sent again or fails. */
  private close(error: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    this.socket.destroy()
    this.pool.forget(this)
    const x = this.current
    this.current = undefined
    if (x === undefined) return
    try {
      this.reader.end()
      x.resolve(this.reader.reply())
      return
    } catch (e) {
      // the server closed a kept-alive connection before answering (its idle timeout met our request):
      // the request was never read, so it is sent once more on a new connection, as node:http advises
      if (!this.reader.started && this.served > 0 && !x.resent) {
        this.pool.resend(x)
        return
      }
      const cause = error ?? e
      x.reject(new HttpTransportError(this.reader.started ? `Reply could not be read: ${x.what}` : `Request failed: ${x.what}`, { cause }))
    }
  }

  destroy(): void {
    this.close(new HttpTransportError('The client was closed'))
  }
}

export interface Http1PoolOptions {
  readonly maxConnections: number
  readonly maxReplyBytes: number
}

/** Connections to one host and port: idle ones reused (the newest first), at most `maxConnections` open, further requests queued. */
export class Http1Pool {
  private readonly idle: Connection[] = []
  private readonly open = new Set<Connection>()
  private readonly waiting: Exchange[] = []
  private readBuffer: Buffer | undefined
  private closed = false

  constructor(readonly host: string, readonly port: number, private readonly options: Http1PoolOptions) {}

  /**
   * Sends a request (its head already written out, ending in CRLF CRLF) and resolves with its reply.
   * `receiveInto`: see PostOptions. Socket reads are copied into the body synchronously as they are
   * parsed, so once the exchange has settled nothing writes into that buffer any more.
   */
  request(head: string, body: Uint8Array, timeoutMs: number, what: string, receiveInto?: (length: number) => Uint8Array | undefined): Promise<Http1Reply> {
    return new Promise((resolve, reject) => this.dispatch({ head, body, timeoutMs, what, resent: false, receiveInto, resolve, reject }))
  }

  private dispatch(x: Exchange): void {
    if (this.closed) {
      x.reject(new HttpTransportError(`Request failed: ${x.what}: the client was closed`))
      return
    }
    let c = this.idle.pop()
    while (c !== undefined && !c.idle) c = this.idle.pop()
    if (c === undefined && this.open.size < this.options.maxConnections) c = this.connect()
    if (c === undefined) this.waiting.push(x)
    else c.start(x)
  }

  private connect(): Connection {
    // one read buffer for every connection: each read is parsed (and its bytes copied) before the next
    this.readBuffer ??= Buffer.allocUnsafeSlow(READ_BUFFER_BYTES)
    const c = new Connection(this, this.readBuffer, this.options.maxReplyBytes)
    this.open.add(c)
    return c
  }

  /** A connection is free again: the next queued request, or kept idle (not holding the process open). */
  release(c: Connection): void {
    const next = this.waiting.shift()
    if (next !== undefined) {
      c.start(next)
      return
    }
    c.socket.unref()
    this.idle.push(c)
  }

  /** Sends a request again on a new connection (exceeding the limit by one for a moment, like the request it replaces). */
  resend(x: Exchange): void {
    if (this.closed) {
      x.reject(new HttpTransportError(`Request failed: ${x.what}: the client was closed`))
      return
    }
    this.connect().start({ ...x, resent: true })
  }

  forget(c: Connection): void {
    this.open.delete(c)
    const i = this.idle.indexOf(c)
    if (i >= 0) this.idle.splice(i, 1)
    // a slot opened: a queued request gets a new connection
    if (!this.closed && this.waiting.length > 0 && this.open.size < this.options.maxConnections) this.connect().start(this.waiting.shift()!)
  }

  /** Closes every connection; requests in progress or queued fail. */
  close(): void {
    this.closed = true
    for (const x of this.waiting.splice(0)) x.reject(new HttpTransportError(`Request failed: ${x.what}: the client was closed`))
    for (const c of [...this.open]) c.destroy()
    this.idle.length = 0
  }
}
