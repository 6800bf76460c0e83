import { sha3_256 } from '@noble/hashes/sha3.js'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid, cidToString } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { DecryptionFailedError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { boxingKeyPairFromCbor } from '../../src/model/boxing-key-pair.ts'
import {
  decodeHybridCipherText, hybridCipherTextToCbor, hybridDecrypt, hybridEncrypt, hybridPublicKeyFromCbor, hybridPublicKeyToCbor,
  hybridSecretKeyFromCbor, hybridSecretKeyToCbor, MLKEM1024_PUBLIC_BYTES, MLKEM1024_SECRET_BYTES, randomHybridKeyPair,
  type HybridPublicKey, type HybridSecretKey,
} from '../../src/model/hybrid-boxing.ts'
import { FUZZ_RUNS, fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
let portable: CryptoProvider
beforeAll(async () => {
  c = await createNodeCrypto()
  portable = await createPortableCrypto()
})

function pairOf(cborHex: string): { publicKey: HybridPublicKey; secretKey: HybridSecretKey } {
  const l = decodeCbor(hex(cborHex)) as unknown[]
  return { publicKey: hybridPublicKeyFromCbor(l[0] as never), secretKey: hybridSecretKeyFromCbor(l[1] as never) }
}

describeVectors('Hybrid Curve25519 + ML-KEM-1024 (crypto.json hybridCurve25519Mlkem)', () => {
  const v = loadVector('crypto.json').hybridCurve25519Mlkem

  it('key CBOR forms round-trip byte-exactly; the secret is the 3168-byte FIPS 203 dk', () => {
    const recipient = pairOf(v.recipientKeyPairCbor)
    expect(toHex(encodeCbor(hybridPublicKeyToCbor(recipient.publicKey)))).toBe(v.recipientPublicCbor)
    expect(toHex(encodeCbor([hybridPublicKeyToCbor(recipient.publicKey), hybridSecretKeyToCbor(recipient.secretKey)]))).toBe(v.recipientKeyPairCbor)
    expect(recipient.publicKey.mlkem.length).toBe(MLKEM1024_PUBLIC_BYTES)
    expect(recipient.secretKey.mlkem.length).toBe(MLKEM1024_SECRET_BYTES)
    // dk = dkPKE (1536) ‖ ek (1568) ‖ H(ek) (32) ‖ z (32)
    expect(recipient.secretKey.mlkem.subarray(1536, 1536 + 1568)).toEqual(recipient.publicKey.mlkem)
    expect(recipient.secretKey.mlkem.subarray(3104, 3136)).toEqual(sha3_256(recipient.publicKey.mlkem))
    expect(c.boxKeyPairFromSecret(recipient.secretKey.curve25519).publicKey).toEqual(recipient.publicKey.curve25519)
    // The public key's hash is the sha256 CID of its block (too big for an identity CID).
    expect(cidToString(blockCid(c, hex(v.recipientPublicCbor), false))).toBe(v['recipientPublicKeyHash(sha256 dag-cbor CID of public CBOR)'])
    expect(boxingKeyPairFromCbor(decodeCbor(hex(v.senderKeyPairCbor))).publicKey.type).toBe(2)
  })

  it('decrypts the Peergos ciphertext with both providers', () => {
    const recipient = pairOf(v.recipientKeyPairCbor)
    const sender = pairOf(v.senderKeyPairCbor)
    for (const p of [c, portable]) {
      expect(toHex(hybridDecrypt(p, recipient.secretKey, hex(v.ciphertext), sender.publicKey))).toBe(v.plaintext)
    }
    const ct = decodeHybridCipherText(hex(v.ciphertext))
    expect(toHex(encodeCbor(hybridCipherTextToCbor(ct)))).toBe(v.ciphertext)
  })

  it('the wrong recipient, the wrong sender or a tampered part fail with DecryptionFailedError', () => {
    const recipient = pairOf(v.recipientKeyPairCbor)
    const sender = pairOf(v.senderKeyPairCbor)
    expect(() => hybridDecrypt(c, sender.secretKey, hex(v.ciphertext), sender.publicKey)).toThrow(DecryptionFailedError)
    expect(() => hybridDecrypt(c, recipient.secretKey, hex(v.ciphertext), recipient.publicKey)).toThrow(DecryptionFailedError)
    const ct = decodeHybridCipherText(hex(v.ciphertext))
    for (const part of ['mlkemCipherText', 'encryptedInput', 'nonce', 'curve25519CipherText'] as const) {
      const bad = { ...ct, [part]: ct[part].map((b, i) => (i === 5 ? b ^ 0x10 : b)) }
      expect(() => hybridDecrypt(c, recipient.secretKey, encodeCbor(hybridCipherTextToCbor(bad)), sender.publicKey), part).toThrow(DecryptionFailedError)
    }
  })

  it('decoding untrusted keys and ciphertexts only throws PeergosErrors; so does decrypting them', () => {
    const recipient = pairOf(v.recipientKeyPairCbor)
    const sender = pairOf(v.senderKeyPairCbor)
    fuzzDecoder(decodeHybridCipherText, [hex(v.ciphertext)])
    fuzzDecoder((b) => hybridPublicKeyFromCbor(decodeCbor(b)), [hex(v.recipientPublicCbor), hex(v.senderPublicCbor)], FUZZ_RUNS)
    fuzzDecoder((b) => hybridSecretKeyFromCbor(decodeCbor(b)), [encodeCbor(hybridSecretKeyToCbor(recipient.secretKey))], FUZZ_RUNS)
    // Decryption runs ML-KEM decapsulation (about 1 ms) whenever the Curve25519 part opens, so fewer runs.
    fuzzDecoder((b) => hybridDecrypt(c, recipient.secretKey, b, sender.publicKey), [hex(v.ciphertext)], FUZZ_RUNS)
  })
})

describe('Hybrid encryption round trip', () => {
  it('encrypts to a fresh key pair and decrypts (node and portable providers interoperate)', () => {
    const recipient = randomHybridKeyPair(c)
    const sender = randomHybridKeyPair(portable)
    const msg = new TextEncoder().encode('hello post-quantum')
    const ct = hybridEncrypt(portable, recipient.publicKey, msg, sender.secretKey)
    expect(decodeHybridCipherText(ct).curve25519CipherText.length).toBe(72)
    expect(hybridDecrypt(c, recipient.secretKey, ct, sender.publicKey)).toEqual(msg)
    const ct2 = hybridEncrypt(c, recipient.publicKey, new Uint8Array(0), sender.secretKey)
    expect(hybridDecrypt(portable, recipient.secretKey, ct2, sender.publicKey)).toEqual(new Uint8Array(0))
    expect(ct2).not.toEqual(hybridEncrypt(c, recipient.publicKey, new Uint8Array(0), sender.secretKey))
  })

  it('rejects keys of the wrong type or size', () => {
    expect(() => hybridPublicKeyFromCbor([1, new Uint8Array(32)])).toThrow(CborTypeError)
    const k = randomHybridKeyPair(c)
    const short = { ...k.publicKey, mlkem: k.publicKey.mlkem.subarray(0, 1567) }
    expect(() => hybridPublicKeyFromCbor(hybridPublicKeyToCbor(short))).toThrow(CborTypeError)
    const seedSized = { ...k.secretKey, mlkem: new Uint8Array(64) }
    expect(() => hybridSecretKeyFromCbor(hybridSecretKeyToCbor(seedSized))).toThrow(CborTypeError)
  })
})
