import { beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../src/codec/cid.ts'
import { DecryptionFailedError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  buildBlindFollowRequest, decodeBlindFollowRequest, encodeBlindFollowRequest, openBlindFollowRequest,
} from '../../src/model/blind-follow-request.ts'
import { decryptMessage, randomCurve25519BoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { logIn, type LoggedIn } from './account.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors("carol's pending BlindFollowRequest to alice (follow-requests.json)", () => {
  const row = loadVector('account-alice/follow-requests.json').rows[0]
  const manifest = loadVector('account-alice/manifest.json')
  let alice: LoggedIn
  beforeAll(async () => { alice = await logIn(c, 'alice') })

  it('decodes (hybrid one-time key, padded to 512) and re-encodes byte-exactly', () => {
    expect(row.targetIdentity).toBe(manifest.users.alice.identity)
    const r = decodeBlindFollowRequest(hex(row.followRequestHex))
    expect(r.dummySource.type).toBe(2)
    expect(toHex(encodeBlindFollowRequest(r))).toBe(row.followRequestHex)
  })

  it("alice's boxer opens it: carol asks to be followed and offers her shared dir", () => {
    const r = decodeBlindFollowRequest(hex(row.followRequestHex))
    expect(decryptMessage(c, alice.entryPoints.boxer!.secretKey, r.followRequest, r.dummySource).length % 512).toBe(0)
    const req = openBlindFollowRequest(c, alice.entryPoints.boxer!.secretKey, r)
    expect(req.entry!.ownerName).toBe('carol')
    expect(cidToString(req.entry!.pointer.owner)).toBe(manifest.users.carol.identity)
    expect(req.entry!.pointer.wBaseKey).toBeUndefined()
    expect(req.key).toBeDefined()
  })

  it('a boxer that is not the target cannot open it', async () => {
    const r = decodeBlindFollowRequest(hex(row.followRequestHex))
    const bob = await logIn(c, 'bob')
    expect(() => openBlindFollowRequest(c, bob.entryPoints.boxer!.secretKey, r)).toThrow(DecryptionFailedError)
  })

  it('build → open round trip to a hybrid and to a Curve25519 target', () => {
    const req = { key: randomSymmetricKey(c) }
    const hybridTarget = alice.entryPoints.boxer!
    const blind = buildBlindFollowRequest(c, hybridTarget.publicKey, req)
    expect(blind.dummySource.type).toBe(2)
    expect(openBlindFollowRequest(c, hybridTarget.secretKey, decodeBlindFollowRequest(encodeBlindFollowRequest(blind)))).toEqual(req)
    const curveTarget = randomCurve25519BoxingKeyPair(c)
    const blind2 = buildBlindFollowRequest(c, curveTarget.publicKey, req)
    expect(blind2.dummySource.type).toBe(1)
    expect(blind2.followRequest.length).toBe(512 + 16 + 24)
    expect(openBlindFollowRequest(c, curveTarget.secretKey, blind2)).toEqual(req)
  })

  it('decoding untrusted requests only throws PeergosErrors', () => {
    const curveTarget = randomCurve25519BoxingKeyPair(c)
    const small = encodeBlindFollowRequest(buildBlindFollowRequest(c, curveTarget.publicKey, {}))
    fuzzDecoder(decodeBlindFollowRequest, [hex(row.followRequestHex), small])
  })
})
