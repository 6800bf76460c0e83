// The gateway's own limits, on an in-process gateway (node-server + createP2pGateway) in front of an
// echoing `/http` peer: a streamed body over the limit (no Content-Length) is cut with 413, requests
// beyond the in-flight limit get 429 at once, a peer that does not answer gets 504 after the
// timeout, and a client that goes away frees its slot; the gateway keeps serving after each.
import { Readable } from 'node:stream'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ERROR_CLASS_HEADER } from '../../../src/http/errors.ts'
import { statusReply } from '../../../src/http/transport.ts'
import { javaUrlDecode } from '../../../src/http/url-encoding.ts'
import { startHttpServer, type RunningHttpServer } from '../../../src/server/http/node-server.ts'
import { registerServerWireErrors } from '../../../src/server/http/wire-errors.ts'
import { createP2pGateway } from '../../../src/server/p2p/gateway.ts'
import type { P2pNode } from '../../../src/server/p2p/p2p-node.ts'
import { cidOfPeer } from '../../../src/server/p2p/peer-ids.ts'
import { httpCall, sha256Hex, startEchoPeer, startTestNode, type EchoPeer, type Reply } from './fixtures.ts'

const KiB = 1024

/** A POST whose body streams chunked (no Content-Length) from `chunks`. */
function streamedCall(url: string, path: string, chunks: Iterable<Uint8Array>): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const u = new URL(url)
    const req = request({ host: u.hostname, port: u.port, path, method: 'POST' }, (res) => {
      const got: Buffer[] = []
      res.on('data', (d: Buffer) => got.push(d))
      const done = (): void => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(got) })
      res.on('end', done)
      res.on('error', done)
    })
    req.on('error', reject)
    Readable.from(chunks).pipe(req)
  })
}

describe('gateway limits', () => {
  let peer: EchoPeer
  let node: P2pNode
  let front: RunningHttpServer
  const errors: unknown[] = []

  beforeAll(async () => {
    registerServerWireErrors()
    peer = await startEchoPeer()
    node = await startTestNode({ bootstrap: peer.node.multiaddrs() })
    await node.ready()
    // A timeout a loaded machine cannot reach while relaying; the 504 test has its own short one.
    const gateway = createP2pGateway({ libp2p: node.libp2p, maxBodyBytes: 256 * KiB, maxInFlight: 2, timeoutMs: 30_000, onError: (e) => errors.push(e) })
    const notFound = Object.assign(async () => statusReply(404), { maxBodySize: () => 0 })
    front = await startHttpServer(notFound, { peerIds: [cidOfPeer(node.peerId)], intercept: gateway })
  })
  afterAll(async () => {
    await front?.close(100)
    await node?.stop()
    await peer?.stop()
  })

  const path = (p: string): string => `/p2p/${peer.node.peerId.toString()}/http${p}`

  it('relays a streamed body within the limit', async () => {
    const chunks = Array.from({ length: 16 }, (_, i) => new Uint8Array(16 * KiB).fill(i))
    const r = await streamedCall(front.url, path('/echo'), chunks)
    expect(r.status).toBe(200)
    expect(r.headers['x-sha256']).toBe(sha256Hex(Buffer.concat(chunks)))
  })

  it('cuts a streamed body over the limit with 413', async () => {
    const r = await streamedCall(front.url, path('/echo'), Array.from({ length: 40 }, () => new Uint8Array(16 * KiB)))
    expect(r.status).toBe(413)
    expect(r.headers[ERROR_CLASS_HEADER.toLowerCase()]).toBe('BodyTooLargeError')
    expect((await httpCall(front.url, path('/echo'), { body: new Uint8Array(10) })).status).toBe(200)
  })

  it('answers 504 when the peer does not reply in time', async () => {
    const hasty = createP2pGateway({ libp2p: node.libp2p, maxBodyBytes: 256 * KiB, maxInFlight: 2, timeoutMs: 1_000 })
    const notFound = Object.assign(async () => statusReply(404), { maxBodySize: () => 0 })
    const server = await startHttpServer(notFound, { peerIds: [cidOfPeer(node.peerId)], intercept: hasty })
    try {
      const r = await httpCall(server.url, path('/hold'))
      expect(r.status).toBe(504)
      expect(javaUrlDecode(String(r.headers.trailer))).toMatch(/No reply from peer .* within 1000 ms/)
      expect(r.headers[ERROR_CLASS_HEADER.toLowerCase()]).toBe('P2pTimeoutError')
    } finally {
      await server.close(100)
    }
  })

  it('answers 429 beyond the in-flight limit, and frees a slot when its client goes away', async () => {
    // A gateway whose timeout (60 s) cannot be what frees the slots in this test.
    const patient = createP2pGateway({ libp2p: node.libp2p, maxBodyBytes: 256 * KiB, maxInFlight: 2, timeoutMs: 60_000 })
    const notFound = Object.assign(async () => statusReply(404), { maxBodySize: () => 0 })
    const server = await startHttpServer(notFound, { peerIds: [cidOfPeer(node.peerId)], intercept: patient })
    try {
      const u = new URL(server.url)
      const held = [0, 1].map(() => {
        const req = request({ host: u.hostname, port: u.port, path: path('/hold'), method: 'POST', headers: { 'Content-Length': 0 } })
        req.on('error', () => {})
        req.end()
        return req
      })
      // Once both held requests are in flight, a third finds no slot.
      let busy: Reply | undefined
      for (let i = 0; i < 200 && busy?.status !== 429; i++) busy = await httpCall(server.url, path('/echo'), { body: new Uint8Array(1) })
      expect(busy?.status).toBe(429)
      expect(javaUrlDecode(String(busy?.headers.trailer))).toMatch(/Too many requests through the p2p proxy \(limit 2\)/)
      for (const req of held) req.destroy()
      let ok: Reply | undefined
      for (let i = 0; i < 200 && ok?.status !== 200; i++) ok = await httpCall(server.url, path('/echo'), { body: new Uint8Array(1) })
      expect(ok?.status).toBe(200)
    } finally {
      await server.close(100)
    }
  })
})
