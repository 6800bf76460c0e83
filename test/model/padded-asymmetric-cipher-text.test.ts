import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { DecryptionFailedError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { decryptMessage, encryptMessageFor, randomCurve25519BoxingKeyPair, randomHybridBoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import { InvalidPaddingError } from '../../src/model/errors.ts'
import {
  openPaddedAsymmetric, paddedAsymmetricCipherTextFromCbor, paddedAsymmetricCipherTextToCbor, sealPaddedAsymmetric,
} from '../../src/model/padded-asymmetric-cipher-text.ts'
import { FUZZ_RUNS, fuzzDecoder } from './fuzz.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describe('PaddedAsymmetricCipherText', () => {
  it('pads the CBOR to the block size before boxing, for both key types', () => {
    const obj = new Map([['k', 'v'.repeat(600)]])
    for (const make of [randomCurve25519BoxingKeyPair, randomHybridBoxingKeyPair]) {
      const from = make(c)
      const to = make(c)
      const ct = sealPaddedAsymmetric(c, from.secretKey, to.publicKey, obj, 512)
      expect(decryptMessage(c, to.secretKey, ct, from.publicKey).length).toBe(1024)
      expect(openPaddedAsymmetric(c, to.secretKey, from.publicKey, ct)).toEqual(obj)
      // (Curve25519 boxes are symmetric between the two parties, so test with a third key.)
      expect(() => openPaddedAsymmetric(c, make(c).secretKey, from.publicKey, ct)).toThrow(DecryptionFailedError)
    }
  })

  it('is a CBOR byte string; padding must be zeros', () => {
    expect(paddedAsymmetricCipherTextFromCbor(decodeCbor(encodeCbor(paddedAsymmetricCipherTextToCbor(new Uint8Array([1, 2]))))))
      .toEqual(new Uint8Array([1, 2]))
    expect(() => paddedAsymmetricCipherTextFromCbor('x')).toThrow(CborTypeError)
    const from = randomCurve25519BoxingKeyPair(c)
    const to = randomCurve25519BoxingKeyPair(c)
    const bad = new Uint8Array(512)
    bad.set(encodeCbor(new Map([['a', 1]])))
    bad[300] = 9
    const ct = encryptMessageFor(c, to.publicKey, bad, from.secretKey)
    expect(() => openPaddedAsymmetric(c, to.secretKey, from.publicKey, ct)).toThrow(InvalidPaddingError)
  })

  it('opening untrusted ciphertexts only throws PeergosErrors', () => {
    const from = randomCurve25519BoxingKeyPair(c)
    const to = randomCurve25519BoxingKeyPair(c)
    const ct = sealPaddedAsymmetric(c, from.secretKey, to.publicKey, new Map([['e', 1]]), 512)
    fuzzDecoder((b) => openPaddedAsymmetric(c, to.secretKey, from.publicKey, b), [ct], FUZZ_RUNS)
  })
})
