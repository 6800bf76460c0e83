// Pooled buffers for request bodies and replies (src/server/buffer-pool.ts): the pool's lease rules, a body
// read into a leased buffer (declared length or chunked; nothing stays leased when the body is refused or
// cut off), and over real sockets: a transient route's body is released once its handler settled (also
// after a throw) and its buffer reused with the next body's bytes; other routes' bodies are never pooled;
// a leased reply goes back to its pool once written.
import { request } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { afterEach, describe, expect, it } from 'vitest'
import { bytesReply, type HttpRequest, type HttpResponse } from '../../../src/http/transport.ts'
import { BufferPool } from '../../../src/server/buffer-pool.ts'
import { readBody } from '../../../src/server/http/body.ts'
import { startHttpServer, type RunningHttpServer, type ServedHandler } from '../../../src/server/http/node-server.ts'

describe('BufferPool', () => {
  it('leases views of pooled buffers, takes each back once, and keeps at most maxFree', () => {
    const pool = new BufferPool({ bufferSize: 1024, maxFree: 1, minSize: 100 })
    const a = pool.acquire(100)
    const b = pool.acquire(1024)
    expect([a.length, b.length, a.buffer.byteLength, b.buffer.byteLength]).toEqual([100, 1024, 1024, 1024])
    expect(a.buffer).not.toBe(b.buffer)
    expect([pool.isLeased(a), pool.isLeased(new Uint8Array(100))]).toEqual([true, false])
    pool.release(a)
    pool.release(a) // twice: nothing more
    pool.release(new Uint8Array(10)) // never leased: ignored
    expect(pool.freeCount).toBe(1)
    pool.release(b) // over maxFree: left to the GC
    expect(pool.freeCount).toBe(1)
    const again = pool.acquire(700)
    expect(again.buffer).toBe(a.buffer)
    expect(pool.isLeased(again)).toBe(true)
    // Larger than a pooled buffer, or smaller than minSize (a cache may keep it): its own, never leased.
    const big = pool.acquire(2048)
    const small = pool.acquire(99)
    expect([big.length, pool.isLeased(big), small.length, small.buffer.byteLength, pool.isLeased(small)]).toEqual([2048, false, 99, 99, false])
    // The default minSize is a quarter of the buffer size.
    const quarter = new BufferPool({ bufferSize: 1024, maxFree: 1 })
    expect([quarter.isLeased(quarter.acquire(255)), quarter.isLeased(quarter.acquire(256))]).toEqual([false, true])
  })
})

function message(chunks: Buffer[], headers: Record<string, string>): IncomingMessage {
  return Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage
}

describe('readBody into a pool', () => {
  const bytes = Buffer.from(Array.from({ length: 3000 }, (_, i) => i % 251))
  const chunks = [bytes.subarray(0, 1000), bytes.subarray(1000, 1001), bytes.subarray(1001)]

  it('copies each chunk into one leased buffer, with or without a declared length', async () => {
    for (const headers of [{ 'content-length': '3000' }, {}] as Array<Record<string, string>>) {
      const pool = new BufferPool({ bufferSize: 4096, maxFree: 4, minSize: 1 })
      const r = await readBody(message(chunks, headers), 4096, pool)
      expect(r.ok).toBe(true)
      if (!r.ok) return
      expect(pool.isLeased(r.body)).toBe(true)
      expect(Buffer.from(r.body).equals(bytes)).toBe(true)
    }
  })

  it('leaves nothing leased when the body is too large or the request ends early', async () => {
    const pool = new BufferPool({ bufferSize: 4096, maxFree: 4, minSize: 1 })
    expect(await readBody(message(chunks, { 'content-length': '3000' }), 2000, pool)).toEqual({ ok: false, reason: 'too-large' })
    // Declared within the limit, but more arrives than the limit allows.
    expect(await readBody(message([...chunks, bytes], { 'content-length': '3000' }), 4000, pool)).toEqual({ ok: false, reason: 'too-large' })
    expect(pool.freeCount).toBe(1) // the buffer taken for the declared 3000 bytes came back
    const cut = new Readable({ read() {} })
    const req = Object.assign(cut, { headers: { 'content-length': '3000' } }) as unknown as IncomingMessage
    const reading = readBody(req, 4096, pool)
    cut.push(bytes.subarray(0, 100))
    cut.destroy()
    await expect(reading).rejects.toThrow('Request closed before its body was complete')
    expect(pool.freeCount).toBe(1)
  })
})

describe('a server with pools', () => {
  let server: RunningHttpServer | undefined
  afterEach(async () => {
    await server?.close(100)
    server = undefined
  })

  function post(path: string, body: Uint8Array): Promise<{ status: number; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const url = new URL(server!.url)
      const req = request({ host: url.hostname, port: url.port, path, method: 'POST', headers: { 'Content-Length': body.length } }, (res) => {
        const parts: Buffer[] = []
        res.on('data', (d: Buffer) => parts.push(d))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(parts) }))
      })
      req.on('error', reject)
      req.end(body)
    })
  }

  it('releases a transient body once handled (after a throw too) and reuses it; other bodies are not pooled', async () => {
    const bodyPool = new BufferPool({ bufferSize: 64 * 1024, maxFree: 4, minSize: 1024 })
    const seen: Array<{ path: string; leased: boolean; free: number; buffer: ArrayBufferLike; copy: Buffer }> = []
    const handler: ServedHandler = Object.assign(async (req: HttpRequest): Promise<HttpResponse> => {
      seen.push({ path: req.path, leased: bodyPool.isLeased(req.body), free: bodyPool.freeCount, buffer: req.body.buffer, copy: Buffer.from(req.body) })
      if (req.path === '/throw') throw new Error('handler failed')
      return bytesReply(new Uint8Array([req.body.length & 0xff]))
    }, {
      maxBodySize: () => 64 * 1024,
      bodyIsTransient: (_method: string, path: string) => path !== '/kept',
    })
    server = await startHttpServer(handler, { bodyPool })
    const first = Buffer.alloc(40_000, 1)
    const second = Buffer.alloc(30_000, 2)
    expect((await post('/transient', first)).status).toBe(200)
    expect(bodyPool.freeCount).toBe(1)
    expect((await post('/throw', second)).status).toBe(500)
    expect(bodyPool.freeCount).toBe(1)
    expect((await post('/transient', second)).status).toBe(200)
    expect((await post('/kept', first)).status).toBe(200)
    // While a handler runs its body is its own: the one pooled buffer is out.
    expect(seen.map((s) => [s.path, s.leased, s.free])).toEqual([['/transient', true, 0], ['/throw', true, 0], ['/transient', true, 0], ['/kept', false, 1]])
    // One pooled buffer served the three transient bodies, each with its own bytes.
    expect(new Set(seen.slice(0, 3).map((s) => s.buffer)).size).toBe(1)
    expect(seen.map((s) => s.copy.equals(s.path === '/kept' || s.path === '/transient' && s === seen[0] ? first : second))).toEqual([true, true, true, true])
  })

  it('takes a leased reply back once it is written, and the client gets every byte', async () => {
    const replyPool = new BufferPool({ bufferSize: 1 << 20, maxFree: 4 })
    const handler: ServedHandler = Object.assign(async (): Promise<HttpResponse> => {
      const block = replyPool.acquire(1_000_000)
      for (let i = 0; i < block.length; i++) block[i] = (i * 7) % 256
      return bytesReply(block)
    }, { maxBodySize: () => 0 })
    server = await startHttpServer(handler, { replyPool })
    const r = await post('/block', new Uint8Array(0))
    expect(r.body.length).toBe(1_000_000)
    expect(r.body.every((b, i) => b === (i * 7) % 256)).toBe(true)
    expect(replyPool.freeCount).toBe(1)
  })
})
