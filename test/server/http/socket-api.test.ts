// Our WebSocket extension transport (server/http/socket-api.ts, http/socket-messages.ts) against a
// real daemon over real sockets, with the `ws` client: the same replies as the HTTP API byte for byte
// (status, headers, body), a user's signup, upload and download through the web UI's SocketFetch
// (web/shared/socket-fetch.ts) over it, the route body limits, bad frames and messages answered with a
// typed error or a close while the server stays up, Host and Origin checks on the upgrade, the bound on
// requests in flight per socket, other Upgrade requests (h2c) served as the plain HTTP they are, and
// the web client's fallback to fetch against a server without the extension.
import { createServer } from 'node:http'
import { createRequire } from 'node:module'
import { connect, type AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import WebSocket, { WebSocketServer } from 'ws'
import { UserContext } from '../../../src/client/user-context.ts'
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster } from '../../../src/http/poster.ts'
import { MAX_BULK_PUT_BODY } from '../../../src/http/routes/storage.ts'
import { decodeSocketReply, decodeSocketRequest, encodeSocketReplyHead, encodeSocketRequest, SOCKET_HELLO, SOCKET_IDLE_CLOSE, SOCKET_PATH, type SocketReply } from '../../../src/http/socket-messages.ts'
import { bytesReply, type HttpRequest, type HttpResponse } from '../../../src/http/transport.ts'
import { startHttpServer } from '../../../src/server/http/node-server.ts'
import { MAX_SOCKET_IN_FLIGHT, MAX_SOCKET_MESSAGE } from '../../../src/server/http/socket-api.ts'
import { SocketFetch } from '../../../src/web/shared/socket-fetch.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../../daemon-fixture.ts'

const MiB = 1024 * 1024

/** An open socket to the daemon, after its hello. */
async function open(d: TestDaemon, headers: Record<string, string> = {}): Promise<WebSocket> {
  const ws = new WebSocket(d.daemon.url.replace('http', 'ws') + SOCKET_PATH, { headers })
  const hello = await new Promise<string>((resolve, reject) => {
    ws.once('message', (m, binary) => (binary ? reject(new Error('binary hello')) : resolve(String(m))))
    ws.once('error', reject)
  })
  expect(hello).toBe(SOCKET_HELLO)
  return ws
}

/** Sends requests and collects their replies by id. */
function client(ws: WebSocket): (method: string, target: string, body?: Uint8Array) => Promise<SocketReply> {
  const waiting = new Map<number, (r: SocketReply) => void>()
  let next = 1
  ws.on('message', (m, binary) => {
    if (!binary) return
    const r = decodeSocketReply(new Uint8Array(m as Buffer))
    waiting.get(r.id)?.(r)
    waiting.delete(r.id)
  })
  return (method, target, body = new Uint8Array(0)) => new Promise((resolve) => {
    const id = next++
    waiting.set(id, resolve)
    ws.send(encodeSocketRequest({ id, method, target, body }))
  })
}

/** How the server ends a socket: its close code. */
function closed(ws: WebSocket): Promise<number> {
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)))
}

/** The upgrade's HTTP status when the server refuses it. */
function refusedWith(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0)
      ws.terminate()
    })
    ws.once('open', () => reject(new Error('upgrade accepted')))
    ws.once('error', () => {})
  })
}

async function overHttp(d: TestDaemon, target: string, body: Uint8Array): Promise<{ status: number; headers: Map<string, string>; body: Uint8Array }> {
  const res = await fetch(d.daemon.url + target, { method: 'POST', body: body as Uint8Array<ArrayBuffer> })
  const headers = new Map<string, string>()
  for (const [k, v] of res.headers) if (!['date', 'connection', 'keep-alive', 'transfer-encoding'].includes(k)) headers.set(k, v)
  return { status: res.status, headers, body: new Uint8Array(await res.arrayBuffer()) }
}

/** A daemon for the enclosing describe block: started before its tests, closed after them. */
function daemonForBlock(): { d: TestDaemon } {
  const held = {} as { d: TestDaemon }
  beforeAll(async () => {
    held.d = await startTestDaemon()
  }, 60_000)
  afterAll(async () => {
    await held.d?.close()
  })
  return held
}

describe('the WebSocket extension transport', () => {
  const held = daemonForBlock()

  it('unmasks client frames natively (bufferutil: ws\' own JS loop costs 0.38 s of CPU per 100 MiB)', () => {
    const bufferutil = createRequire(import.meta.url)('bufferutil') as { unmask?: unknown }
    expect(typeof bufferutil.unmask).toBe('function')
  })

  it('answers requests with the HTTP API\'s status, headers and body bytes', async () => {
    const ws = await open(held.d)
    const ask = client(ws)
    const targets = ['/api/v0/id', '/api/v0/block/get?arg=zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA', '/api/v0/no/such/route', '/api/v0/core/getPublicKey?arg=' + encodeURIComponent('nobody'), '/api/v0/block/put?format=raw']
    for (const target of targets) {
      const [viaSocket, viaHttp] = await Promise.all([ask('POST', target, new Uint8Array(3)), overHttp(held.d, target, new Uint8Array(3))])
      expect(viaSocket.status, target).toBe(viaHttp.status)
      expect(new Map(viaSocket.headers.map(([k, v]) => [k.toLowerCase(), v])), target).toEqual(viaHttp.headers)
      expect(Buffer.from(viaSocket.body).equals(Buffer.from(viaHttp.body)), target).toBe(true)
    }
    ws.close()
  })

  it('carries a user\'s signup, a multi-chunk upload and its download through the web client', async () => {
    const sf = new SocketFetch(held.d.daemon.url, (i, init) => fetch(i, init), WebSocket as unknown as typeof globalThis.WebSocket)
    const poster = new FetchPoster(held.d.daemon.url, { fetch: (input, init) => sf.fetch(String(input), init ?? {}) })
    const net = { crypto: held.d.net.crypto, ...httpNetworkServices(poster) }
    const user = await UserContext.signUp(net, 'socketeer', 'a long and unusual socket password')
    const data = pattern(11 * MiB + 77, 3)
    await user.fs.writeFile('/socketeer/big.bin', data)
    expect(sha256Hex(await user.fs.readFileBytes('/socketeer/big.bin'))).toBe(sha256Hex(data))
    await user.close()
    expect(sf.counts.state).toBe('socket')
    expect(sf.counts.fetched).toBe(0)
    expect(sf.counts.socket).toBeGreaterThan(20)
    // the same file read over HTTP by another session of the same user
    const again = await UserContext.signIn(held.d.net, 'socketeer', 'a long and unusual socket password')
    expect(sha256Hex(await again.fs.readFileBytes('/socketeer/big.bin'))).toBe(sha256Hex(data))
    await again.close()
  }, 180_000)

  it('writes a request\'s head into the room before a body its caller gives up, and copies a body with too little room', async () => {
    const sf = new SocketFetch(held.d.daemon.url, () => Promise.reject(new Error('no fetch expected')), WebSocket as unknown as typeof globalThis.WebSocket)
    const target = '/api/v0/block/put?format=raw'
    const data = pattern(200 * 1024 + 5, 9)
    const viaHttp = await overHttp(held.d, target, data)
    for (const room of [512, 3]) {
      const buffer = new Uint8Array(room + data.length)
      buffer.set(data, room)
      const body = buffer.subarray(room)
      const res = await sf.fetch(held.d.daemon.url + target, { method: 'POST', body }, { headInRoomBefore: true })
      expect(res.status, `room ${room}`).toBe(viaHttp.status)
      expect(Buffer.from(await res.arrayBuffer()).equals(Buffer.from(viaHttp.body)), `room ${room}`).toBe(true)
      expect(Buffer.from(body).equals(Buffer.from(data)), `room ${room}: the body itself untouched`).toBe(true)
      // the head went into the room only where it fitted
      expect(buffer.subarray(0, room).some((b) => b !== 0), `room ${room}`).toBe(room === 512)
    }
    expect(sf.counts).toEqual({ socket: 2, fetched: 0, state: 'socket' })
  })

  it('applies each route\'s body limit, and refuses a message larger than any route takes', async () => {
    const ws = await open(held.d)
    const ask = client(ws)
    const tooBig = await ask('POST', '/api/v0/id', new Uint8Array(70 * 1024))
    expect(tooBig.status).toBe(413)
    expect(new Map(tooBig.headers).get('Trailer')).toMatch(/^Input\+exceeds\+maximum\+size/)
    const bulk = await ask('POST', '/api/v0/block/put/bulk?format=raw', new Uint8Array(MAX_BULK_PUT_BODY + 1))
    expect(bulk.status).toBe(413)
    const gone = closed(ws)
    ws.send(new Uint8Array(MAX_SOCKET_MESSAGE + 1))
    expect(await gone).toBe(1009)
  })

  it('answers a malformed request with a typed error, closes on a bad frame, and stays up', async () => {
    const ws = await open(held.d)
    const ask = client(ws)
    const raw = encodeSocketRequest({ id: 77, method: 'POST', target: '/api/v0/id', body: new Uint8Array(0) })
    raw[5] = 'p'.charCodeAt(0) // a lower-case method
    const reply = new Promise<SocketReply>((resolve) => ws.once('message', (m) => resolve(decodeSocketReply(new Uint8Array(m as Buffer)))))
    ws.send(raw)
    const r = await reply
    expect(r.id).toBe(77)
    expect(r.status).toBe(400)
    expect(new Map(r.headers).get('Trailer')).toBe('Bad+request+method')
    const cut = await ask('POST', '/api/v0/id?arg=%zz')
    expect(cut.status).toBe(400)
    const short = closed(ws)
    ws.send(new Uint8Array(3))
    expect(await short).toBe(1002)

    const text = await open(held.d)
    const textClosed = closed(text)
    text.send('not binary')
    expect(await textClosed).toBe(1003)

    // a bare TCP client sending a masked-bit-missing frame: the library closes with a protocol error
    const bad = await open(held.d)
    const badClosed = closed(bad)
    ;(bad as unknown as { _socket: import('node:net').Socket })._socket.write(Buffer.from([0x82, 0x05, 1, 2, 3, 4, 5]))
    expect(await badClosed).toBe(1002)

    const still = await overHttp(held.d, '/api/v0/id', new Uint8Array(0))
    expect(still.status).toBe(200)
  })

  it('answers many requests in flight on one socket', async () => {
    const ws = await open(held.d)
    const ask = client(ws)
    const replies = await Promise.all(Array.from({ length: 64 }, () => ask('POST', '/api/v0/id')))
    expect(replies.every((r) => r.status === 200)).toBe(true)
    expect(new Set(replies.map((r) => r.id)).size).toBe(64)
    ws.close()
  })

  it('takes upgrades only at its path, for this Host, from the same origin or none', async () => {
    const base = held.d.daemon.url.replace('http', 'ws')
    // a WebSocket upgrade elsewhere is served as the plain request it is: GET on the API is refused as over HTTP
    expect(await refusedWith(base + '/api/v0/id')).toBe((await fetch(held.d.daemon.url + '/api/v0/id')).status)
    expect(await refusedWith(base + SOCKET_PATH, { Host: 'evil.example' })).toBe(404)
    expect(await refusedWith(base + SOCKET_PATH, { Origin: 'http://evil.example' })).toBe(403)
    expect(await refusedWith(base + SOCKET_PATH, { Origin: 'null' })).toBe(403)
    const same = await open(held.d, { Origin: held.d.daemon.url })
    same.close()
  })
})

describe('requests in flight on one socket', () => {
  it('are at most MAX_SOCKET_IN_FLIGHT in the handler; the rest wait their turn and are all answered', async () => {
    let now = 0
    let most = 0
    const gates: (() => void)[] = []
    const handler = Object.assign(async (req: HttpRequest): Promise<HttpResponse> => {
      most = Math.max(most, ++now)
      await new Promise<void>((r) => gates.push(r))
      now--
      return bytesReply(new TextEncoder().encode(req.path))
    }, { maxBodySize: () => 1024 })
    const server = await startHttpServer(handler)
    try {
      const ws = new WebSocket(server.url.replace('http', 'ws') + SOCKET_PATH)
      await new Promise((r) => ws.once('message', r))
      const ask = client(ws)
      const all = Promise.all(Array.from({ length: 64 }, (_, i) => ask('POST', `/api/v0/n${i}`)))
      await expect.poll(() => gates.length).toBe(MAX_SOCKET_IN_FLIGHT)
      // each release lets one waiting request in, never more than the bound at once
      for (let released = 0; released < 64; released++) {
        await expect.poll(() => gates.length).toBeGreaterThan(0)
        expect(now).toBeLessThanOrEqual(MAX_SOCKET_IN_FLIGHT)
        gates.shift()!()
      }
      const replies = await all
      expect(replies.map((r) => new TextDecoder().decode(r.body))).toEqual(Array.from({ length: 64 }, (_, i) => `/api/v0/n${i}`))
      expect(most).toBe(MAX_SOCKET_IN_FLIGHT)
      ws.close()
    } finally {
      await server.close()
    }
  })
})

describe('idle sockets', () => {
  /** Long enough that a loaded machine gets the busy socket's request to the server before its idle time after the hello. */
  const IDLE_MS = 1_500

  it('are closed after the idle time with SOCKET_IDLE_CLOSE, never while a request is in flight', async () => {
    const gates: (() => void)[] = []
    const handler = Object.assign(async (req: HttpRequest): Promise<HttpResponse> => {
      if (req.path.endsWith('slow')) await new Promise<void>((r) => gates.push(r))
      return bytesReply(new TextEncoder().encode(req.path))
    }, { maxBodySize: () => 1024 })
    const server = await startHttpServer(handler, { keepAliveTimeoutMs: IDLE_MS })
    try {
      const url = server.url.replace('http', 'ws') + SOCKET_PATH
      const quiet = new WebSocket(url)
      const quietClosed = closed(quiet)
      const busy = new WebSocket(url)
      await new Promise((r) => busy.once('message', r))
      const ask = client(busy)
      let busyClosedAt = 0
      const busyClosed = closed(busy).then((code) => { busyClosedAt = Date.now(); return code })
      const slow = ask('POST', '/api/v0/slow')
      expect(await quietClosed).toBe(SOCKET_IDLE_CLOSE)
      // the busy socket's request outlives two idle times: it stays open and is answered
      await new Promise((r) => setTimeout(r, 2 * IDLE_MS))
      expect(busy.readyState).toBe(WebSocket.OPEN)
      const answeredAt = Date.now()
      gates.shift()!()
      expect(new TextDecoder().decode((await slow).body)).toBe('/api/v0/slow')
      expect(await busyClosed).toBe(SOCKET_IDLE_CLOSE)
      expect(busyClosedAt - answeredAt).toBeGreaterThanOrEqual(IDLE_MS - 50)
    } finally {
      await server.close()
    }
  })

  it('have the web client send again, on a new socket, the requests a close as idle left unanswered', async () => {
    const http = createServer((_req, res) => res.writeHead(404).end())
    const wss = new WebSocketServer({ noServer: true })
    let sockets = 0
    const handled: string[] = []
    http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => {
      const n = ++sockets
      ws.send(SOCKET_HELLO)
      ws.on('message', (m) => {
        const r = decodeSocketRequest(new Uint8Array(m as Buffer))
        // the first socket had decided it was idle when this arrived: not handled, closed as idle
        if (n === 1) return ws.close(SOCKET_IDLE_CLOSE, 'Idle')
        handled.push(r.target)
        ws.send(encodeSocketReplyHead(r.id, 200, [['Content-Length', '2']]), { binary: true, fin: false })
        ws.send(new TextEncoder().encode('ok'), { binary: true, fin: true })
      })
    }))
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`
    try {
      const sf = new SocketFetch(url, () => Promise.reject(new Error('no fetch expected')), WebSocket as unknown as typeof globalThis.WebSocket)
      const res = await sf.fetch(url + '/api/v0/one', { method: 'POST', body: new Uint8Array(1), redirect: 'error' })
      expect(await res.text()).toBe('ok')
      expect(sockets).toBe(2)
      expect(handled).toEqual(['/api/v0/one'])
      expect(sf.counts.state).toBe('socket')
      expect(sf.counts.fetched).toBe(0)
      // a close that is not for idleness still fails the requests waiting, as fetch fails
      const other = new WebSocketServer({ noServer: true })
      http.removeAllListeners('upgrade')
      http.on('upgrade', (req, socket, head) => other.handleUpgrade(req, socket, head, (ws) => {
        ws.send(SOCKET_HELLO)
        ws.on('message', () => ws.close(1011, 'Broken'))
      }))
      for (const c of wss.clients) c.close()
      await expect.poll(() => sf.counts.state === 'socket' && wss.clients.size === 0, { timeout: 15_000 }).toBe(true)
      await expect(sf.fetch(url + '/api/v0/two', { method: 'POST', body: new Uint8Array(1), redirect: 'error' })).rejects.toThrow(TypeError)
      other.close()
    } finally {
      wss.close()
      http.closeAllConnections()
      http.close()
    }
  })
})

describe('other Upgrade requests', () => {
  const held = daemonForBlock()

  it('serves API calls that ask for h2c as the plain HTTP requests they are, bodies included, on connections kept alive', async () => {
    const { port } = new URL(held.d.daemon.url)
    const socket = connect(Number(port), '127.0.0.1')
    await new Promise((r) => socket.once('connect', r))
    let got = ''
    socket.on('data', (b: Buffer) => { got += b.toString('latin1') })
    const body = 'abc'
    const h2c = `POST /api/v0/id HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: ${body.length}\r\n\r\n${body}`
    socket.write(h2c)
    const plain = await overHttp(held.d, '/api/v0/id', new TextEncoder().encode(body))
    await expect.poll(() => got.includes('\r\n\r\n') && got.length >= got.indexOf('\r\n\r\n') + 4 + plain.body.length).toBe(true)
    // the id route takes no body: both refuse its 3 bytes alike (the body was read as the body)
    expect(plain.status).toBe(413)
    expect(got.slice(0, 100)).toMatch(/^HTTP\/1.1 413 /)
    expect(got).toContain(`Trailer: ${plain.headers.get('trailer')}`)
    // a request without a body on a fresh connection the same way, and the connection takes the next one
    const again = connect(Number(port), '127.0.0.1')
    await new Promise((r) => again.once('connect', r))
    got = ''
    again.on('data', (b: Buffer) => { got += b.toString('latin1') })
    const ok = await overHttp(held.d, '/api/v0/id', new Uint8Array(0))
    const tail = Buffer.from(ok.body).toString('latin1')
    again.write(`POST /api/v0/id HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\nContent-Length: 0\r\n\r\n`)
    await expect.poll(() => got.startsWith('HTTP/1.1 200 ') && got.endsWith(tail)).toBe(true)
    got = ''
    again.write(`POST /api/v0/id HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nContent-Length: 0\r\n\r\n`)
    await expect.poll(() => got.startsWith('HTTP/1.1 200 ') && got.endsWith(tail)).toBe(true)
    again.destroy()
    socket.destroy()
  })
})

describe('the web client against a server without the extension', () => {
  it('detects it once and sends every request by fetch', async () => {
    let requests = 0
    let upgrades = 0
    const server = createServer((req, res) => {
      // without an 'upgrade' listener node:http hands an upgrade request to 'request': a plain reply
      if (req.headers.upgrade !== undefined) upgrades++
      else requests++
      req.resume()
      req.on('end', () => res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end('plain'))
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    try {
      const sf = new SocketFetch(url, (i, init) => fetch(i, init), WebSocket as unknown as typeof globalThis.WebSocket)
      for (let i = 0; i < 3; i++) {
        const res = await sf.fetch(url + '/api/v0/id', { method: 'POST', body: new Uint8Array(2), redirect: 'error' })
        expect(await res.text()).toBe('plain')
      }
      expect(sf.counts).toEqual({ socket: 0, fetched: 3, state: 'absent' })
      expect(requests).toBe(3)
      expect(upgrades).toBe(1)

      // a socket the browser refuses to open at all (a constructor that throws, as under a CSP without ws:)
      const refusing = class { constructor() { throw new DOMException('Refused to connect', 'SecurityError') } }
      const blocked = new SocketFetch(url, (i, init) => fetch(i, init), refusing as unknown as typeof globalThis.WebSocket)
      expect(await (await blocked.fetch(url + '/api/v0/id', { method: 'POST', body: new Uint8Array(0), redirect: 'error' })).text()).toBe('plain')
      expect(blocked.counts).toEqual({ socket: 0, fetched: 1, state: 'absent' })
    } finally {
      server.closeAllConnections()
      server.close()
    }
  })
})
