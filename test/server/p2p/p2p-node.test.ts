// The daemon's libp2p node: keyed by the persisted server identity (peer id == storage id(), the
// same after a restart), node.json written atomically with the dialable addresses, --no-p2p,
// bootstrap peers dialled until up and again after a restart, and typed errors for bad addresses
// and a port in use.
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { ConfigError, parseDaemonArgs } from '../../../src/server/config.ts'
import { P2pStartError } from '../../../src/server/p2p/errors.ts'
import { libp2pPrivateKey, startP2pNode } from '../../../src/server/p2p/p2p-node.ts'
import { cidOfPeer, parsePeerIdString } from '../../../src/server/p2p/peer-ids.ts'
import { freshIdentity, httpCall, readNodeInfo, servicesVia, startTestDaemon, startTestNode, type TestDaemon } from './fixtures.ts'

const PEERGOS_PKI = 'QmVdFZgHnEgcedCS2G2ZNiEN59LuVrnRm7z3yXtEBv2XiF'

/** A loopback TCP port that was free a moment ago. */
async function freePort(): Promise<number> {
  const s = createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as AddressInfo).port
  await new Promise((r) => s.close(r))
  return port
}

/** Polls `cond` every 50 ms, at most 30 s (the bound only catches a hang; nothing is timed). */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50))
  if (!cond()) throw new Error('condition never held')
}

describe('the p2p node of a daemon', () => {
  let daemon: TestDaemon

  beforeAll(async () => {
    daemon = await startTestDaemon(['--pki-node-id', PEERGOS_PKI])
  })
  afterAll(async () => {
    await daemon?.dispose()
  })

  it('has the peer id that storage id() returns', async () => {
    const node = daemon.p2p.node!
    const id = await servicesVia(daemon).storage.id()
    expect(node.peerId.toString()).toBe(daemon.identity.peerIdString)
    expect(cidOfPeer(node.peerId).equals(id)).toBe(true)
    expect(parsePeerIdString(cidToString(id)).equals(node.peerId)).toBe(true)
  })

  it('writes node.json with its peer id, PKI node id and dialable addresses', async () => {
    const info = await readNodeInfo(daemon.dir)
    expect(info.peerId).toBe(daemon.identity.peerIdString)
    expect(info.id).toBe(cidToString(daemon.identity.id))
    expect(info.pkiNodeId).toBe(PEERGOS_PKI)
    expect(info.apiUrl).toBe(daemon.url)
    expect(info.relay).toBe(false)
    expect(info.multiaddrs.length).toBeGreaterThan(0)
    for (const a of info.multiaddrs) expect(a).toMatch(new RegExp(`^/ip4/127\\.0\\.0\\.1/tcp/[1-9][0-9]*/p2p/${info.peerId}$`))
  })

})

describe('p2p options', () => {
  it('converts the server key to the libp2p key of the same peer id', async () => {
    const identity = await freshIdentity()
    const key = libp2pPrivateKey(identity)
    expect(key.type).toBe('Ed25519')
    expect(key.publicKey.raw).toEqual(identity.keys.publicKey)
  })

  it('keeps its peer id across restarts of the same directory', async () => {
    const first = await startTestDaemon()
    const peer = first.p2p.node!.peerId
    await first.close()
    const again = await startTestDaemon(['--dir', first.dir])
    try {
      expect(again.p2p.node!.peerId.equals(peer)).toBe(true)
    } finally {
      await again.dispose()
    }
  })

  it('runs without libp2p under --no-p2p: node.json without addresses, no gateway', async () => {
    const d = await startTestDaemon(['--no-p2p'])
    try {
      expect(d.p2p.node).toBeUndefined()
      const info = await readNodeInfo(d.dir)
      expect(info.multiaddrs).toEqual([])
      expect(info.pkiNodeId).toBe(d.identity.peerIdString)
      const r = await httpCall(d.url, `/p2p/${d.identity.peerIdString}/http/api/v0/id`)
      expect(r.status).toBe(404)
    } finally {
      await d.dispose()
    }
  })

  it.each([
    [['--p2p-listen', 'not-a-multiaddr']],
    [['--bootstrap', '/ip4/127.0.0.1/tcp/4001']],
    [['--relay-via', '/ip4/127.0.0.1/tcp/4001']],
    [['--pki-node-id', 'nope']],
    [['--no-p2p', '--relay']],
    [['--relay', '--p2p-listen', 'none']],
  ])('refuses %j with a ConfigError', (args) => {
    expect(() => parseDaemonArgs(args)).toThrow(ConfigError)
  })

  it('parses lists of addresses and "none"', () => {
    const id = '12D3KooWRfK3B1adjJePMxYjo9TwFaRWu393PbVVw4xZcTi5G4ZL'
    const c = parseDaemonArgs(['--p2p-listen', 'none', '--bootstrap', `/ip4/127.0.0.1/tcp/1/p2p/${id}, /ip4/127.0.0.1/tcp/2/p2p/${id}`, '--relay-via', `/ip4/127.0.0.1/tcp/3/p2p/${id}`])
    expect(c.p2p).toEqual({ listen: [], bootstrap: [`/ip4/127.0.0.1/tcp/1/p2p/${id}`, `/ip4/127.0.0.1/tcp/2/p2p/${id}`], relay: false, relayVia: [`/ip4/127.0.0.1/tcp/3/p2p/${id}`] })
    expect(parseDaemonArgs([]).p2p?.listen).toEqual(['/ip4/0.0.0.0/tcp/4001'])
  })

  it('keeps dialling a bootstrap peer until it is up, and again after it restarts', async () => {
    const port = await freePort()
    const identity = await freshIdentity()
    const addr = `/ip4/127.0.0.1/tcp/${port}/p2p/${identity.peerIdString}`
    const a = await startTestNode({ bootstrap: [addr] })
    let b = await startP2pNode({ identity, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
    try {
      await a.ready()
      expect(a.libp2p.getConnections(b.peerId)).toHaveLength(1)
      await b.stop()
      b = await startP2pNode({ identity, listen: [`/ip4/127.0.0.1/tcp/${port}`] })
      await until(() => b.libp2p.getConnections(a.peerId).length > 0)
      expect(a.libp2p.getConnections(b.peerId)).toHaveLength(1)
    } finally {
      await a.stop()
      await b.stop()
    }
  })

  it('fails with P2pStartError when its port is taken', async () => {
    const blocker = createServer()
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r))
    try {
      const port = (blocker.address() as AddressInfo).port
      await expect(startP2pNode({ identity: await freshIdentity(), listen: [`/ip4/127.0.0.1/tcp/${port}`] })).rejects.toThrow(P2pStartError)
    } finally {
      blocker.close()
    }
  })
})
