// An HTTP/1.1 reply read from socket reads of any size (RFC 9112): status line and headers, then a
// body framed by Content-Length (received straight into one buffer of that exact size, or into one
// the caller gives), by chunked
// transfer coding, or by the connection's end. The reads are views of a buffer the socket reuses, so
// every byte kept is copied once, here, and nothing else is allocated per read; a declared body's
// later reads may land in it in place (bodyWindow), with no copy at all.
import { HttpTransportError } from '../../http/errors.ts'

/** The server's reply broke HTTP/1.1 framing (a bad status line, header or chunk size, a body cut short). */
export class MalformedReplyError extends HttpTransportError {}

/** The reply is larger than the caller accepts. */
export class ReplyTooLargeError extends HttpTransportError {}

export interface Http1Reply {
  readonly status: number
  /** Header names in lower case; repeated headers joined with ", ". */
  readonly headers: ReadonlyMap<string, string>
  /** The body of a 200 reply; empty for any other status (its body is read and dropped). */
  readonly body: Uint8Array
  /** The connection may carry another request (HTTP/1.1 without `Connection: close`, a framed body). */
  readonly keepAlive: boolean
}

/** A status line and headers longer than this are refused. */
export const MAX_HEAD_BYTES = 64 * 1024

const CR = 13
const LF = 10
const EMPTY = new Uint8Array(0)

const enum State { Head, Length, ChunkSize, ChunkData, ChunkDataEnd, Trailers, UntilClose, Done }

function alloc(n: number): Uint8Array {
  // large replies get their own memory, small ones share Node's pool (one allocation either way)
  return n >= 64 * 1024 ? Buffer.allocUnsafeSlow(n) : Buffer.allocUnsafe(n)
}

/**
 * Reads one reply at a time: `feed` each socket read in order until it returns true, then `reply()`.
 * Throws MalformedReplyError or ReplyTooLargeError; `end()` when the connection closes.
 */
export class Http1ReplyReader {
  private state = State.Done
  private head = new Uint8Array(512)
  private headLength = 0
  /** CR LF CR LF matched so far at the end of the head. */
  private matched = 0
  private status = 0
  private headers = new Map<string, string>()
  private keepAlive = false
  private keep = false
  private body: Uint8Array = EMPTY
  private filled = 0
  private remaining = 0
  private parts: Uint8Array[] = []
  private line = ''
  /** Bytes after the end of the reply in the read that completed it (a server must not send any). */
  extra = 0

  constructor(private readonly maxBytes: number) {}

  /** Where the current reply's declared body may land (PostOptions.receiveInto). */
  private receiveInto: ((length: number) => Uint8Array | undefined) | undefined

  /** Starts reading a new reply; a 200 reply with a Content-Length and no content coding is received into `receiveInto(length)` when that fits. */
  begin(receiveInto?: (length: number) => Uint8Array | undefined): void {
    this.receiveInto = receiveInto
    this.state = State.Head
    this.headLength = 0
    this.matched = 0
    this.headers = new Map()
    this.body = EMPTY
    this.filled = 0
    this.parts = []
    this.line = ''
    this.extra = 0
  }

  /** Whether any byte of the current reply has arrived. */
  get started(): boolean {
    return this.state !== State.Head || this.headLength > 0
  }

  get done(): boolean {
    return this.state === State.Done
  }

  /** Consumes `data[from, to)`; true once the reply is complete. */
  feed(data: Uint8Array, from = 0, to = data.length): boolean {
    let i = from
    while (i < to) {
      switch (this.state) {
        case State.Head: i = this.readHead(data, i, to); break
        case State.Length: {
          const n = Math.min(this.remaining, to - i)
          if (this.keep) this.body.set(data.subarray(i, i + n), this.filled)
          this.filled += n
          this.remaining -= n
          i += n
          if (this.remaining === 0) this.state = State.Done
          break
        }
        case State.ChunkSize: i = this.readLine(data, i, to, () => this.chunkSize()); break
        case State.ChunkData: {
          const n = Math.min(this.remaining, to - i)
          this.addPart(data, i, n)
          this.remaining -= n
          i += n
          if (this.remaining === 0) this.state = State.ChunkDataEnd
          break
        }
        case State.ChunkDataEnd: i = this.readLine(data, i, to, () => {
          if (this.line !== '') throw new MalformedReplyError('Chunk data not followed by CRLF')
          this.state = State.ChunkSize
        }); break
        case State.Trailers: i = this.readLine(data, i, to, () => {
          if (this.line === '') this.finishParts()
        }); break
        case State.UntilClose: this.addPart(data, i, to - i); i = to; break
        case State.Done:
          this.extra = to - i
          return true
      }
    }
    return this.state === State.Done
  }

  /**
   * Where the next socket read may land in place: the rest of a declared 200 body but its last byte
   * (so a read never runs past the reply, and the last byte comes through `feed` with whatever a
   * broken server sent after it, as before: `extra`), or undefined when reads must go through `feed`.
   */
  bodyWindow(): Uint8Array | undefined {
    return this.state === State.Length && this.keep && this.remaining > 1 ? this.body.subarray(this.filled, this.filled + this.remaining - 1) : undefined
  }

  /** `n` bytes were read straight into the last bodyWindow(); true once the reply is complete. */
  filledInPlace(n: number): boolean {
    if (this.state !== State.Length || n >= this.remaining) throw new MalformedReplyError('A read in place does not fit the reply')
    this.filled += n
    this.remaining -= n
    if (this.remaining === 0) this.state = State.Done
    return this.state === State.Done
  }

  /** The connection closed: completes a reply read until the end; otherwise the reply was cut short. */
  end(): void {
    if (this.state === State.UntilClose) this.finishParts()
    else if (this.state !== State.Done) throw new MalformedReplyError(this.started ? 'The connection closed in the middle of the reply' : 'The connection closed before any reply')
  }

  reply(): Http1Reply {
    if (this.state !== State.Done) throw new MalformedReplyError('The reply is not complete')
    return { status: this.status, headers: this.headers, body: this.keep ? this.body.subarray(0, this.filled) : EMPTY, keepAlive: this.keepAlive }
  }

  private readHead(data: Uint8Array, from: number, to: number): number {
    let i = from
    let m = this.matched
    while (i < to && m < 4) {
      const b = data[i++]
      m = b === (m % 2 === 0 ? CR : LF) ? m + 1 : b === CR ? 1 : 0
    }
    this.matched = m
    const n = i - from
    if (this.headLength + n > MAX_HEAD_BYTES) throw new MalformedReplyError(`Reply head longer than ${MAX_HEAD_BYTES} bytes`)
    if (this.headLength + n > this.head.length) {
      const grown = new Uint8Array(Math.min(MAX_HEAD_BYTES, Math.max(this.head.length * 2, this.headLength + n)))
      grown.set(this.head.subarray(0, this.headLength))
      this.head = grown
    }
    this.head.set(data.subarray(from, i), this.headLength)
    this.headLength += n
    if (m === 4) this.parseHead()
    return i
  }

  private parseHead(): void {
    // latin1: header bytes as they are (Peergos' Trailer values are URL-encoded ASCII)
    const text = Buffer.from(this.head.buffer, this.head.byteOffset, this.headLength - 4).toString('latin1')
    const lines = text.split('\r\n')
    const status = /^HTTP\/1\.([01]) ([1-5][0-9][0-9])(?: |$)/.exec(lines[0])
    if (status === null) throw new MalformedReplyError('Bad status line in reply')
    const headers = new Map<string, string>()
    for (let k = 1; k < lines.length; k++) {
      const line = lines[k]
      const colon = line.indexOf(':')
      if (colon <= 0 || !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(line.slice(0, colon))) throw new MalformedReplyError('Bad header line in reply')
      const name = line.slice(0, colon).toLowerCase()
      const value = line.slice(colon + 1).trim()
      const before = headers.get(name)
      headers.set(name, before === undefined ? value : `${before}, ${value}`)
    }
    this.status = Number(status[2])
    this.headers = headers
    if (this.status < 200) { // 100 Continue and the like: the real reply follows
      this.begin(this.receiveInto)
      return
    }
    const connection = headers.get('connection')?.toLowerCase() ?? ''
    this.keepAlive = status[1] === '1' ? !/(^|,)\s*close\s*(,|$)/.test(connection) : /(^|,)\s*keep-alive\s*(,|$)/.test(connection)
    this.keep = this.status === 200
    const te = headers.get('transfer-encoding')
    const cl = headers.get('content-length')
    if (this.status === 204 || this.status === 304) {
      this.state = State.Done
    } else if (te !== undefined) {
      // RFC 9112 §6.3: chunked must be the last coding; it overrides any Content-Length
      if (!/(^|,)\s*chunked\s*$/i.test(te)) throw new MalformedReplyError(`Unsupported Transfer-Encoding ${te}`)
      this.state = State.ChunkSize
    } else if (cl !== undefined) {
      const values = new Set(cl.split(',').map((v) => v.trim()))
      const [only] = values
      if (values.size !== 1 || !/^[0-9]{1,15}$/.test(only)) throw new MalformedReplyError('Bad Content-Length in reply')
      const length = Number(only)
      if (this.keep && length > this.maxBytes) throw new ReplyTooLargeError(`Reply of ${length} bytes exceeds ${this.maxBytes}`)
      this.remaining = length
      if (this.keep) this.body = this.given(length, headers.has('content-encoding')) ?? alloc(length)
      this.state = length === 0 ? State.Done : State.Length
    } else {
      this.keepAlive = false
      this.state = State.UntilClose
    }
  }

  /** The caller's buffer for a declared body of `length` bytes, if it gave one large enough (never for a content-coded body). */
  private given(length: number, coded: boolean): Uint8Array | undefined {
    const into = this.receiveInto
    this.receiveInto = undefined // asked at most once per reply
    if (into === undefined || coded || length === 0) return undefined
    const buffer = into(length)
    return buffer !== undefined && buffer.length >= length ? buffer : undefined
  }

  /** Reads up to a CRLF into `line` (bounded), then calls `done`. */
  private readLine(data: Uint8Array, from: number, to: number, done: () => void): number {
    let i = from
    while (i < to && data[i] !== LF) i++
    if (i - from > 0) this.line += Buffer.from(data.buffer, data.byteOffset + from, i - from).toString('latin1')
    if (this.line.length > 4096) throw new MalformedReplyError('Chunk size or trailer line too long')
    if (i === to) return to
    if (!this.line.endsWith('\r')) throw new MalformedReplyError('Bare LF in chunked reply')
    this.line = this.line.slice(0, -1)
    done()
    this.line = ''
    return i + 1
  }

  private chunkSize(): void {
    const size = /^([0-9A-Fa-f]{1,12})[ \t]*(;.*)?$/.exec(this.line)
    if (size === null) throw new MalformedReplyError('Bad chunk size in reply')
    this.remaining = parseInt(size[1], 16)
    this.state = this.remaining === 0 ? State.Trailers : State.ChunkData
  }

  private addPart(data: Uint8Array, from: number, n: number): void {
    if (n === 0) return
    this.filled += n
    if (!this.keep) return
    if (this.filled > this.maxBytes) throw new ReplyTooLargeError(`Reply exceeds ${this.maxBytes} bytes`)
    const part = alloc(n)
    part.set(data.subarray(from, from + n))
    this.parts.push(part)
  }

  private finishParts(): void {
    if (this.keep) {
      const parts = this.parts
      this.body = parts.length === 1 ? parts[0] : Buffer.concat(parts, this.filled)
    }
    this.parts = []
    this.state = State.Done
  }
}
