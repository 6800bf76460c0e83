// A libp2p stream (v3 API: 'message' events, send()/onDrain(), close(), abort()) as a Node Duplex
// that node:http accepts as a socket, so HTTP/1.1 framing, keep-alive and timeouts are node:http's
// on both ends (reference node-ecosystem §3.2). Back-pressure both ways: a full readable side
// pauses the stream (yamux stops granting window), and writes wait for the stream's drain.
import { Duplex } from 'node:stream'
import type { Stream } from '@libp2p/interface'


/** How long a cleanly finished stream waits for the remote to close its end before it is reset. */
const LINGER_MS = 5_000

export class StreamSocket extends Duplex {
  /** What node:http logs and checks; a libp2p stream has no IP endpoint of its own. */
  readonly remoteAddress: string
  readonly remotePort = 0
  readonly connecting = false
  private idleMs = 0
  private idleTimer: NodeJS.Timeout | undefined

  constructor(readonly stream: Stream, remotePeer: string) {
    // Buffers of about one yamux window each way, so a full socket does not pause the stream at every message.
    super({ allowHalfOpen: true, readableHighWaterMark: 256 * 1024, writableHighWaterMark: 256 * 1024 })
    this.remoteAddress = `p2p:${remotePeer}`
    stream.addEventListener('message', (evt) => {
      this.touch()
      // A Uint8ArrayList's parts are pushed as they are (flattening it would copy every message).
      let more = true
      if (evt.data instanceof Uint8Array) more = this.push(evt.data)
      else for (const part of evt.data) more = this.push(part)
      if (!more && stream.readStatus === 'readable') stream.pause()
    })
    stream.addEventListener('end', () => this.push(null))
    stream.addEventListener('close', (evt) => {
      this.clearIdle()
      if (evt.error !== undefined) this.destroy(evt.error)
      else if (!this.readableEnded) this.push(null)
    })
  }

  override _read(): void {
    if (this.stream.readStatus === 'paused') this.stream.resume()
  }

  override _write(chunk: Uint8Array, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    this.touch()
    try {
      if (this.stream.send(chunk)) done()
      else this.stream.onDrain().then(() => done(), done)
    } catch (e) {
      done(e as Error)
    }
  }

  override _final(done: (e?: Error | null) => void): void {
    this.stream.close().then(() => done(), done)
  }

  override _destroy(err: Error | null, done: (e?: Error | null) => void): void {
    this.clearIdle()
    const stream = this.stream
    if (stream.status === 'open' || stream.status === 'closing') {
      if (err !== null) stream.abort(err)
      else {
        // A clean destroy (the exchange is over): half-close and give the remote a moment to close
        // its end, which Peergos' Nabu does after its reply; a reset now could cut data still in flight.
        if (stream.writeStatus === 'writable') stream.close().catch(() => {})
        const linger = setTimeout(() => stream.abort(new Error('The remote did not close the stream')), LINGER_MS)
        linger.unref()
        stream.addEventListener('close', () => clearTimeout(linger), { once: true })
      }
    }
    done(err)
  }

  /**
   * net.Socket#setTimeout: emits 'timeout' after `ms` without reads or writes; 0 disables it and, as
   * in net, removes `onTimeout` (node:http relies on that to drop a request's listener from a kept-alive socket).
   */
  setTimeout(ms: number, onTimeout?: () => void): this {
    this.idleMs = ms
    if (onTimeout !== undefined) {
      if (ms === 0) this.removeListener('timeout', onTimeout)
      else this.once('timeout', onTimeout)
    }
    this.touch()
    return this
  }

  setNoDelay(): this {
    return this
  }

  setKeepAlive(): this {
    return this
  }

  /** net.Socket#ref/unref, which node:http's Agent calls on pooled sockets: a stream holds no event-loop handle. */
  ref(): this {
    return this
  }

  unref(): this {
    return this
  }

  private touch(): void {
    this.clearIdle()
    if (this.idleMs > 0 && !this.destroyed) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs)
      this.idleTimer.unref()
    }
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer)
    this.idleTimer = undefined
  }
}
