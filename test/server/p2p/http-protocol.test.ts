// Peergos' `/http` protocol between two libp2p nodes on loopback: the server side is a real
// node-server (same Host check and body limits as TCP) that learns the authenticated remote peer;
// big bodies stream both ways; unreachable peers, silent peers and peers without `/http` fail with
// named errors.
import { Readable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { P2pTimeoutError, PeerUnreachableError } from '../../../src/server/p2p/errors.ts'
import { p2pHttpRequest, readP2pBody } from '../../../src/server/p2p/http-protocol.ts'
import type { P2pNode } from '../../../src/server/p2p/p2p-node.ts'
import { cidOfPeer, peerIdOf } from '../../../src/server/p2p/peer-ids.ts'
import { freshIdentity, httpCall, sha256Hex as sha256, startEchoPeer, startTestNode, type EchoPeer } from './fixtures.ts'

const MiB = 1024 * 1024

describe('the /http protocol', () => {
  let a: P2pNode
  let peer: EchoPeer
  let b: P2pNode

  beforeAll(async () => {
    peer = await startEchoPeer()
    b = peer.node
    a = await startTestNode({ bootstrap: b.multiaddrs() })
    await a.ready()
  })
  afterAll(async () => {
    await a?.stop()
    await peer?.stop()
  })

  it('carries a request and its reply, and tells the server who sent it', async () => {
    const body = new TextEncoder().encode('hello over libp2p')
    const res = await p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/echo?x=1', [['X-Test', 'yes']], body)
    expect(res.status).toBe(200)
    expect(res.headers['x-requester']).toBe(cidToString(cidOfPeer(a.peerId)))
    expect(Buffer.from(await readP2pBody(res, 1024)).toString()).toBe('hello over libp2p')
    // The same server over plain TCP has no authenticated requester.
    const tcp = await httpCall(peer.server.url, '/echo', { body })
    expect(tcp.headers['x-requester']).toBe('none')
  })

  it('streams 12 MiB both ways with back-pressure', async () => {
    const data = new Uint8Array(12 * MiB).map((_, i) => (i * 7) & 0xff)
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < data.length; i += 64 * 1024) yield data.subarray(i, i + 64 * 1024)
    }
    const res = await p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/echo', [], Readable.from(chunks()))
    expect(res.status).toBe(200)
    expect(res.headers['x-sha256']).toBe(sha256(data))
    expect(sha256(await readP2pBody(res, 16 * MiB))).toBe(sha256(data))
  })

  it('applies the route body limit to p2p requests and keeps serving', async () => {
    const res = await p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/small', [], new Uint8Array(64 * 1024))
    expect(res.status).toBe(413)
    res.body.resume()
    const ok = await p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/small', [], new Uint8Array(10))
    expect(ok.status).toBe(200)
    expect((await readP2pBody(ok, 1024)).length).toBe(10)
  })

  it('runs many exchanges at once over one connection', async () => {
    const replies = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
      const res = await p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/echo', [], new Uint8Array(100_000).fill(i))
      return (await readP2pBody(res, MiB))[0]
    }))
    expect(replies).toEqual(Array.from({ length: 40 }, (_, i) => i))
    expect(a.libp2p.getConnections(b.peerId)).toHaveLength(1)
  })

  it('fails with PeerUnreachableError for a peer with no known address', async () => {
    const stranger = peerIdOf((await freshIdentity()).id)
    await expect(p2pHttpRequest(a.libp2p, stranger, 'POST', '/echo')).rejects.toThrow(PeerUnreachableError)
  })

  it('fails with PeerUnreachableError for a peer that went away', async () => {
    const gone = await startTestNode()
    const addrs = gone.libp2p.getMultiaddrs()
    await gone.stop()
    await a.libp2p.peerStore.merge(gone.peerId, { multiaddrs: addrs })
    await expect(p2pHttpRequest(a.libp2p, gone.peerId, 'POST', '/echo')).rejects.toThrow(PeerUnreachableError)
  })

  it('fails with PeerUnreachableError for a peer that does not serve /http', async () => {
    const mute = await startTestNode()
    try {
      await a.libp2p.dial(mute.libp2p.getMultiaddrs()[0])
      await expect(p2pHttpRequest(a.libp2p, mute.peerId, 'POST', '/echo')).rejects.toThrow(/does not serve \/http/)
    } finally {
      await mute.stop()
    }
  })

  it('fails with P2pTimeoutError when no reply comes in time', async () => {
    await expect(p2pHttpRequest(a.libp2p, b.peerId, 'POST', '/hold', [], undefined, { timeoutMs: 300 })).rejects.toThrow(P2pTimeoutError)
  })
})
