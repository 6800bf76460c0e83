import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { cidToString } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { decryptEncryptedCapability, encryptedCapabilityFromCbor } from '../../src/model/encrypted-capability.ts'
import { decodeLinkProperties } from '../../src/model/link-properties.ts'
import { decodeSecretLinkTarget, encodeSecretLinkTarget, isSecretLinkExpired } from '../../src/model/secret-link-target.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex, vectorPath } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('SecretLinkTarget {cap, expiry?, max?}', () => {
  const e = loadVector('cbor.json').EncryptedCapability
  const targetHex: string = e['secretLinkTargetCbor(expiry 2030-01-01T00:00, max 5)']

  it('matches cbor.json (expiry 2030-01-01T00:00 UTC = 1893456000, max 5)', () => {
    const cap = encryptedCapabilityFromCbor(decodeCbor(hex(e.cbor)))
    const t = { cap, expiry: Date.UTC(2030, 0, 1) / 1000, maxRetrievals: 5 }
    expect(toHex(encodeSecretLinkTarget(t))).toBe(targetHex)
    expect(decodeSecretLinkTarget(hex(targetHex))).toEqual(t)
    expect(decodeSecretLinkTarget(encodeSecretLinkTarget({ cap }))).toEqual({ cap })
    expect(isSecretLinkExpired(t, t.expiry)).toBe(false)
    expect(isSecretLinkExpired(t, t.expiry + 1)).toBe(true)
    expect(() => decodeSecretLinkTarget(hex('a1636d617805'))).toThrow(CborTypeError)
  })

  it("alice's real link target (LinkProperties.h) decrypts with the link password to a cap she owns", async () => {
    const link = loadVector('account-alice/manifest.json').secretLink
    const props = decodeLinkProperties(hex(link.linkPropertiesCbor))
    const block = new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${cidToString(props.existing!)}.bin`)))
    const target = decodeSecretLinkTarget(block)
    expect(encodeSecretLinkTarget(target)).toEqual(block)
    expect(target.cap.hasUserPassword).toBe(false)
    const cap = await decryptEncryptedCapability(c, target.cap, String(link.label), link.linkPassword + link.userPassword)
    expect(cidToString(cap.owner)).toBe(loadVector('account-alice/manifest.json').users.alice.identity)
    expect(cap.wBaseKey).toBeUndefined()
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeSecretLinkTarget, [hex(targetHex)])
  })
})
