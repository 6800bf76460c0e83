// NodePoster's reply handling against a plain node:http server on 127.0.0.1: a declared length received
// in many chunks arrives byte-exact (straight into one buffer), as do chunked and gzip replies; replies
// beyond the cap and error statuses fail with typed errors; a request that meets a kept-alive connection
// closed under it is sent once more on a new one, and only then.
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../../src/http/errors.ts'
import { NodePoster } from '../../../src/server/http/node-poster.ts'

const BIG = randomBytes(3 * 1024 * 1024 + 17)

/** Writes `bytes` in pieces of `piece` bytes, yielding between them so they reach the client apart. */
async function writeInPieces(res: import('node:http').ServerResponse, bytes: Uint8Array, piece: number): Promise<void> {
  for (let i = 0; i < bytes.length; i += piece) {
    if (!res.write(bytes.subarray(i, i + piece))) await new Promise((r) => res.once('drain', r))
  }
  res.end()
}

describe('NodePoster replies', () => {
  let server: Server
  let url: string
  const arrived: string[] = []
  beforeAll(async () => {
    server = createServer((req, res) => {
      const socket = req.socket as typeof req.socket & { served?: number }
      socket.served = (socket.served ?? 0) + 1
      if (req.url === '/flaky' || req.url === '/drop') arrived.push(req.url)
      // the idle-timeout race: the server closes a kept-alive connection as a request arrives on it, unread
      if ((req.url === '/flaky' && socket.served >= 2) || req.url === '/drop') {
        socket.destroy()
        return
      }
      req.resume()
      req.on('end', () => {
        const path = req.url ?? ''
        if (path === '/declared') {
          res.writeHead(200, { 'Content-Length': BIG.length })
          void writeInPieces(res, BIG, 10_007)
        } else if (path === '/chunked') {
          res.writeHead(200)
          void writeInPieces(res, BIG, 65_536)
        } else if (path === '/gzip') {
          const z = gzipSync(BIG)
          res.writeHead(200, { 'Content-Encoding': 'gzip', 'Content-Length': z.length })
          res.end(z)
        } else if (path === '/small') {
          res.writeHead(200, { 'Content-Length': 5 })
          res.end('hello')
        } else if (path === '/flaky') {
          res.writeHead(200, { 'Content-Length': 2 })
          res.end('ok')
        } else if (path === '/empty') {
          res.writeHead(200, { 'Content-Length': 0 })
          res.end()
        } else {
          res.writeHead(400, { Trailer: 'Storage quota reached' })
          res.end()
        }
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((r) => server.close(() => r())))

  it('receives a declared length sent in many pieces byte for byte', async () => {
    const p = new NodePoster(url)
    try {
      for (let i = 0; i < 3; i++) expect(Buffer.from(await p.post('/declared')).equals(BIG)).toBe(true)
      expect(new TextDecoder().decode(await p.post('/small'))).toBe('hello')
      expect((await p.post('/empty')).length).toBe(0)
    } finally {
      p.close()
    }
  })

  it('receives chunked and gzip replies byte for byte', async () => {
    const p = new NodePoster(url)
    try {
      expect(Buffer.from(await p.post('/chunked')).equals(BIG)).toBe(true)
      expect(Buffer.from(await p.post('/gzip')).equals(BIG)).toBe(true)
    } finally {
      p.close()
    }
  })

  it('refuses replies beyond its cap, declared or not, and stays usable', async () => {
    const p = new NodePoster(url, { maxResponseBytes: 1024 * 1024 })
    try {
      await expect(p.post('/declared')).rejects.toBeInstanceOf(HttpTransportError)
      await expect(p.post('/chunked')).rejects.toBeInstanceOf(HttpTransportError)
      await expect(p.post('/gzip')).rejects.toBeInstanceOf(HttpTransportError)
      expect(new TextDecoder().decode(await p.post('/small'))).toBe('hello')
    } finally {
      p.close()
    }
  })

  it('sends a request again, once, when its kept-alive connection was closed under it; never on a new connection', async () => {
    const p = new NodePoster(url)
    try {
      arrived.length = 0
      expect(new TextDecoder().decode(await p.post('/flaky'))).toBe('ok') // a new connection, kept alive
      expect(new TextDecoder().decode(await p.post('/flaky'))).toBe('ok') // reused, closed unread, sent again on a new one
      expect(arrived).toEqual(['/flaky', '/flaky', '/flaky'])
      arrived.length = 0
      await expect(p.post('/drop')).rejects.toBeInstanceOf(HttpTransportError) // reused: once more, then the error
      expect(arrived).toEqual(['/drop', '/drop'])
    } finally {
      p.close()
    }
    const fresh = new NodePoster(url)
    try {
      arrived.length = 0
      await expect(fresh.post('/drop')).rejects.toBeInstanceOf(HttpTransportError) // a new connection: no second try
      expect(arrived).toEqual(['/drop'])
    } finally {
      fresh.close()
    }
  })

  it('turns an error status into the error its trailer names', async () => {
    const p = new NodePoster(url)
    try {
      await expect(p.post('/fail')).rejects.toThrow('Storage quota reached')
    } finally {
      p.close()
    }
  })
})
