// A PKI node (`--pki-init`) and two mirrors (`--pki-node-id`) on 127.0.0.1 (reference §4.3): a signup
// on a mirror is registered at the PKI node over p2p, every server then answers the lookup (a mirror
// that has not seen it pulls at once), a name stays first come first served across mirrors, and the
// mirrors keep answering, restarts included, once the PKI node is gone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { encodeChain, chainHomeServer } from '../../../src/model/user-public-key-link.ts'
import { ConfigError, parseDaemonArgs } from '../../../src/server/config.ts'
import { startDaemon } from '../../../src/server/daemon.ts'
import { createLogger } from '../../../src/server/log.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { disposeAll, signUpOn, startMirror, startPkiNode } from './federation-fixtures.ts'
import { servicesVia, startTestDaemon, type TestDaemon } from './fixtures.ts'

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

describe('a PKI node and its mirrors', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  const users: RemoteUser[] = []

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
  })
  afterAll(async () => {
    await disposeAll(c, b, pki)
  })

  it('registers a signup made on a mirror at the PKI node; every server answers the lookup', async () => {
    const u = await signUpOn(b, 'fed')
    users.push(u)
    const atPki = await servicesVia(pki).coreNode.getChain(u.username)
    expect(atPki).toHaveLength(1)
    expect(cidToString(chainHomeServer(atPki)!)).toBe(cidToString(b.identity.id))
    for (const d of [b, c]) {
      const core = servicesVia(d).coreNode
      expect(hex(encodeChain(await core.getChain(u.username)))).toBe(hex(encodeChain(atPki)))
      expect(await core.getUsername(u.owner)).toBe(u.username)
      expect((await core.getPublicKeyHash(u.username))?.equals(u.owner)).toBe(true)
    }
    // C learnt it on the miss and lists it from its own copy.
    expect(await c.coreNode.getUsernames('')).toContain(u.username)
  })

  it('keeps a name first come first served across mirrors', async () => {
    const taken = users[0].username
    await expect(RemoteUser.signUp(servicesVia(c), taken)).rejects.toMatchObject({ name: 'InvalidClaimChainError' })
    const chain = await servicesVia(c).coreNode.getChain(taken)
    expect(chain[chain.length - 1].owner.equals(users[0].owner)).toBe(true)
  })

  it('answers lookups from the mirrors with the PKI node stopped, after a restart too', async () => {
    const late = await signUpOn(c, 'late')
    users.push(late)
    // B learns it (a miss pulls at once) before the PKI node goes away.
    expect(await servicesVia(b).coreNode.getUsername(late.owner)).toBe(late.username)
    await pki.close()
    for (const d of [b, c]) {
      for (const u of users) expect((await servicesVia(d).coreNode.getPublicKeyHash(u.username))?.equals(u.owner)).toBe(true)
    }
    // A mirror restarted while the PKI node is down starts from its saved state.
    await c.close()
    const again = await startTestDaemon(['--dir', c.dir, '--pki-node-id', pki.identity.peerIdString])
    try {
      for (const u of users) expect(await servicesVia(again).coreNode.getUsername(u.owner)).toBe(u.username)
      expect(await servicesVia(again).coreNode.getChain('nobody-here')).toEqual([])
    } finally {
      await again.close()
    }
  })

  it("refuses --pki-init with another server's --pki-node-id, and a mirror's directory without --pki-node-id", async () => {
    const log = createLogger('silent')
    await expect(startDaemon(parseDaemonArgs(['--dir', c.dir, '--port', '0', '--no-p2p']), log)).rejects.toThrow(ConfigError)
    await expect(startDaemon(parseDaemonArgs(['--dir', c.dir, '--port', '0', '--pki-init', '--p2p-listen', 'none', '--pki-node-id', pki.identity.peerIdString]), log)).rejects.toThrow(ConfigError)
  })
})
