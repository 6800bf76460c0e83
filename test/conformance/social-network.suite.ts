// SocialNetwork conformance (reference §6.1, §7.2): blinded follow requests stored per target, size
// and count caps, listing only with the owner identity's signed time (300 s) as a CBOR list, and
// removal only with the owner's signature of the stored bytes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { randomCurve25519BoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import { buildBlindFollowRequest, encodeBlindFollowRequest } from '../../src/model/blind-follow-request.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { hex, haveVectors, loadVector } from '../vectors.ts'
import { keyPair, newUser, signUp, signedTime, type TestUser } from './pki-users.ts'
import { expectRefused, type ServicesFactory, type ServicesFixture } from './services-fixture.ts'

const hexOf = (b: Uint8Array): string => Buffer.from(b).toString('hex')

export function runSocialNetworkSuite(name: string, factory: ServicesFactory): void {
  describe(`SocialNetwork conformance: ${name}`, () => {
    let f: ServicesFixture
    let alice: TestUser
    const boxer = (): ReturnType<typeof randomCurve25519BoxingKeyPair> => randomCurve25519BoxingKeyPair(f.crypto)
    const request = (): Uint8Array => encodeBlindFollowRequest(buildBlindFollowRequest(f.crypto, boxer().publicKey, { key: randomSymmetricKey(f.crypto) }))
    /** The listed requests, each re-encoded (the reply is a CBOR list of the requests themselves). */
    const list = async (millis = Date.now()): Promise<Uint8Array[]> =>
      (decodeCbor(await f.social.getFollowRequests(alice.identity.hash, signedTime(f.crypto, alice.identity, millis))) as CborValue[]).map(encodeCbor)

    beforeEach(async () => {
      f = await factory()
      alice = newUser(f.crypto, 'alice', f.serverId)
      await signUp(f.crypto, f.coreNode, alice)
    })
    afterEach(async () => {
      await f.close()
    })

    it('stores requests and lists them, in order, as one CBOR list of the request bytes', async () => {
      expect(hexOf(await f.social.getFollowRequests(alice.identity.hash, signedTime(f.crypto, alice.identity)))).toBe('80')
      const a = request()
      const b = request()
      expect(await f.social.sendFollowRequest(alice.identity.hash, a)).toBe(true)
      expect(await f.social.sendFollowRequest(alice.identity.hash, b)).toBe(true)
      const reply = await f.social.getFollowRequests(alice.identity.hash, signedTime(f.crypto, alice.identity))
      expect(hexOf(reply)).toBe(hexOf(encodeCbor([decodeCbor(a), decodeCbor(b)])))
    })

    it('accepts the follow request the real Peergos wrote (hybrid boxer, 3.8 KB) byte for byte', async () => {
      if (!haveVectors) return
      const real = hex(loadVector('account-alice/follow-requests.json').rows[0].followRequestHex)
      expect(await f.social.sendFollowRequest(alice.identity.hash, real)).toBe(true)
      expect((await list()).map(hexOf)).toEqual([hexOf(real)])
    })

    it('refuses oversized and malformed requests', async () => {
      const big = new Uint8Array(4097)
      // Over HTTP the route's body limit answers first (413, BodyTooLargeError), with the same Peergos text.
      await expectRefused(f, f.social.sendFollowRequest(alice.identity.hash, big), /^Input exceeds maximum size of 4096 bytes$/, ['FollowRequestTooLargeError', 'BodyTooLargeError'])
      await expectRefused(f, f.social.sendFollowRequest(alice.identity.hash, new Uint8Array([1, 2, 3])), /./)
      await expectRefused(f, f.social.sendFollowRequest(alice.identity.hash, encodeCbor(new Map([['k', 1]]))), /./)
      expect(await list()).toEqual([])
    })

    it('keeps at most 101 pending requests per target (Peergos refuses once more than 100 wait)', async () => {
      for (let i = 0; i < 101; i++) expect(await f.social.sendFollowRequest(alice.identity.hash, request())).toBe(true)
      expect(await f.social.sendFollowRequest(alice.identity.hash, request())).toBe(false)
      expect(await list()).toHaveLength(101)
    })

    it('lists only for the owner identity, within 300 s', async () => {
      await f.social.sendFollowRequest(alice.identity.hash, request())
      await expectRefused(f, list(Date.now() - 301_000), /Stale auth time/, 'AuthExpiredError')
      await expectRefused(f, list(Date.now() + 301_000), /Stale auth time/, 'AuthExpiredError')
      expect(await list(Date.now() - 290_000)).toHaveLength(1)
      const mallory = keyPair(f.crypto)
      await expectRefused(f, f.social.getFollowRequests(alice.identity.hash, signedTime(f.crypto, mallory)), /signature/i, 'InvalidSignatureError')
      await expectRefused(f, f.social.getFollowRequests(alice.identity.hash, signedTime(f.crypto, alice.login)), /signature/i, 'InvalidSignatureError')
    })

    it('removes a request only with the owner signature of its bytes', async () => {
      const a = request()
      const b = request()
      await f.social.sendFollowRequest(alice.identity.hash, a)
      await f.social.sendFollowRequest(alice.identity.hash, b)
      const mallory = keyPair(f.crypto)
      expect(await f.social.removeFollowRequest(alice.identity.hash, f.crypto.signAttached(a, mallory.secretKey))).toBe(false)
      expect(await list()).toHaveLength(2)
      expect(await f.social.removeFollowRequest(alice.identity.hash, f.crypto.signAttached(a, alice.identity.secretKey))).toBe(true)
      expect((await list()).map(hexOf)).toEqual([hexOf(b)])
    })
  })
}
