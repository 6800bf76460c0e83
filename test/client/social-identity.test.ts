// Identity verification between fresh users on a real daemon over HTTP: alice and bob see the same
// safety number and their fingerprints match; the first look-up stores bob's claim chain in
// /alice/.keystore (trust on first use) in Peergos' format; marking bob verified is kept in
// /alice/.annotations; a keystore entry naming another identity key than the PKI's (what an impostor
// taking over the name would look like) gives IdentityKeyChangedError — also when alice tries to
// follow him — until alice accepts the PKI's key; a verification recorded for other keys no longer
// counts.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { IdentityKeyChangedError, UnknownUserError } from '../../src/client/social/errors.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { fingerprintsMatch } from '../../src/model/fingerprint.ts'
import { decodeTofuKeyStore, encodeTofuKeyStore, withChain } from '../../src/model/tofu-key-store.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
let server: TestDaemon
let net: NetworkAccess
let alice: UserContext
let bob: UserContext
let carol: UserContext

beforeAll(async () => {
  server = await startTestDaemon()
  net = server.net
  alice = await UserContext.signUp(net, 'alice', PASSWORD)
  bob = await UserContext.signUp(net, 'bob', PASSWORD)
  carol = await UserContext.signUp(net, 'carol', PASSWORD)
}, 300_000)
afterAll(async () => {
  await server?.close()
})

it('alice and bob see the same safety number; the first look-up is kept in .keystore; verification is recorded', async () => {
  const a = socialOf(alice)
  const first = await a.verifyIdentity('bob')
  expect(first.firstSeen).toBe(true)
  expect(first.safetyNumber).toMatch(/^[0-9]{60}$/)
  expect([first.verified, first.verifiedWithOtherKeys]).toEqual([false, false])
  expect(first.keys.map(String)).toEqual([bob.identity.publicKeyHash.toString(), expect.any(String)])
  const theirs = await socialOf(bob).verifyIdentity('alice')
  expect(theirs.safetyNumber).toBe(first.safetyNumber)
  expect(fingerprintsMatch(first.fingerprint, theirs.fingerprint)).toBe(true)
  const store = decodeTofuKeyStore(await alice.fs.readFileBytes('/alice/.keystore'))
  expect([...store.chains.keys()]).toEqual(['bob'])
  expect(store.chains.get('bob')![0].owner.equals(bob.identity.publicKeyHash)).toBe(true)
  expect((await alice.fs.stat('/alice/.keystore')).isHidden).toBe(true)

  await a.markVerified(first)
  const again = await a.verifyIdentity('bob')
  expect([again.firstSeen, again.verified, again.safetyNumber]).toEqual([false, true, first.safetyNumber])
  expect(await a.identityKeyChange('bob')).toBeUndefined()
  await expect(a.verifyIdentity('nobody')).rejects.toThrow(UnknownUserError)
  // carol, a third user, gets another number with alice
  expect((await a.verifyIdentity('carol')).safetyNumber).not.toBe(first.safetyNumber)
}, 120_000)

it("warns with IdentityKeyChangedError when bob's identity key is not the one first seen, until alice accepts it", async () => {
  const a = socialOf(alice)
  // what alice's client would hold had it first met an impostor under the name bob: carol's chain
  const store = decodeTofuKeyStore(await alice.fs.readFileBytes('/alice/.keystore'))
  await alice.fs.writeFile('/alice/.keystore', encodeTofuKeyStore(withChain(store, 'bob', store.chains.get('carol')!)), { hidden: true })
  await expect(a.verifyIdentity('bob')).rejects.toThrow(IdentityKeyChangedError)
  await expect(a.verifyIdentity('bob')).rejects.toThrow(/identity key of bob has changed.*did not sign the change/)
  await expect(a.sendFollowRequest('bob')).rejects.toThrow(IdentityKeyChangedError)
  const change = await a.identityKeyChange('bob')
  expect([change?.previous.equals(carol.identity.publicKeyHash), change?.current.equals(bob.identity.publicKeyHash), change?.signedByPrevious]).toEqual([true, true, false])
  await a.acceptIdentityKey('bob')
  const accepted = await a.verifyIdentity('bob')
  expect(accepted.verified).toBe(true) // the keys verified earlier are bob's real ones
  // a verification recorded for other keys no longer counts
  await a.markVerified({ ...accepted, keys: (await a.verifyIdentity('carol')).keys })
  const stale = await a.verifyIdentity('bob')
  expect([stale.verified, stale.verifiedWithOtherKeys]).toEqual([false, true])
  expect(await a.sendFollowRequest('bob')).toBe(true)
}, 120_000)
