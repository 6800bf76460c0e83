// BatCave conformance (reference §7.6, §7.2): a user's mirror BATs, added at signup (OpLog) or later,
// listed and added only with the identity's signed request for "peergos/v0/bats/<method>" (300 s).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomBat } from '../../src/model/bat.ts'
import { sha256BatId, type BatWithId } from '../../src/model/bat-id.ts'
import { keyPair, newUser, signUp, signupOpLog, signedRequestAuth, type TestUser } from './pki-users.ts'
import { expectRefused, type ServicesFactory, type ServicesFixture } from './services-fixture.ts'

const ADD = 'peergos/v0/bats/addBat'
const GET = 'peergos/v0/bats/getUserBats'
const key = (b: BatWithId): string => `${Buffer.from(b.bat.secret).toString('hex')}/${b.id.toString()}`

export function runBatCaveSuite(name: string, factory: ServicesFactory): void {
  describe(`BatCave conformance: ${name}`, () => {
    let f: ServicesFixture
    let alice: TestUser
    const bats = async (auth = signedRequestAuth(f.crypto, alice.identity, GET), username = 'alice'): Promise<string[]> =>
      (await f.batCave.getUserBats(username, auth)).map(key).sort()

    beforeEach(async () => {
      f = await factory()
      alice = newUser(f.crypto, 'alice', f.serverId)
      await signUp(f.crypto, f.coreNode, alice)
    })
    afterEach(async () => {
      await f.close()
    })

    it('lists the mirror BAT stored at signup, and one added later', async () => {
      expect(await bats()).toEqual([key({ bat: alice.bat, id: alice.batId })])
      const next = randomBat(f.crypto)
      expect(await f.batCave.addBat('alice', sha256BatId(f.crypto, next), next, signedRequestAuth(f.crypto, alice.identity, ADD))).toBe(true)
      expect(await bats()).toEqual([key({ bat: alice.bat, id: alice.batId }), key({ bat: next, id: sha256BatId(f.crypto, next) })].sort())
    })

    it('signs up without a mirror BAT too', async () => {
      const bob = newUser(f.crypto, 'bob', f.serverId)
      await signUp(f.crypto, f.coreNode, bob, await signupOpLog(f.crypto, bob, { withBat: false }))
      expect(await bats(signedRequestAuth(f.crypto, bob.identity, GET), 'bob')).toEqual([])
    })

    it('refuses requests signed by another key, for another path, or outside 300 s', async () => {
      const mallory = keyPair(f.crypto)
      await expectRefused(f, bats(signedRequestAuth(f.crypto, mallory, GET)), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, bats(signedRequestAuth(f.crypto, alice.login, GET)), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, bats(signedRequestAuth(f.crypto, alice.identity, ADD)), /Illegal path for signed request/, 'InvalidAuthError')
      await expectRefused(f, bats(signedRequestAuth(f.crypto, alice.identity, GET, Date.now() - 301_000)), /Stale auth time/, 'AuthExpiredError')
      const next = randomBat(f.crypto)
      const id = sha256BatId(f.crypto, next)
      await expectRefused(f, f.batCave.addBat('alice', id, next, signedRequestAuth(f.crypto, mallory, ADD)), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, f.batCave.addBat('alice', id, next, signedRequestAuth(f.crypto, alice.identity, GET)), /Illegal path/, 'InvalidAuthError')
      await expectRefused(f, f.batCave.addBat('alice', id, next, signedRequestAuth(f.crypto, alice.identity, ADD, Date.now() + 301_000)), /Stale auth time/, 'AuthExpiredError')
      expect(await bats()).toHaveLength(1)
    })

    it('refuses a BAT whose id is not the sha256 of its secret, and unknown or hostile usernames', async () => {
      const next = randomBat(f.crypto)
      await expectRefused(f, f.batCave.addBat('alice', alice.batId, next, signedRequestAuth(f.crypto, alice.identity, ADD)), /BatId|BAT/, 'InvalidBatError')
      for (const n of ['bob', 'constructor', '__proto__']) {
        await expectRefused(f, bats(signedRequestAuth(f.crypto, alice.identity, GET), n), /Unknown username/, 'UnknownUserError')
      }
      expect(await bats()).toHaveLength(1)
    })
  })
}
