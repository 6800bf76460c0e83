// Hostile requests against the node server and router (security checklist 33, 35, 36): oversized
// bodies refused without being buffered, malformed bodies and queries, wrong methods, path
// traversal, foreign Host headers, slowloris headers, and error messages that try to inject headers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { base58Encode, parseCid } from '../../src/codec/cid.ts'
import { BadRequestError } from '../../src/http/errors.ts'
import { createApiHandler, type ApiServices } from '../../src/http/router.ts'
import type { HttpRequest } from '../../src/http/transport.ts'
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/node-server.ts'
import { raw } from './raw-http.ts'

const OWNER = 'z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV'
const PEER = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')

describe('hostile requests', () => {
  let server: RunningHttpServer
  const seen: HttpRequest[] = []
  let called = 0

  beforeAll(async () => {
    const pointers: NonNullable<ApiServices['pointers']> = {
      setPointer: async () => { called++; throw new BadRequestError('bad\r\nSet-Cookie: evil=1\r\nX-Injected: 1') },
      setPointers: async () => { called++; return true },
      getPointer: async () => { called++; return new Uint8Array([1, 2, 3]) },
    }
    const api = createApiHandler({ pointers })
    const handler = Object.assign(async (req: HttpRequest) => { seen.push(req); return api(req) }, { maxBodySize: api.maxBodySize })
    server = await startHttpServer(handler, { peerIds: [PEER], publicHosts: ['peergos.example'], headersTimeoutMs: 300, timeoutCheckIntervalMs: 100 })
  })
  afterAll(async () => { await server.close(100) })

  const host = (): string => `Host: 127.0.0.1:${server.port}\r\n`
  const getPointer = `/peergos/v0/mutable/getPointer?owner=${OWNER}&writer=${OWNER}`
  const setPointer = `/peergos/v0/mutable/setPointer?owner=${OWNER}&writer=${OWNER}`

  it('serves a well-formed request as the Java client sends it', async () => {
    const r = await raw(server.port, `POST ${getPointer} HTTP/1.1\r\n${host()}Content-Length: 0\r\nConnection: close\r\n\r\n`)
    expect(r.status).toBe(200)
    expect(r.headers.get('content-type')).toEqual(['application/octet-stream'])
  })

  it('refuses a declared oversized body with 413 before reading it, and drops the connection', async () => {
    const before = seen.length
    const r = await raw(server.port, Buffer.concat([Buffer.from(`POST ${setPointer} HTTP/1.1\r\n${host()}Content-Length: 10000000\r\n\r\n`), Buffer.alloc(2048)]), { more: Buffer.alloc(16 * 1024) })
    expect(r.status).toBe(413)
    expect(r.headers.get('trailer')).toEqual(['Input+exceeds+maximum+size+of+1024+bytes'])
    expect(r.headers.get('connection')).toEqual(['close'])
    expect(r.closed).toBe(true)
    expect(r.afterReplyWritten).toBeLessThan(2 * 1024 * 1024)
    expect(seen.length).toBe(before)
  })

  it('stops a chunked body at the limit without buffering the rest', async () => {
    const before = seen.length
    const chunk = (n: number): Buffer => Buffer.concat([Buffer.from(`${n.toString(16)}\r\n`), Buffer.alloc(n, 0x61), Buffer.from('\r\n')])
    const r = await raw(server.port, Buffer.concat([Buffer.from(`POST ${setPointer} HTTP/1.1\r\n${host()}Transfer-Encoding: chunked\r\n\r\n`), chunk(600), chunk(600)]), { more: chunk(8192) })
    expect(r.status).toBe(413)
    expect(r.closed).toBe(true)
    expect(seen.length).toBe(before)
  })

  it('replies malformed CBOR as 400 with the message in Trailer', async () => {
    const body = Buffer.from([0xa1, 0x61, 0x70, 0x1b, 0xff])
    const r = await raw(server.port, Buffer.concat([Buffer.from(`POST /peergos/v0/mutable/setPointers?owner=${OWNER} HTTP/1.1\r\n${host()}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n`), body]))
    expect(r.status).toBe(400)
    expect(r.headers.get('content-type')).toEqual(['text/plain'])
    expect(r.headers.get('trailer')![0]).toMatch(/^[\x21-\x7e]+$/)
  })

  it('refuses GET on a POST-only server with 405', async () => {
    const r = await raw(server.port, `GET ${getPointer} HTTP/1.1\r\n${host()}Connection: close\r\n\r\n`)
    expect(r.status).toBe(405)
  })

  it('never serves a file for traversal paths: 404', async () => {
    for (const path of ['/api/v0/../../etc/passwd', '/peergos/v0/mutable/../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/peergos/v0/mutable/getPointer%2F..%2F..%2Fetc%2Fpasswd']) {
      const r = await raw(server.port, `POST ${path} HTTP/1.1\r\n${host()}Content-Length: 0\r\nConnection: close\r\n\r\n`)
      expect(r.status, path).toBe(404)
      expect(r.head).not.toContain('root:')
    }
    const absolute = await raw(server.port, `POST http://evil.example/etc/passwd HTTP/1.1\r\n${host()}Content-Length: 0\r\n\r\n`)
    expect(absolute.status).toBe(400)
  })

  it('accepts only Host values naming this server (SubdomainHandler), else 404', async () => {
    const req = (h: string): string => `POST ${getPointer} HTTP/1.1\r\n${h}Content-Length: 0\r\nConnection: close\r\n\r\n`
    expect((await raw(server.port, req(`Host: localhost:${server.port}\r\n`))).status).toBe(200)
    expect((await raw(server.port, req('Host: peergos.example\r\n'))).status).toBe(200)
    expect((await raw(server.port, req('Host: 12D3KooWRTMcKG6eGPNRYsR4ZnDqQX3xuWftVFUK8NsHMFUHcZ4S\r\n'))).status).toBe(404)
    // Through the p2p proxy the Host is this node's peer id: the bare multihash or the CID, in base58.
    expect((await raw(server.port, req(`Host: ${base58Encode(PEER.multihash.bytes)}\r\n`))).status).toBe(200)
    expect((await raw(server.port, req(`Host: ${base58Encode(PEER.bytes)}\r\n`))).status).toBe(200)
    expect((await raw(server.port, req(`Host: ${PEER.toString()}\r\n`))).status).toBe(404)
    expect((await raw(server.port, req('Host: evil.example\r\n'))).status).toBe(404)
    expect((await raw(server.port, req(`Host: 127.0.0.1:${server.port + 1}\r\n`))).status).toBe(404)
    expect((await raw(server.port, req(`Host: 127.0.0.1:${server.port}\r\nHost: evil.example\r\n`))).status).not.toBe(200)
    expect((await raw(server.port, `POST ${getPointer} HTTP/1.0\r\nContent-Length: 0\r\n\r\n`)).status).toBe(404)
  })

  it('keeps an injected error message inside one URL-encoded Trailer header', async () => {
    const r = await raw(server.port, Buffer.concat([Buffer.from(`POST ${setPointer} HTTP/1.1\r\n${host()}Content-Length: 4\r\nConnection: close\r\n\r\n`), Buffer.from([1, 2, 3, 4])]))
    expect(r.status).toBe(400)
    expect(r.headers.has('set-cookie')).toBe(false)
    expect(r.headers.has('x-injected')).toBe(false)
    expect(r.headers.get('trailer')).toEqual(['bad%0D%0ASet-Cookie%3A+evil%3D1%0D%0AX-Injected%3A+1'])
  })

  it('replies malformed queries with 400 without calling a service', async () => {
    const before = called
    for (const q of ['owner=%zz', 'owner', 'a=1&&b=2']) {
      const r = await raw(server.port, `POST /peergos/v0/mutable/getPointer?${q} HTTP/1.1\r\n${host()}Content-Length: 0\r\nConnection: close\r\n\r\n`)
      expect(r.status, q).toBe(400)
    }
    expect(called).toBe(before)
  })

  it('answers Expect: 100-continue only for bodies it will read', async () => {
    const big = await raw(server.port, `POST ${setPointer} HTTP/1.1\r\n${host()}Content-Length: 5000\r\nExpect: 100-continue\r\n\r\n`)
    expect(big.status).toBe(413)
    const ok = await raw(server.port, `POST ${setPointer} HTTP/1.1\r\n${host()}Content-Length: 2\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`, { waitMs: 500 })
    expect(ok.status).toBe(100)
  })

  it('drops connections whose headers never finish (slowloris)', async () => {
    const started = Date.now()
    const r = await raw(server.port, `POST ${getPointer} HTTP/1.1\r\n${host()}X-Slow: 1`, { waitMs: 5000 })
    expect(r.closed).toBe(true)
    expect(Date.now() - started).toBeLessThan(4000)
  })
})

describe('graceful close', () => {
  it('lets an in-flight request finish, then refuses new connections', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => { release = r })
    const pointers: NonNullable<ApiServices['pointers']> = {
      setPointer: async () => true,
      setPointers: async () => true,
      getPointer: async () => { await gate; return new Uint8Array([7]) },
    }
    const server = await startHttpServer(createApiHandler({ pointers }))
    const inflight = fetch(`${server.url}/peergos/v0/mutable/getPointer?owner=${OWNER}&writer=${OWNER}`, { method: 'POST' })
    await new Promise((r) => setTimeout(r, 50))
    const closeStarted = Date.now()
    const closed = server.close(5000)
    await new Promise((r) => setTimeout(r, 50))
    await expect(fetch(`${server.url}/peergos/v0/mutable/getPointer?owner=${OWNER}&writer=${OWNER}`, { method: 'POST' })).rejects.toThrow()
    release()
    const res = await inflight
    expect(res.status).toBe(200)
    expect(new Uint8Array(await res.arrayBuffer())).toEqual(new Uint8Array([7]))
    await closed
    // The reply carried "Connection: close", so the close did not wait for the grace period.
    expect(Date.now() - closeStarted).toBeLessThan(2000)
  })
})
