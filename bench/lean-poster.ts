// A load generator's HTTP/1.1 client for the server figures: keep-alive connections that read every
// reply into one reused buffer per connection (net's `onread` into a static buffer, then one copy),
// so that measuring a daemon's MB/s does not also measure a heavyweight client's allocations and GC
// (node:http allocates each 64 KiB chunk, and the garbage of megabyte replies drives V8 into full
// collections). Like wrk, it is measurement apparatus, not a client: a reply is a view valid only until
// the next request on its connection (callers here read it at once), bodies need a Content-Length,
// and any other status than 200 fails the call.
import { connect, type Socket } from 'node:net'
import type { PostOptions, Poster } from '../src/http/poster.ts'

const CRLF2 = Buffer.from('\r\n\r\n')

interface Pending {
  readonly path: string
  readonly body: Uint8Array
  readonly resolve: (reply: Uint8Array) => void
  readonly reject: (e: Error) => void
}

class Connection {
  private readonly socket: Socket
  private head = Buffer.alloc(0)
  private body = Buffer.allocUnsafeSlow(1 << 20)
  private expected = -1
  private filled = 0
  private current: Pending | undefined
  readonly ready: Promise<void>

  constructor(host: string, port: number, private readonly idle: (c: Connection) => void) {
    this.socket = connect({ host, port, noDelay: true, onread: { buffer: Buffer.allocUnsafeSlow(256 * 1024), callback: (n, buf) => this.onRead(Buffer.from(buf.buffer, buf.byteOffset, n)) } })
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', () => resolve())
      this.socket.once('error', reject)
    })
    this.socket.on('error', (e) => this.fail(e))
    this.socket.on('close', () => this.fail(new Error('connection closed')))
  }

  send(p: Pending, host: string): void {
    this.current = p
    this.head = Buffer.alloc(0)
    this.expected = -1
    this.filled = 0
    this.socket.cork()
    this.socket.write(`POST ${p.path} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: ${p.body.length}\r\nConnection: keep-alive\r\n\r\n`)
    if (p.body.length > 0) this.socket.write(p.body)
    this.socket.uncork()
  }

  private onRead(chunk: Buffer): boolean {
    let data = chunk
    if (this.expected < 0) {
      this.head = this.head.length === 0 ? Buffer.from(data) : Buffer.concat([this.head, data])
      const end = this.head.indexOf(CRLF2)
      if (end < 0) return true
      const lines = this.head.subarray(0, end).toString('latin1').split('\r\n')
      const status = Number(lines[0].split(' ')[1])
      const length = lines.find((l) => l.toLowerCase().startsWith('content-length:'))
      if (status !== 200 || length === undefined) {
        this.fail(new Error(`status ${status}${length === undefined ? ' without Content-Length' : ''}: ${lines.find((l) => l.toLowerCase().startsWith('trailer:')) ?? ''}`))
        this.socket.destroy()
        return false
      }
      this.expected = Number(length.slice(15).trim())
      if (this.body.length < this.expected) this.body = Buffer.allocUnsafeSlow(this.expected)
      data = this.head.subarray(end + 4)
    }
    data.copy(this.body, this.filled)
    this.filled += data.length
    if (this.filled >= this.expected) {
      const p = this.current!
      this.current = undefined
      p.resolve(new Uint8Array(this.body.buffer, this.body.byteOffset, this.expected))
      this.idle(this)
    }
    return true
  }

  private fail(e: Error): void {
    const p = this.current
    this.current = undefined
    p?.reject(e)
  }

  close(): void {
    this.socket.destroy()
  }
}

export class LeanPoster implements Poster {
  private readonly host: string
  private readonly port: number
  private readonly free: Connection[] = []
  private readonly all: Connection[] = []
  private readonly waiting: Pending[] = []

  constructor(baseUrl: string, private readonly connections = 8) {
    const u = new URL(baseUrl)
    this.host = u.hostname
    this.port = Number(u.port)
  }

  post(path: string, body: Uint8Array = new Uint8Array(0), _options?: PostOptions): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      const p: Pending = { path, body, resolve, reject }
      const c = this.free.pop() ?? (this.all.length < this.connections ? this.open() : undefined)
      if (c === undefined) this.waiting.push(p)
      else c.ready.then(() => c.send(p, `${this.host}:${this.port}`), reject)
    })
  }

  private open(): Connection {
    const c = new Connection(this.host, this.port, (idle) => {
      const next = this.waiting.shift()
      if (next === undefined) this.free.push(idle)
      else idle.send(next, `${this.host}:${this.port}`)
    })
    this.all.push(c)
    return c
  }

  close(): void {
    for (const c of this.all) c.close()
  }
}
