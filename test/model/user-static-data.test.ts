import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { randomCurve25519BoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import { capabilityFromCbor } from '../../src/model/capability.ts'
import { IncorrectPasswordError, InvalidPaddingError } from '../../src/model/errors.ts'
import { randomSigningKeyPair } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey, symmetricEncrypt } from '../../src/model/symmetric-key.ts'
import {
  decryptEntryPoints, encryptEntryPoints, entryPointsFromCbor, entryPointsToCbor, userStaticDataFromCbor, userStaticDataToCbor,
  type EntryPoints,
} from '../../src/model/user-static-data.ts'
import { logIn, type LoggedIn } from './account.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('UserStaticData / EntryPoints', () => {
  const caps = loadVector('cbor.json').AbsoluteCapability
  let alice: LoggedIn
  beforeAll(async () => { alice = await logIn(c, 'alice') })

  it("re-encrypting alice's decrypted EntryPoints with her nonce reproduces the stored ciphertext byte for byte", () => {
    const again = encryptEntryPoints(c, alice.rootKey, alice.entryPoints, alice.loginData.entryPoints.nonce)
    expect(toHex(encodeCbor(userStaticDataToCbor(again)))).toBe(toHex(encodeCbor(userStaticDataToCbor(alice.loginData.entryPoints))))
  })

  it('encodes {v, e, i?, b?} and round-trips, with and without the optional keys', () => {
    const key = randomSymmetricKey(c)
    const entry = { pointer: capabilityFromCbor(decodeCbor(hex(caps.writeCbor))), ownerName: 'alice' }
    const legacy: EntryPoints = { version: 1, entries: [entry] }
    const full: EntryPoints = { version: 2, entries: [entry, entry], identity: randomSigningKeyPair(c), boxer: randomCurve25519BoxingKeyPair(c) }
    for (const e of [legacy, full, alice.entryPoints]) {
      const sealed = encryptEntryPoints(c, key, e)
      expect(sealed.cipherText.length % 4096).toBe(16)
      expect(decryptEntryPoints(c, key, userStaticDataFromCbor(decodeCbor(encodeCbor(userStaticDataToCbor(sealed)))))).toEqual(e)
    }
    expect(toHex(encodeCbor(entryPointsToCbor({ version: 2, entries: [] })))).toBe('a2616580617602')
  })

  it('refuses newer versions, non-zero padding and the wrong key', () => {
    expect(() => entryPointsFromCbor(decodeCbor(hex('a2616580617603')))).toThrow(/Unknown UserStaticData version: 3/)
    expect(() => entryPointsFromCbor(decodeCbor(hex('a1617602')))).toThrow(CborTypeError)
    const key = randomSymmetricKey(c)
    const nonce = new Uint8Array(24)
    const padded = new Uint8Array(4096)
    padded.set(hex('a2616580617602'))
    padded[4000] = 1
    expect(() => decryptEntryPoints(c, key, { nonce, cipherText: symmetricEncrypt(c, key, padded, nonce) })).toThrow(InvalidPaddingError)
    expect(() => decryptEntryPoints(c, randomSymmetricKey(c), alice.loginData.entryPoints)).toThrow(IncorrectPasswordError)
  })

  it('decoding untrusted EntryPoints plaintexts only throws PeergosErrors', () => {
    fuzzDecoder((b) => entryPointsFromCbor(decodeCbor(b)), [encodeCbor(entryPointsToCbor(alice.entryPoints)), hex('a2616580617602')])
    fuzzDecoder((b) => userStaticDataFromCbor(decodeCbor(b)), [encodeCbor(userStaticDataToCbor(alice.loginData.entryPoints))])
  })
})
