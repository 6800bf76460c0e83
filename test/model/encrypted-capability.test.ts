import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { DecryptionFailedError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { capabilityFromCbor, capabilityToCbor } from '../../src/model/capability.ts'
import {
  createEncryptedCapability, createLinkPassword, decodeEncryptedCapability, decryptEncryptedCapability, deriveLinkKey,
  encodeEncryptedCapability, LINK_KEY_GENERATOR, openCapability, sealCapability,
} from '../../src/model/encrypted-capability.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('EncryptedCapability (cbor.json)', () => {
  const v = loadVector('cbor.json')
  const e = v.EncryptedCapability

  it('derives the link key with scrypt(15, 8, 1, 32) over (label, password)', async () => {
    expect(LINK_KEY_GENERATOR).toMatchObject({ memoryCost: 15, cpuCost: 8, parallelism: 1, outputBytes: 32, extraSalt: '' })
    expect(toHex((await deriveLinkKey(c, e.label, e.linkPassword)).key)).toBe(e.derivedKey)
  })

  it('decrypts to the read capability and re-encrypts byte-exactly with the same nonce', async () => {
    const ec = decodeEncryptedCapability(hex(e.cbor))
    expect(ec.hasUserPassword).toBe(false)
    const cap = await decryptEncryptedCapability(c, ec, e.label, e.linkPassword)
    expect(toHex(encodeCbor(capabilityToCbor(cap)))).toBe(v.AbsoluteCapability.readCbor)
    const key = await deriveLinkKey(c, e.label, e.linkPassword)
    expect(toHex(encodeEncryptedCapability(sealCapability(c, key, cap, false, ec.payload.nonce)))).toBe(e.cbor)
    await expect(decryptEncryptedCapability(c, ec, e.label, e.linkPassword + 'x')).rejects.toThrow(DecryptionFailedError)
  })

  it('createFromPassword round-trips, with the user-password flag', async () => {
    const cap = capabilityFromCbor(decodeCbor(hex(v.AbsoluteCapability.writeCbor)))
    const ec = await createEncryptedCapability(c, cap, '42', 'linkpw' + 'userpw', true)
    const bytes = encodeEncryptedCapability(ec)
    expect(toHex(bytes).startsWith('a2616382')).toBe(true)
    expect(toHex(bytes).endsWith('6170f5')).toBe(true)
    expect(await decryptEncryptedCapability(c, decodeEncryptedCapability(bytes), '42', 'linkpwuserpw')).toEqual(cap)
    const key = randomSymmetricKey(c)
    expect(openCapability(c, key, sealCapability(c, key, cap, false))).toEqual(cap)
  })

  it('link passwords are 12 characters of [A-Za-z0-9]', () => {
    for (let i = 0; i < 50; i++) expect(createLinkPassword(c)).toMatch(/^[A-Za-z0-9]{12}$/)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    expect(() => decodeEncryptedCapability(hex('a1617001'))).toThrow(CborTypeError)
    fuzzDecoder(decodeEncryptedCapability, [hex(e.cbor)])
    const key = randomSymmetricKey(c)
    const sealed = sealCapability(c, key, capabilityFromCbor(decodeCbor(hex(v.AbsoluteCapability.readCbor))), false)
    fuzzDecoder((b) => openCapability(c, key, { ...sealed, payload: { ...sealed.payload, cipherText: b } }), [sealed.payload.cipherText])
  })
})
