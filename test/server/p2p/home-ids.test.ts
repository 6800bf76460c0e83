// Accounts imported from another server's dump live here although their claims name the server that
// wrote them: the daemon adopts that server id as a home it serves (kept across restarts), so their
// owners' requests are served locally instead of being sent to that server.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { join } from 'node:path'
import { parseCid } from '../../../src/codec/cid.ts'
import { describeVectors, loadVector, VECTORS_DIR } from '../../vectors.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { servicesVia, startTestDaemon, type TestDaemon } from './fixtures.ts'

describeVectors('home ids adopted from an imported account', () => {
  let d: TestDaemon
  const manifest = loadVector('account-alice/manifest.json')
  const dumped = parseCid(manifest.server['serverId(pki-node-id)'])

  beforeAll(async () => {
    d = await startTestDaemon(['--import-account', join(VECTORS_DIR, 'account-alice')])
  }, 120_000)
  afterAll(async () => {
    await d?.dispose()
  })

  it("serves the dump's users here and keeps the adopted id after a restart without --import-account", async () => {
    const alice = parseCid(manifest.users.alice.identity)
    expect(d.api.router.isHome(dumped)).toBe(true)
    expect((await d.api.router.homeOfOwner(alice))?.equals(dumped)).toBe(true)
    expect(await servicesVia(d).pointers.getPointer(alice, alice)).toBeDefined()
    await d.close()
    d = await startTestDaemon(['--dir', d.dir])
    expect(d.api.router.isHome(dumped)).toBe(true)
    // A user of this server still signs up and writes as before.
    const bob = await RemoteUser.signUp(servicesVia(d), 'adoptedhomecheck')
    expect(await d.api.router.homeOfOwner(bob.owner)).toBeDefined()
  })
})
