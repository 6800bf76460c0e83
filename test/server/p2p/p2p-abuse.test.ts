// Abuse of the p2p layer (issue 5): a peer that asks for an unknown protocol, sends bodies over the
// size limit (over `/http` and through another server's /p2p/ proxy), drip-feeds headers or a body,
// opens more streams than its share, or opens many connections. After each, the daemon still
// answers a well-behaved peer over libp2p, clients through the proxy, and plain HTTP.
import { request } from 'node:http'
import { connect } from 'node:net'
import { Readable } from 'node:stream'
import type { Stream } from '@libp2p/interface'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CLASS_HEADER } from '../../../src/http/errors.ts'
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { javaUrlDecode } from '../../../src/http/url-encoding.ts'
import { RateLimitError } from '../../../src/services/errors.ts'
import { registerServerWireErrors } from '../../../src/server/http/wire-errors.ts'
import { HTTP_PROTOCOL, p2pHttpRequest, type P2pResponse } from '../../../src/server/p2p/http-protocol.ts'
import type { P2pNode } from '../../../src/server/p2p/p2p-node.ts'
import { P2pPoster } from '../../../src/server/p2p/p2p-poster.ts'
import { peerIdOf } from '../../../src/server/p2p/peer-ids.ts'
import { StreamSocket } from '../../../src/server/p2p/stream-socket.ts'
import { addressOf } from './federation-fixtures.ts'
import { httpCall, servicesVia, startTestDaemon, startTestNode, type TestDaemon } from './fixtures.ts'

const KiB = 1024
const MiB = 1024 * KiB
/** A route whose body limit is 1 KiB (a signed pointer update). */
const SET_POINTER = '/peergos/v0/mutable/setPointer?owner=x&writer=x'
const STREAMS_PER_PEER = 8
const CONNECTIONS_PER_PEER = 3

/** A lazily generated body of `total` bytes (one reused 64 KiB chunk) that counts what was read of it. */
function countedBody(total: number): { body: Readable; pulled: () => number } {
  const chunk = new Uint8Array(64 * KiB).fill(0x61)
  let pulled = 0
  const body = Readable.from((function* () {
    while (pulled < total) {
      pulled += chunk.length
      yield chunk
    }
  })(), { objectMode: false })
  return { body, pulled: () => pulled }
}

/** What a raw `/http` stream received until the server closed it (or it broke). */
function untilClosed(socket: StreamSocket): Promise<string> {
  return new Promise((resolve) => {
    const got: Buffer[] = []
    const done = (): void => resolve(Buffer.concat(got).toString('latin1'))
    socket.on('data', (d: Buffer) => got.push(d))
    socket.once('end', done)
    socket.once('close', done)
    socket.once('error', done)
  })
}

/**
 * A POST to `url` + `path` whose body streams (chunked, or with `declared` as Content-Length) from
 * `body`, over a raw socket: the server replies and drops the connection while the body is still
 * being sent, and a write failing then (EPIPE, ECONNRESET) must not hide the reply already received.
 */
function streamedPost(url: string, path: string, body: Readable, declared?: number): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const socket = connect(Number(u.port), u.hostname)
    const received: Buffer[] = []
    socket.on('data', (d: Buffer) => received.push(d))
    socket.on('error', () => socket.destroy())
    socket.once('close', () => {
      body.destroy()
      const text = Buffer.concat(received).toString('latin1')
      const head = text.slice(0, text.indexOf('\r\n\r\n'))
      const [statusLine, ...lines] = head.split('\r\n')
      const status = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine ?? '')
      if (status === null) return reject(new Error(`no HTTP reply before the connection closed: ${JSON.stringify(text.slice(0, 200))}`))
      const headers: Record<string, unknown> = {}
      for (const line of lines) {
        const colon = line.indexOf(':')
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ status: Number(status[1]), headers })
    })
    const framing = declared === undefined ? 'Transfer-Encoding: chunked' : `Content-Length: ${declared}`
    socket.write(`POST ${path} HTTP/1.1\r\nHost: ${u.host}\r\n${framing}\r\n\r\n`)
    void (async () => {
      for await (const chunk of body) {
        if (socket.destroyed) return
        const framed = declared === undefined ? Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]) : chunk
        const ok = socket.write(framed)
        if (!ok) await new Promise((r) => { socket.once('drain', r); socket.once('close', r) })
      }
      if (declared === undefined && !socket.destroyed) socket.write('0\r\n\r\n')
    })().catch(() => {}) // the body is destroyed once the connection closed: sending stops there
  })
}

function errorOf(r: { headers: Record<string, unknown> }): { name: unknown; message: string } {
  return { name: r.headers[ERROR_CLASS_HEADER.toLowerCase()], message: javaUrlDecode(String(r.headers.trailer)) }
}

describe('abuse of the p2p layer', () => {
  let b: TestDaemon // the target: small stream and connection limits
  let slow: TestDaemon // short header and request timeouts
  let a: TestDaemon // a server whose /p2p/ proxy reaches b and slow
  let good: P2pNode // a well-behaved peer
  let attacker: P2pNode

  beforeAll(async () => {
    registerServerWireErrors()
    b = await startTestDaemon(['--max-body', '1m', '--p2p-max-streams-per-peer', String(STREAMS_PER_PEER), '--p2p-max-connections-per-peer', String(CONNECTIONS_PER_PEER)])
    slow = await startTestDaemon(['--headers-timeout', '1000', '--request-timeout', '2000'])
    a = await startTestDaemon(['--bootstrap', `${addressOf(b)},${addressOf(slow)}`])
    good = await startTestNode({ bootstrap: [addressOf(b), addressOf(slow)] })
    attacker = await startTestNode({ bootstrap: [addressOf(b), addressOf(slow)] })
    await Promise.all([a.p2p.node!.ready(), good.ready(), attacker.ready()])
  }, 60_000)
  afterAll(async () => {
    await attacker?.stop()
    await good?.stop()
    for (const d of [a, slow, b]) await d?.dispose().catch(() => {})
  })

  const peerOf = (d: TestDaemon): ReturnType<typeof peerIdOf> => peerIdOf(d.identity.id)

  /** `d` answers a PKI lookup from the good peer over libp2p, from a client through a's proxy, and over plain HTTP. */
  const stillServes = async (d: TestDaemon): Promise<void> => {
    const overP2p = httpNetworkServices(new P2pPoster(good.libp2p, peerOf(d)))
    expect(await overP2p.coreNode.getChain('nobody')).toEqual([])
    expect(await servicesVia(a, d.identity.id).coreNode.getChain('nobody')).toEqual([])
    expect(await servicesVia(d).coreNode.getChain('nobody')).toEqual([])
  }

  /** A raw `/http` stream from the attacker to `d`, as a socket. */
  const rawStream = async (d: TestDaemon): Promise<StreamSocket> => {
    const stream: Stream = await attacker.libp2p.dialProtocol(peerOf(d), HTTP_PROTOCOL, { maxOutboundStreams: 1024 })
    const socket = new StreamSocket(stream, peerOf(d).toString())
    socket.on('error', () => {})
    return socket
  }

  it('refuses unknown protocols', async () => {
    for (const protocol of ['/not-peergos/1.0.0', '/http/1.1', '/ipfs/bitswap/1.2.0', '/' + 'x'.repeat(200)]) {
      await expect(attacker.libp2p.dialProtocol(peerOf(b), protocol)).rejects.toMatchObject({ name: 'UnsupportedProtocolError' })
    }
    await stillServes(b)
  })

  it('answers a body over the limit on /http with 413 and BodyTooLargeError, without taking it', async () => {
    // Declared too large: refused before a byte of the body is read.
    const declared = countedBody(64 * MiB)
    const r1 = await p2pHttpRequest(attacker.libp2p, peerOf(b), 'POST', SET_POINTER, [['Content-Length', String(64 * MiB)]], declared.body)
    r1.body.resume()
    expect(r1.status).toBe(413)
    expect(errorOf(r1)).toEqual({ name: 'BodyTooLargeError', message: 'Input exceeds maximum size of 1024 bytes' })
    // Chunked, 256 MiB: cut once it passes the limit; the sender cannot push more than the windows hold.
    const chunked = countedBody(256 * MiB)
    const r2: P2pResponse = await p2pHttpRequest(attacker.libp2p, peerOf(b), 'POST', SET_POINTER, [], chunked.body)
    r2.body.resume()
    expect(r2.status).toBe(413)
    expect(errorOf(r2)).toEqual({ name: 'BodyTooLargeError', message: 'Input exceeds maximum size of 1024 bytes' })
    await new Promise<void>((resolve) => { r2.body.once('close', resolve); if (r2.body.destroyed) resolve() })
    expect(declared.pulled()).toBeLessThan(16 * MiB)
    expect(chunked.pulled()).toBeLessThan(64 * MiB)
    await stillServes(b)
  })

  it('answers a body over the limit through the /p2p/ proxy with 413 and BodyTooLargeError, without taking it', async () => {
    const path = `/p2p/${peerOf(b).toString()}/http${SET_POINTER}`
    const declared = await httpCall(a.url, path, { headers: { 'Content-Length': 64 * MiB } })
    expect(declared.status).toBe(413)
    expect(errorOf(declared)).toEqual({ name: 'BodyTooLargeError', message: `Input exceeds maximum size of ${8 * MiB} bytes` })
    const chunked = countedBody(256 * MiB)
    const r = await streamedPost(a.url, path, chunked.body)
    expect(r.status).toBe(413)
    expect(errorOf(r).name).toBe('BodyTooLargeError')
    expect(chunked.pulled()).toBeLessThan(64 * MiB)
    await stillServes(b)
  })

  it('times out a peer drip-feeding its headers, and one drip-feeding its body, and closes their streams', async () => {
    const host = peerOf(slow).toString()
    const drip = async (head: string, byte: string): Promise<string> => {
      const socket = await rawStream(slow)
      const closed = untilClosed(socket)
      socket.write(head)
      const timer = setInterval(() => socket.write(byte), 100)
      try {
        // Meanwhile the server keeps serving others.
        await stillServes(slow)
        return await closed
      } finally {
        clearInterval(timer)
        socket.destroy()
      }
    }
    const headers = await drip(`POST /peergos/v0/core/getChain?username=x HTTP/1.1\r\nHost: ${host}\r\n`, 'X')
    expect(headers).toMatch(/^HTTP\/1\.1 408 /)
    const body = await drip(`POST ${SET_POINTER} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 1000\r\n\r\n`, 'x')
    expect(body).toMatch(/^HTTP\/1\.1 408 /)
    await stillServes(slow)
  })

  it('answers streams beyond a peer\'s share with 429 while others are served, and frees the share as streams close', async () => {
    // Held streams: requests whose body never comes.
    const host = peerOf(b).toString()
    const sockets = await Promise.all(Array.from({ length: 3 * STREAMS_PER_PEER }, () => rawStream(b)))
    const replies = sockets.map((s) => {
      s.write(`POST ${SET_POINTER} HTTP/1.1\r\nHost: ${host}\r\nContent-Length: 100\r\n\r\n`)
      return untilClosed(s)
    })
    // The first STREAMS_PER_PEER are held; every other one is answered 429 and closed.
    const refused: string[] = []
    await new Promise<void>((resolve) => {
      for (const r of replies) {
        r.then((text) => {
          refused.push(text)
          if (refused.length === 2 * STREAMS_PER_PEER) resolve()
        })
      }
    })
    for (const text of refused) {
      expect(text).toMatch(/^HTTP\/1\.1 429 /)
      expect(text).toContain(`${ERROR_CLASS_HEADER}: P2pStreamLimitError`)
    }
    expect(sockets.filter((s) => !s.destroyed && !s.readableEnded)).toHaveLength(STREAMS_PER_PEER)
    await stillServes(b)
    // A typed error for the attacker's next call while it holds its share.
    const poster = httpNetworkServices(new P2pPoster(attacker.libp2p, peerOf(b)))
    const busy = await poster.coreNode.getChain('nobody').then(() => undefined, (e: unknown) => e)
    expect(busy).toBeInstanceOf(RateLimitError)
    expect((busy as Error).message).toMatch(new RegExp(`Too many p2p HTTP streams from peer ${attacker.peerId.toString()} \\(limit ${STREAMS_PER_PEER}\\)`))
    // Once its streams close, it is served again.
    for (const s of sockets) s.destroy()
    let served = false
    for (let i = 0; i < 200 && !served; i++) {
      served = await poster.coreNode.getChain('nobody').then(() => true, () => false)
      if (!served) await new Promise((r) => setTimeout(r, 25))
    }
    expect(served).toBe(true)
  })

  it('keeps at most its share of connections from one peer, and serves it and others over them', async () => {
    const bAddress = b.p2p.node!.libp2p.getMultiaddrs()[0]
    // One new connection after another (concurrent dials to one peer are merged into one by libp2p).
    let refused = 0
    for (let i = 0; i < 12; i++) {
      await attacker.libp2p.dial(bAddress, { force: true }).catch(() => refused++)
      // Refused connections are closed by b once authenticated: b never holds more than the share.
      expect(b.p2p.node!.libp2p.getConnections(attacker.peerId).length).toBeLessThanOrEqual(CONNECTIONS_PER_PEER)
    }
    expect(refused).toBeGreaterThan(0)
    await stillServes(b)
    expect(await httpNetworkServices(new P2pPoster(attacker.libp2p, peerOf(b))).coreNode.getChain('nobody')).toEqual([])
    expect(b.p2p.node!.libp2p.getConnections(attacker.peerId).length).toBeLessThanOrEqual(CONNECTIONS_PER_PEER)
  })

  it('answers 429 beyond the proxy\'s per-peer limit while the proxy still reaches other peers', async () => {
    const proxy = await startTestDaemon(['--bootstrap', `${addressOf(b)},${addressOf(slow)}`, '--p2p-proxy-max-in-flight-per-peer', '2'])
    try {
      await proxy.p2p.node!.ready()
      const u = new URL(proxy.url)
      const toB = `/p2p/${peerOf(b).toString()}/http${SET_POINTER}`
      // Two requests to b held open (their bodies never finish).
      const held = [0, 1].map(() => {
        const req = request({ host: u.hostname, port: u.port, path: toB, method: 'POST', headers: { 'Content-Length': 100 } })
        req.on('error', () => {})
        req.write('x')
        return req
      })
      let busy: Awaited<ReturnType<typeof httpCall>> | undefined
      for (let i = 0; i < 200 && busy?.status !== 429; i++) busy = await httpCall(proxy.url, toB, { body: new Uint8Array(10) })
      expect(busy?.status).toBe(429)
      expect(errorOf(busy!)).toEqual({ name: 'GatewayBusyError', message: `Too many requests through the p2p proxy to peer ${peerOf(b).toString()} (limit 2)` })
      expect(await servicesVia(proxy, slow.identity.id).coreNode.getChain('nobody')).toEqual([])
      for (const req of held) req.destroy()
      let ok = false
      for (let i = 0; i < 200 && !ok; i++) ok = await servicesVia(proxy, b.identity.id).coreNode.getChain('nobody').then(() => true, () => false)
      expect(ok).toBe(true)
    } finally {
      await proxy.dispose()
    }
  })
})
