// NodePoster's own HTTP/1.1 client (Http1Pool) against real servers on 127.0.0.1: a raw node:net
// server dribbling replies a few bytes at a time (head and body split anywhere), node:http servers
// for error statuses with Peergos' Trailer header, gzip and chunked bodies, a server closing in the
// middle of a reply or never replying (timeout), keep-alive reuse, several requests in flight on
// separate connections within maxSockets, `Connection: close`, and close() with requests pending.
import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpStatusError, HttpTransportError } from '../../../src/http/errors.ts'
import { QuotaExceededError } from '../../../src/services/errors.ts'
import { NodePoster } from '../../../src/server/http/node-poster.ts'

const BODY = randomBytes(70_001)

async function listen(server: Server | NetServer): Promise<string> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`
}

const closeServer = (server: Server | NetServer): Promise<void> => new Promise((r) => server.close(() => r()))

/** Writes `bytes` as pieces of the given sizes (cycled), each after the previous one left the process. */
async function dribble(socket: Socket, bytes: Uint8Array, sizes: readonly number[]): Promise<void> {
  for (let i = 0, k = 0; i < bytes.length; k++) {
    const n = sizes[k % sizes.length]
    await new Promise<void>((r) => socket.write(bytes.subarray(i, i + n), () => r()))
    await new Promise((r) => setTimeout(r, 1))
    i += n
  }
}

/** Reads requests from a raw socket in order: each one's head and a body of its Content-Length. */
function requestReader(socket: Socket): () => Promise<{ path: string; head: string; body: Buffer }> {
  let data = Buffer.alloc(0)
  let wake: () => void = () => undefined
  socket.on('data', (d: Buffer) => {
    data = Buffer.concat([data, d])
    wake()
  })
  return async () => {
    for (;;) {
      const end = data.indexOf('\r\n\r\n')
      if (end >= 0) {
        const head = data.subarray(0, end).toString('latin1')
        const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0)
        if (data.length >= end + 4 + length) {
          const body = data.subarray(end + 4, end + 4 + length)
          data = data.subarray(end + 4 + length)
          return { path: head.split(' ')[1], head, body }
        }
      }
      await new Promise<void>((r) => { wake = r })
    }
  }
}

describe('NodePoster over raw replies', () => {
  let server: NetServer
  let url: string
  const heads: string[] = []
  beforeAll(async () => {
    server = createNetServer(async (socket) => {
      socket.on('error', () => undefined)
      const next = requestReader(socket)
      for (;;) {
        const req = await next()
        heads.push(req.head)
        const [, kind, sizes] = req.path.split('/')
        const pieces = (sizes ?? '1').split(',').map(Number)
        if (kind === 'length') {
          await dribble(socket, Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`), BODY.subarray(0, 200)]), pieces)
          await dribble(socket, BODY.subarray(200), [30_000, 1, 7])
        } else if (kind === 'chunked') {
          const wire = Buffer.concat([Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'), Buffer.from('c8\r\n'), BODY.subarray(0, 200), Buffer.from('\r\n0\r\n\r\n')])
          await dribble(socket, wire, pieces)
        } else if (kind === 'echo') {
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${req.body.length}\r\n\r\n`)
          socket.write(req.body)
        } else if (kind === 'cut') {
          socket.write(`HTTP/1.1 200 OK\r\nContent-Length: ${BODY.length}\r\n\r\n`)
          socket.end(BODY.subarray(0, 1000))
          return
        } else if (kind === 'cut-head') {
          socket.end('HTTP/1.1 200 OK\r\nContent-Le')
          return
        } else if (kind === 'garbage') {
          socket.write('HTTP/1.1 two hundred\r\n\r\n')
        } else if (kind === 'close') {
          socket.end('HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok')
          return
        } else if (kind === 'silent') {
          // never replies
        }
      }
    })
    url = await listen(server)
  })
  afterAll(() => closeServer(server))

  it('receives heads and bodies dribbled a few bytes at a time, byte for byte, on one kept-alive connection', async () => {
    const p = new NodePoster(url)
    try {
      for (const sizes of ['1', '2,3', '13,1,40', '70']) {
        expect(Buffer.from(await p.post(`/length/${sizes}`)).equals(BODY)).toBe(true)
        expect(Buffer.from(await p.post(`/chunked/${sizes}`)).equals(BODY.subarray(0, 200))).toBe(true)
      }
      const body = randomBytes(200_000)
      expect(Buffer.from(await p.post('/echo', body)).equals(body)).toBe(true)
    } finally {
      p.close()
    }
  })

  it('writes the request head node:http would, with the caller\'s headers, and refuses unsafe ones', async () => {
    heads.length = 0
    const p = new NodePoster(url, { headers: { Authorization: 'Basic eDp5', 'Content-Length': '999' } })
    try {
      await p.post('/echo', new Uint8Array(3))
      expect(heads[0]).toBe(`POST /echo HTTP/1.1\r\nHost: ${new URL(url).host}\r\nAuthorization: Basic eDp5\r\nAccept-Encoding: gzip\r\nConnection: keep-alive\r\nContent-Length: 3`)
      await expect(p.post('/echo x')).rejects.toBeInstanceOf(TypeError)
    } finally {
      p.close()
    }
    expect(() => new NodePoster(url, { headers: { X: 'a\r\nInjected: 1' } })).toThrow(TypeError)
    expect(() => new NodePoster('ftp://127.0.0.1')).toThrow(TypeError)
  })

  it('fails a reply cut short, or malformed, with an HttpTransportError and stays usable', async () => {
    const p = new NodePoster(url)
    try {
      for (const path of ['/cut', '/cut-head', '/garbage']) {
        await expect(p.post(path)).rejects.toBeInstanceOf(HttpTransportError)
        expect(Buffer.from(await p.post('/echo', BODY)).equals(BODY)).toBe(true)
      }
    } finally {
      p.close()
    }
  })

  it('replies with Connection: close are read and the next request goes on a new connection', async () => {
    const p = new NodePoster(url)
    try {
      for (let i = 0; i < 3; i++) expect(new TextDecoder().decode(await p.post('/close'))).toBe('ok')
    } finally {
      p.close()
    }
  })

  it('times out a request whose reply never comes, without a resend', async () => {
    heads.length = 0
    const p = new NodePoster(url)
    try {
      await p.post('/echo') // a kept-alive connection, so a resend would be allowed if it were a close
      await expect(p.post('/silent', undefined, { timeoutMs: 100 })).rejects.toThrow(/Timeout after 100 ms on \/silent/)
      expect(heads.filter((h) => h.startsWith('POST /silent'))).toHaveLength(1)
      expect(Buffer.from(await p.post('/echo', BODY)).equals(BODY)).toBe(true)
    } finally {
      p.close()
    }
  })

  it('fails the requests pending when closed', async () => {
    const p = new NodePoster(url, { maxSockets: 1 })
    const first = p.post('/silent')
    const queued = p.post('/echo')
    await new Promise((r) => setTimeout(r, 20))
    p.close()
    await expect(first).rejects.toBeInstanceOf(HttpTransportError)
    await expect(queued).rejects.toBeInstanceOf(HttpTransportError)
    await expect(p.post('/echo')).rejects.toBeInstanceOf(HttpTransportError)
  })

  it('fails with an HttpTransportError when nothing listens', async () => {
    const s = createNetServer()
    const dead = await listen(s)
    await closeServer(s)
    const p = new NodePoster(dead)
    await expect(p.post('/x')).rejects.toBeInstanceOf(HttpTransportError)
    p.close()
  })
})

describe('NodePoster against node:http', () => {
  let server: Server
  let url: string
  const sockets = new Set<unknown>()
  let holding: ServerResponse[] = []
  let release: () => void = () => undefined
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      sockets.add(req.socket)
      req.resume()
      req.on('end', () => {
        if (req.url === '/quota') {
          res.writeHead(400, { Trailer: 'Storage quota reached! 5 bytes over', 'X-Peergos-Error-Class': 'QuotaExceededError' })
          res.end('ignored body')
        } else if (req.url === '/crash') {
          res.writeHead(500)
          res.end()
        } else if (req.url === '/gzip-chunked') {
          res.writeHead(200, { 'Content-Encoding': 'gzip' })
          const z = gzipSync(BODY)
          res.write(z.subarray(0, 100))
          res.end(z.subarray(100))
        } else if (req.url === '/bad-gzip') {
          res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': 4 })
          res.end('nope')
        } else if (req.url === '/held') {
          holding.push(res)
          release()
        } else {
          res.writeHead(200, { 'Content-Length': BODY.length })
          res.end(BODY)
        }
      })
    })
    url = await listen(server)
  })
  afterAll(() => closeServer(server))

  it('turns 4xx and 5xx replies into the errors their headers name, keeping the connection', async () => {
    const p = new NodePoster(url)
    sockets.clear()
    try {
      await expect(p.post('/quota')).rejects.toBeInstanceOf(QuotaExceededError)
      await expect(p.post('/quota')).rejects.toThrow('Storage quota reached! 5 bytes over')
      await expect(p.post('/crash')).rejects.toBeInstanceOf(HttpStatusError)
      expect(Buffer.from(await p.post('/')).equals(BODY)).toBe(true)
      expect(sockets.size).toBe(1)
    } finally {
      p.close()
    }
  })

  it('decodes a chunked gzip reply; a broken one is an HttpTransportError', async () => {
    const p = new NodePoster(url)
    try {
      expect(Buffer.from(await p.post('/gzip-chunked')).equals(BODY)).toBe(true)
      await expect(p.post('/bad-gzip')).rejects.toBeInstanceOf(HttpTransportError)
      await expect(new NodePoster(url, { maxResponseBytes: 1000 }).post('/gzip-chunked')).rejects.toBeInstanceOf(HttpTransportError)
    } finally {
      p.close()
    }
  })

  it('keeps several requests in flight on separate connections, at most maxSockets', async () => {
    const p = new NodePoster(url, { maxSockets: 3 })
    sockets.clear()
    holding = []
    try {
      const threeHeld = new Promise<void>((r) => { release = () => { if (holding.length === 3) r() } })
      const replies = Array.from({ length: 5 }, () => p.post('/held'))
      await threeHeld // three arrived at once, on three connections; two wait for a free one
      expect(sockets.size).toBe(3)
      const twoMore = new Promise<void>((r) => { release = () => { if (holding.length === 2) r() } })
      for (const res of holding.splice(0)) { res.writeHead(200, { 'Content-Length': 2 }); res.end('ok') }
      await twoMore
      for (const res of holding.splice(0)) { res.writeHead(200, { 'Content-Length': 2 }); res.end('ok') }
      expect((await Promise.all(replies)).map((r) => new TextDecoder().decode(r))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok'])
      expect(sockets.size).toBe(3)
    } finally {
      p.close()
    }
  })
})
