// FetchPoster against a raw node:net server on 127.0.0.1 that resets connections: a request whose
// connection is reset before any reply is sent once more (the kept-alive race: the server closed the
// connection as the request went out), at most once; replies, error statuses and timeouts are not resent.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpStatusError, HttpTransportError } from '../../src/http/errors.ts'
import { FetchPoster } from '../../src/http/poster.ts'

/** Requests seen per path, and connections accepted. */
const seen = new Map<string, number>()
let connections = 0
const open = new Set<Socket>()
let server: Server
let base: string

const reply = (socket: Socket, status: string, body: string): void => {
  socket.write(`HTTP/1.1 ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`)
}

/** One request per read is enough here: every request is small and sent whole. */
function serve(socket: Socket): void {
  connections++
  open.add(socket)
  socket.on('close', () => open.delete(socket))
  let data = ''
  socket.on('error', () => undefined)
  socket.on('data', (d: Buffer) => {
    data += d.toString('latin1')
    const end = data.indexOf('\r\n\r\n')
    if (end < 0) return
    const length = Number(/content-length: *(\d+)/i.exec(data.slice(0, end))?.[1] ?? 0)
    if (data.length < end + 4 + length) return
    const path = data.split(' ')[1]
    data = data.slice(end + 4 + length)
    const n = (seen.get(path) ?? 0) + 1
    seen.set(path, n)
    if (path === '/reset-once') return n === 1 ? void socket.resetAndDestroy() : reply(socket, '200 OK', 'second')
    if (path === '/close-once') return n === 1 ? void socket.destroy() : reply(socket, '200 OK', 'again')
    if (path === '/reset-always') return void socket.resetAndDestroy()
    if (path === '/error') return reply(socket, '500 Internal Server Error', '')
    if (path === '/silent') return
    reply(socket, '200 OK', 'ok')
  })
}

beforeAll(async () => {
  server = createServer(serve)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  for (const s of open) s.destroy()
  await new Promise<void>((r) => server.close(() => r()))
})

describe('FetchPoster on a connection reset before any reply', () => {
  it('sends the request once more on a new connection and returns that reply', async () => {
    const p = new FetchPoster(base)
    expect(new TextDecoder().decode(await p.post('/warm'))).toBe('ok')
    const before = connections
    expect(new TextDecoder().decode(await p.post('/reset-once', new Uint8Array([1, 2, 3])))).toBe('second')
    expect(seen.get('/reset-once')).toBe(2)
    expect(connections).toBe(before + 1)
  })

  it('also after a close without a reply (the server ended the connection)', async () => {
    const p = new FetchPoster(base)
    expect(new TextDecoder().decode(await p.post('/close-once'))).toBe('again')
    expect(seen.get('/close-once')).toBe(2)
  })

  it('resends at most once: a second reset is an HttpTransportError', async () => {
    const p = new FetchPoster(base)
    await expect(p.post('/reset-always')).rejects.toBeInstanceOf(HttpTransportError)
    expect(seen.get('/reset-always')).toBe(2)
  })

  it('does not resend a request that got a reply, an error status or no reply within the timeout', async () => {
    const p = new FetchPoster(base)
    await expect(p.post('/error')).rejects.toBeInstanceOf(HttpStatusError)
    expect(seen.get('/error')).toBe(1)
    await expect(p.post('/silent', undefined, { timeoutMs: 300 })).rejects.toThrow(/Timeout after 300 ms/)
    expect(seen.get('/silent')).toBe(1)
  })

  it('does not resend when nothing listens (a refused connection is not a reset)', async () => {
    const closed = createServer()
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r))
    const port = (closed.address() as AddressInfo).port
    await new Promise<void>((r) => closed.close(() => r()))
    let calls = 0
    const p = new FetchPoster(`http://127.0.0.1:${port}`, { fetch: (i, init) => { calls++; return fetch(i, init) } })
    await expect(p.post('/x')).rejects.toBeInstanceOf(HttpTransportError)
    expect(calls).toBe(1)
  })
})
