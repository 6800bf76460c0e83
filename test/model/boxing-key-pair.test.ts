import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, isIdentity } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { DecryptionFailedError, InvalidCryptoInputError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  boxingKeyPairFromCbor, boxingKeyPairToCbor, decodeBoxingKeyPair, decodePublicBoxingKey, decryptMessage, encryptMessageFor,
  publicBoxingKeyFromCbor, publicBoxingKeyHash, publicBoxingKeyToCbor, randomCurve25519BoxingKeyPair, randomHybridBoxingKeyPair,
  secretBoxingKeyFromCbor, secretBoxingKeyToCbor,
} from '../../src/model/boxing-key-pair.ts'
import { FUZZ_RUNS, fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('Boxing keys of both types (cbor.json PublicBoxingKey, crypto.json)', () => {
  const v = loadVector('cbor.json').PublicBoxingKey
  const crypto = loadVector('crypto.json')

  it('Curve25519 keys and pairs encode byte-exactly; the hash is an identity CID', () => {
    const pair = boxingKeyPairFromCbor(decodeCbor(hex(v.pairCbor)))
    expect(pair.publicKey.type).toBe(1)
    expect(toHex(encodeCbor(publicBoxingKeyToCbor(pair.publicKey)))).toBe(v.publicCbor)
    expect(toHex(encodeCbor(secretBoxingKeyToCbor(pair.secretKey)))).toBe(v.secretCbor)
    expect(toHex(encodeCbor(boxingKeyPairToCbor(pair)))).toBe(v.pairCbor)
    const hash = publicBoxingKeyHash(c, pair.publicKey)
    expect(isIdentity(hash)).toBe(true)
    expect(cidToString(hash)).toBe(v.identityCid)
  })

  it('hybrid keys decode through the generic decoder; their hash is the sha256 block CID', () => {
    const h = crypto.hybridCurve25519Mlkem
    const pair = decodeBoxingKeyPair(hex(h.recipientKeyPairCbor))
    expect(pair.publicKey.type).toBe(2)
    expect(toHex(encodeCbor(boxingKeyPairToCbor(pair)))).toBe(h.recipientKeyPairCbor)
    expect(cidToString(publicBoxingKeyHash(c, pair.publicKey))).toBe(h['recipientPublicKeyHash(sha256 dag-cbor CID of public CBOR)'])
    expect(decodePublicBoxingKey(hex(h.recipientPublicCbor))).toEqual(pair.publicKey)
  })

  it('decryptMessage opens the Curve25519 box vectors and the hybrid vector', () => {
    const box = crypto.curve25519Box
    const recipientSecret = secretBoxingKeyFromCbor([1, hex(box.recipientSecret)])
    const sender = publicBoxingKeyFromCbor(decodeCbor(hex(box.senderPublicCbor)))
    for (const k of box.cases) expect(toHex(decryptMessage(c, recipientSecret, hex(k.ciphertext), sender))).toBe(k.message)
    const h = crypto.hybridCurve25519Mlkem
    const recipient = decodeBoxingKeyPair(hex(h.recipientKeyPairCbor))
    const hybridSender = decodePublicBoxingKey(hex(h.senderPublicCbor))
    expect(toHex(decryptMessage(c, recipient.secretKey, hex(h.ciphertext), hybridSender))).toBe(h.plaintext)
  })

  it('decoding untrusted keys only throws PeergosErrors', () => {
    const h = crypto.hybridCurve25519Mlkem
    fuzzDecoder(decodePublicBoxingKey, [hex(v.publicCbor), hex(crypto.curve25519Box.recipientPublicCbor)])
    fuzzDecoder(decodeBoxingKeyPair, [hex(v.pairCbor), hex(crypto.curve25519Box.senderKeyPairCbor)])
    fuzzDecoder(decodeBoxingKeyPair, [hex(h.recipientKeyPairCbor)], FUZZ_RUNS)
  })
})

describe('encryptMessageFor / decryptMessage', () => {
  it('round-trips for both types', () => {
    const msg = new TextEncoder().encode('a follow request')
    for (const make of [randomCurve25519BoxingKeyPair, randomHybridBoxingKeyPair]) {
      const a = make(c)
      const b = make(c)
      const ct = encryptMessageFor(c, b.publicKey, msg, a.secretKey)
      expect(decryptMessage(c, b.secretKey, ct, a.publicKey)).toEqual(msg)
      expect(() => decryptMessage(c, a.secretKey, ct, a.publicKey)).toThrow(DecryptionFailedError)
    }
  })

  it('refuses to mix key types and mismatched pairs', () => {
    const curve = randomCurve25519BoxingKeyPair(c)
    const hybrid = randomHybridBoxingKeyPair(c)
    expect(() => encryptMessageFor(c, hybrid.publicKey, new Uint8Array(1), curve.secretKey)).toThrow(InvalidCryptoInputError)
    expect(() => encryptMessageFor(c, curve.publicKey, new Uint8Array(1), hybrid.secretKey)).toThrow(InvalidCryptoInputError)
    expect(() => decryptMessage(c, curve.secretKey, new Uint8Array(50), hybrid.publicKey)).toThrow(InvalidCryptoInputError)
    expect(() => boxingKeyPairFromCbor([publicBoxingKeyToCbor(curve.publicKey), secretBoxingKeyToCbor(hybrid.secretKey)])).toThrow(CborTypeError)
    expect(() => publicBoxingKeyFromCbor([3, new Uint8Array(32)])).toThrow(/Unknown boxing key type/)
  })
})
