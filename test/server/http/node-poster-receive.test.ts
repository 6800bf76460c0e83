// NodePoster's receiveInto (PostOptions) against a real server on 127.0.0.1: a 200 reply with a
// Content-Length lands in the caller's buffer (the result is a view of it, the bytes after it
// untouched); a buffer too short, none, a gzip or chunked reply, or an error status are received as
// before; reads land in the body in place and never past it (junk after a body is not taken for
// it); a reply cut short fails, and nothing writes into its buffer afterwards, while the pool's
// later replies (to other buffers) go on.
import { randomBytes } from 'node:crypto'
import { createServer, type Server, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { gzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../../src/http/errors.ts'
import { NodePoster } from '../../../src/server/http/node-poster.ts'

const BODY = randomBytes(1024 * 1024 + 77)

function reply(socket: Socket, path: string): void {
  const head = (status: string, headers: string): void => void socket.write(`HTTP/1.1 ${status}\r\n${headers}\r\n`)
  if (path === '/declared') {
    head('200 OK', `Content-Length: ${BODY.length}\r\n`)
    // in pieces, so the body arrives over many socket reads
    for (let i = 0; i < BODY.length; i += 50_000) socket.write(BODY.subarray(i, i + 50_000))
  } else if (path === '/gzip') {
    const z = gzipSync(BODY)
    head('200 OK', `Content-Encoding: gzip\r\nContent-Length: ${z.length}\r\n`)
    socket.write(z)
  } else if (path === '/chunked') {
    head('200 OK', 'Transfer-Encoding: chunked\r\n')
    socket.write(`${BODY.length.toString(16)}\r\n`)
    socket.write(BODY)
    socket.write('\r\n0\r\n\r\n')
  } else if (path === '/extra') { // more bytes than declared: a broken server
    head('200 OK', `Content-Length: ${BODY.length}\r\n`)
    const tail = BODY.length - 1000
    for (let i = 0; i < tail; i += 70_000) socket.write(BODY.subarray(i, Math.min(tail, i + 70_000)))
    socket.write(Buffer.concat([BODY.subarray(tail), Buffer.from('junk after the body')]))
  } else if (path === '/cut') {
    head('200 OK', `Content-Length: ${BODY.length}\r\n`)
    socket.end(BODY.subarray(0, 300_000)) // then the connection closes: the reply is cut short
  } else {
    head('500 Internal Server Error', 'Trailer: nope\r\nContent-Length: 4\r\n')
    socket.write('oops')
  }
}

describe('NodePoster receiveInto', () => {
  let server: Server
  let poster: NodePoster
  beforeAll(async () => {
    server = createServer((socket) => {
      let pending = ''
      socket.on('data', (d: Buffer) => {
        pending += d.toString('latin1')
        let end: number
        while ((end = pending.indexOf('\r\n\r\n')) >= 0) { // requests here have empty bodies
          const path = pending.slice(0, end).split(' ')[1]
          pending = pending.slice(end + 4)
          reply(socket, path)
        }
      })
      socket.on('error', () => {})
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    poster = new NodePoster(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
  })
  afterAll(async () => {
    poster.close()
    await new Promise((r) => server.close(r))
  })

  it('receives a declared reply into the given buffer', async () => {
    const given = new Uint8Array(BODY.length + 100).fill(0xab)
    const lengths: number[] = []
    const got = await poster.post('/declared', undefined, { receiveInto: (n) => (lengths.push(n), given) })
    expect(lengths).toEqual([BODY.length])
    expect(got.buffer).toBe(given.buffer)
    expect(got.byteOffset).toBe(0)
    expect(got.length).toBe(BODY.length)
    expect(Buffer.from(got).equals(BODY)).toBe(true)
    expect(given.subarray(BODY.length).every((b) => b === 0xab)).toBe(true)
  })

  it('allocates as before for a buffer too short, none, a gzip or chunked reply and an error status', async () => {
    const short = new Uint8Array(BODY.length - 1)
    const a = await poster.post('/declared', undefined, { receiveInto: () => short })
    expect(a.buffer).not.toBe(short.buffer)
    expect(Buffer.from(a).equals(BODY)).toBe(true)
    const b = await poster.post('/declared', undefined, { receiveInto: () => undefined })
    expect(Buffer.from(b).equals(BODY)).toBe(true)
    const asked: string[] = []
    for (const path of ['/gzip', '/chunked']) {
      const given = new Uint8Array(BODY.length * 2)
      const got = await poster.post(path, undefined, { receiveInto: () => (asked.push(path), given) })
      expect(got.buffer).not.toBe(given.buffer)
      expect(Buffer.from(got).equals(BODY)).toBe(true)
    }
    await expect(poster.post('/error', undefined, { receiveInto: () => (asked.push('error'), new Uint8Array(10)) })).rejects.toThrow('nope')
    expect(asked).toEqual([])
  })

  it('keeps only the declared bytes of a reply followed by junk; the connection is not used again', async () => {
    for (let i = 0; i < 3; i++) {
      const given = new Uint8Array(BODY.length + 64).fill(7)
      const got = await poster.post('/extra', undefined, { receiveInto: () => given })
      expect(Buffer.from(got).equals(BODY)).toBe(true)
      expect(given.subarray(BODY.length).every((b) => b === 7)).toBe(true)
      // the junk arrives with the body's last bytes (one write), which the reader takes through its
      // read buffer, so it sees the junk and closes the connection instead of reading it as a reply
      expect(Buffer.from(await poster.post('/declared')).equals(BODY)).toBe(true)
    }
  })

  it('fails a reply cut short; nothing writes into its buffer afterwards', async () => {
    const given = new Uint8Array(BODY.length)
    const cut = poster.post('/cut', undefined, { receiveInto: () => given })
    await expect(cut).rejects.toBeInstanceOf(HttpTransportError)
    given.fill(0x11) // the caller may drop it, but even kept, no later reply lands in it
    const others = await Promise.all([0, 1, 2, 3].map(() => {
      const own = new Uint8Array(BODY.length)
      return poster.post('/declared', undefined, { receiveInto: () => own }).then((got) => ({ got, own }))
    }))
    for (const { got, own } of others) {
      expect(got.buffer).toBe(own.buffer)
      expect(Buffer.from(got).equals(BODY)).toBe(true)
    }
    expect(given.every((b) => b === 0x11)).toBe(true)
  })
})
