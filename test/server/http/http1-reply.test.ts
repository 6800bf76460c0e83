// Http1ReplyReader on replies cut into socket reads at every offset (head, chunk sizes, CRLFs and
// bodies split anywhere): the same status, headers and body bytes as from one read; chunked bodies
// with extensions and trailers, 1xx heads, no-body statuses, bodies read until the close; and typed
// errors for malformed framing, oversized replies and replies cut short.
import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../../src/http/errors.ts'
import { Http1ReplyReader, MalformedReplyError, ReplyTooLargeError, type Http1Reply } from '../../../src/server/http/http1-reply.ts'

const enc = (s: string): Uint8Array => new TextEncoder().encode(s)
const cat = (...parts: (string | Uint8Array)[]): Uint8Array => Buffer.concat(parts.map((p) => (typeof p === 'string' ? enc(p) : p)))

/** Feeds `wire` in reads cut at `cuts` (sorted offsets), each read a view into one reused buffer as a socket's onread gives them. */
function readCut(wire: Uint8Array, cuts: readonly number[], max = 1 << 20, closeAtEnd = false): Http1Reply {
  const r = new Http1ReplyReader(max)
  r.begin()
  const scratch = new Uint8Array(wire.length + 1)
  let from = 0
  let done = false
  for (const to of [...cuts, wire.length]) {
    if (to <= from) continue
    scratch.set(wire.subarray(from, to))
    done = r.feed(scratch, 0, to - from)
    scratch.fill(0xee) // the socket overwrites its buffer: nothing may keep a view of it
    from = to
    if (done) break
  }
  if (!done && closeAtEnd) r.end()
  return r.reply()
}

const BODY = randomBytes(300)

const replies: Record<string, { wire: Uint8Array; status: number; body: Uint8Array; keepAlive: boolean; header?: [string, string] }> = {
  'content-length': {
    wire: cat('HTTP/1.1 200 OK\r\nContent-Length: 300\r\nX-Peergos-Error-Class: none\r\n\r\n', BODY),
    status: 200, body: BODY, keepAlive: true, header: ['x-peergos-error-class', 'none'],
  },
  chunked: {
    wire: cat('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'a;ext=1\r\n', BODY.subarray(0, 10), '\r\n', '122\r\n', BODY.subarray(10), '\r\n0\r\nX-Trailer: t\r\n\r\n'),
    status: 200, body: BODY, keepAlive: true,
  },
  'error with a Trailer header': {
    wire: cat('HTTP/1.1 400 Bad Request\r\nTrailer: Storage%20quota%20reached\r\nContent-Length: 5\r\n\r\nabcde'),
    status: 400, body: new Uint8Array(0), keepAlive: true, header: ['trailer', 'Storage%20quota%20reached'],
  },
  'chunked error': {
    wire: cat('HTTP/1.1 500 Internal Server Error\r\nTrailer: boom\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n'),
    status: 500, body: new Uint8Array(0), keepAlive: true, header: ['trailer', 'boom'],
  },
  '100 Continue first, Connection: close': {
    wire: cat('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nConnection: close\r\ncontent-length: 3\r\n\r\nxyz'),
    status: 200, body: enc('xyz'), keepAlive: false,
  },
  '204 without a body': { wire: cat('HTTP/1.1 204 No Content\r\n\r\n'), status: 204, body: new Uint8Array(0), keepAlive: true },
  'HTTP/1.0 keep-alive, empty body': {
    wire: cat('HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n'), status: 200, body: new Uint8Array(0), keepAlive: true,
  },
}

describe('Http1ReplyReader', () => {
  for (const [name, r] of Object.entries(replies)) {
    it(`reads a ${name} reply cut into two reads at every offset, and into one-byte reads`, () => {
      const check = (got: Http1Reply): void => {
        expect(got.status).toBe(r.status)
        expect(Buffer.from(got.body).equals(Buffer.from(r.body))).toBe(true)
        expect(got.keepAlive).toBe(r.keepAlive)
        if (r.header !== undefined) expect(got.headers.get(r.header[0])).toBe(r.header[1])
      }
      for (let cut = 0; cut <= r.wire.length; cut++) check(readCut(r.wire, [cut]))
      check(readCut(r.wire, Array.from({ length: r.wire.length }, (_, i) => i + 1)))
      // and at three offsets at once, spread over head and body
      for (let a = 1; a < r.wire.length; a += 7) for (let b = a + 1; b < r.wire.length; b += 29) check(readCut(r.wire, [a, b, b + 3]))
    })
  }

  it('reads a body without framing until the connection closes', () => {
    const wire = cat('HTTP/1.1 200 OK\r\n\r\n', BODY)
    for (let cut = 0; cut <= wire.length; cut += 5) {
      const got = readCut(wire, [cut], 1 << 20, true)
      expect(Buffer.from(got.body).equals(BODY)).toBe(true)
      expect(got.keepAlive).toBe(false)
    }
  })

  it('says how many bytes followed the reply in the read that completed it', () => {
    const r = new Http1ReplyReader(100)
    r.begin()
    expect(r.feed(enc('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA'))).toBe(true)
    expect(r.extra).toBe(5)
  })

  it('reads the next reply on the same reader after begin()', () => {
    const r = new Http1ReplyReader(100)
    for (const body of ['one', 'second']) {
      r.begin()
      expect(r.started).toBe(false)
      expect(r.feed(enc(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`))).toBe(true)
      expect(new TextDecoder().decode(r.reply().body)).toBe(body)
    }
  })

  const malformed: Record<string, string> = {
    'status line': 'HTTP/2 200 OK\r\n\r\n',
    'status code': 'HTTP/1.1 2000 OK\r\n\r\n',
    'header line': 'HTTP/1.1 200 OK\r\nno colon here\r\n\r\n',
    'header name': 'HTTP/1.1 200 OK\r\nBad Name: x\r\n\r\n',
    'Content-Length': 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n',
    'conflicting Content-Lengths': 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
    'Transfer-Encoding': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n',
    'chunk size': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n',
    'chunk end': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
    'bare LF': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n',
  }
  for (const [what, wire] of Object.entries(malformed)) {
    it(`refuses a bad ${what} with MalformedReplyError`, () => {
      expect(() => readCut(enc(wire), [])).toThrow(MalformedReplyError)
    })
  }

  it('refuses a head beyond 64 KiB', () => {
    const wire = enc(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(70_000)}\r\n\r\n`)
    expect(() => readCut(wire, [1000, 30_000])).toThrow(MalformedReplyError)
  })

  it('refuses a 200 body beyond the cap, declared or chunked, as ReplyTooLargeError (an HttpTransportError)', () => {
    expect(() => readCut(cat('HTTP/1.1 200 OK\r\nContent-Length: 301\r\n\r\n'), [], 300)).toThrow(ReplyTooLargeError)
    const chunked = cat('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n12d\r\n', randomBytes(301), '\r\n0\r\n\r\n')
    expect(() => readCut(chunked, [60, 200], 300)).toThrow(ReplyTooLargeError)
    expect(() => readCut(cat('HTTP/1.1 200 OK\r\n\r\n', randomBytes(301)), [], 300, true)).toThrow(HttpTransportError)
    // an error status's body is dropped, not capped
    expect(readCut(cat('HTTP/1.1 404 Not Found\r\nContent-Length: 400\r\n\r\n', randomBytes(400)), [], 300).status).toBe(404)
  })

  it('refuses a reply cut short by the close', () => {
    const wire = replies['content-length'].wire
    for (const cut of [0, 10, 60, wire.length - 1]) {
      const r = new Http1ReplyReader(1 << 20)
      r.begin()
      r.feed(wire, 0, cut)
      expect(r.started).toBe(cut > 0)
      expect(() => r.end()).toThrow(MalformedReplyError)
    }
  })
})
