// LocalSocialNetwork beyond the conformance suite: with a PKI, requests for identities it does not
// know are refused (Peergos stores them for any key); without one, any target is accepted.
import { afterEach, describe, expect, it } from 'vitest'
import { buildBlindFollowRequest, encodeBlindFollowRequest } from '../../../src/model/blind-follow-request.ts'
import { randomCurve25519BoxingKeyPair } from '../../../src/model/boxing-key-pair.ts'
import { LocalSocialNetwork, FollowRequestTooLargeError } from '../../../src/server/services/local-social.ts'
import { UnknownUserError } from '../../../src/server/services/local-account.ts'
import { keyPair } from '../../conformance/pki-users.ts'
import { pkiEnv, type PkiEnv } from './pki-env.ts'

describe('LocalSocialNetwork', () => {
  let env: PkiEnv
  afterEach(async () => {
    await env.close()
  })

  it('refuses requests for identities the PKI does not know, unless it has no PKI', async () => {
    env = await pkiEnv()
    const request = encodeBlindFollowRequest(buildBlindFollowRequest(env.c, randomCurve25519BoxingKeyPair(env.c).publicKey, {}))
    const stranger = keyPair(env.c)
    const withPki = new LocalSocialNetwork({ crypto: env.c, followRequests: env.stores.followRequests, core: env.core })
    await expect(withPki.sendFollowRequest(stranger.hash, request)).rejects.toThrow(UnknownUserError)
    const open = new LocalSocialNetwork({ crypto: env.c, followRequests: env.stores.followRequests })
    expect(await open.sendFollowRequest(stranger.hash, request)).toBe(true)
    await expect(open.removeFollowRequest(stranger.hash, new Uint8Array(5000))).rejects.toThrow(FollowRequestTooLargeError)
    expect(await open.removeFollowRequest(stranger.hash, env.c.signAttached(request, stranger.secretKey))).toBe(true)
  })
})
