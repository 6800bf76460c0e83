// Surviving the loss of the PKI node (reference §4.3): with the PKI node stopped, logins and lookups
// still work from the mirrors; the operator promotes mirror B (`peergos-ts pki promote`, daemon
// stopped), restarts it with --pki-init and re-points C to it; every username and chain is kept, C's
// mirror follows the new PKI, a new user signs up, and the old users still log in.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { UserContext } from '../../../src/client/user-context.ts'
import { encodeChain } from '../../../src/model/user-public-key-link.ts'
import { main } from '../../../src/cli/main.ts'
import type { MirrorCoreNode } from '../../../src/server/services/pki/mirror-core-node.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { disposeAll, networkOf, signUpOn, startMirror, startPkiNode } from './federation-fixtures.ts'
import { servicesVia, type TestDaemon } from './fixtures.ts'

const PASSWORD = 'a password that outlives its PKI node'

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

/** Runs the command line in-process, returning its exit code and what it printed. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true))
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true))
  try {
    return { code: await main(args), out, err }
  } finally {
    o.mockRestore()
    e.mockRestore()
  }
}

describe('promoting a mirror after the PKI node is lost', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let alice: string
  const chains = new Map<string, string>()

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    alice = uniqueName('alice')
    await (await UserContext.signUp(networkOf(b), alice, PASSWORD)).close()
    const carol = await signUpOn(c, 'carol')
    for (const name of [alice, carol.username]) {
      // Both mirrors hold both users before the PKI node goes.
      for (const d of [b, c]) chains.set(name, hex(encodeChain(await servicesVia(d).coreNode.getChain(name))))
    }
  })
  afterAll(async () => {
    await disposeAll(c, b, pki)
  })

  it('logs in and looks up from the mirrors with the PKI node stopped', async () => {
    await pki.close()
    await (await UserContext.signIn(networkOf(c), alice, PASSWORD)).close()
    for (const [name, chain] of chains) expect(hex(encodeChain(await servicesVia(c).coreNode.getChain(name)))).toBe(chain)
  })

  it('promotes B with its daemon stopped, keeping every username and chain; C re-pointed follows it', async () => {
    expect((await cli(['pki', 'promote', '--dir', c.dir])).code).toBe(1) // C's daemon is running
    await b.close()
    const status = await cli(['pki', 'status', '--dir', b.dir])
    expect(status.out).toContain(`users: ${chains.size}`)
    const promoted = await cli(['pki', 'promote', '--dir', b.dir])
    expect(promoted.err).toBe('')
    expect(promoted.code).toBe(0)
    expect(promoted.out).toContain(`PKI node id: ${b.identity.peerIdString}`)
    expect((await cli(['pki', 'status', '--dir', b.dir])).out).toContain('PKI node')

    b = await startPkiNode(['--dir', b.dir])
    for (const [name, chain] of chains) expect(hex(encodeChain(await servicesVia(b).coreNode.getChain(name)))).toBe(chain)
    await c.close()
    c = await startMirror(b, [], ['--dir', c.dir])
    const mirror = (c.coreNode as MirrorCoreNode).mirror
    await mirror.refresh()
    expect(mirror.identity?.equals((await servicesVia(b).coreNode.getPublicKeyHash('peergos'))!)).toBe(true)
    for (const [name, chain] of chains) expect(hex(encodeChain(await servicesVia(c).coreNode.getChain(name)))).toBe(chain)
  })

  it('signs a new user up through the re-pointed mirror and still logs the old users in', async () => {
    const dave = await signUpOn(c, 'dave')
    expect((await servicesVia(b).coreNode.getPublicKeyHash(dave.username))?.equals(dave.owner)).toBe(true)
    await (await UserContext.signIn(networkOf(c), alice, PASSWORD)).close()
    await (await UserContext.signIn(networkOf(b), alice, PASSWORD)).close()
  })
})
