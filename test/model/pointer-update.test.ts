import { beforeAll, describe, expect, it } from 'vitest'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import { CborDecodeError } from '../../src/codec/errors.ts'
import { InvalidSignatureError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { CasFailedError, InvalidObjectError, InvalidSequenceError } from '../../src/model/errors.ts'
import {
  checkPointerTransition, decodePointerUpdate, encodePointerUpdate, MAX_POINTER_SIZE, nextSequence, openSignedPointerUpdate,
  pointerUpdate, signPointerUpdate, validateSignedPointerUpdate,
} from '../../src/model/pointer-update.ts'
import { publicKeyFromHash, publicKeyHash } from '../../src/model/signing-keys.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describe('PointerUpdate rules', () => {
  const a = parseCid('zdpuAvVXDW89m99TAHz1c7cXVQUB9wi6Gvo7F3b4hBAmvvihu')
  const b = parseCid('zdpuAvU75ddsv7zRH5ixnvF7Vx7N3UzWiTVogxZxn16bBwS2j')

  it('original == updated is illegal, also when decoding', () => {
    expect(() => pointerUpdate(a, a, 1)).toThrow(InvalidObjectError)
    expect(() => pointerUpdate(null, null)).toThrow(InvalidObjectError)
    const bytes = hex('83' + '5824' + toHex(a.bytes) + '5824' + toHex(a.bytes) + '01')
    expect(() => decodePointerUpdate(bytes)).toThrow(/original == target/)
  })

  it('the sequence is optional (legacy two-element form) and increments from 1', () => {
    const p = pointerUpdate(null, a)
    expect(toHex(encodePointerUpdate(p))).toBe('82f65824' + toHex(a.bytes))
    expect(decodePointerUpdate(encodePointerUpdate(p))).toEqual(p)
    expect(nextSequence(undefined)).toBe(1)
    expect(nextSequence(4)).toBe(5)
  })

  it('CAS: the new original must be the current target', () => {
    const first = pointerUpdate(null, a, 1)
    checkPointerTransition(undefined, first)
    checkPointerTransition(first, pointerUpdate(a, b, 2))
    expect(() => checkPointerTransition(undefined, pointerUpdate(a, b, 1))).toThrow(CasFailedError)
    let err: unknown
    try { checkPointerTransition(first, pointerUpdate(b, a, 2)) } catch (e) { err = e }
    expect(err).toBeInstanceOf(CasFailedError)
    expect((err as Error).name).toBe('CasFailedError')
    expect((err as Error).message).toBe(`PointerCAS:${'zdpuAvVXDW89m99TAHz1c7cXVQUB9wi6Gvo7F3b4hBAmvvihu'},1,${'zdpuAvU75ddsv7zRH5ixnvF7Vx7N3UzWiTVogxZxn16bBwS2j'}`)
  })

  it('the sequence must increase once present', () => {
    const first = pointerUpdate(null, a, 5)
    expect(() => checkPointerTransition(first, pointerUpdate(a, b, 5))).toThrow(InvalidSequenceError)
    expect(() => checkPointerTransition(first, pointerUpdate(a, b))).toThrow(InvalidSequenceError)
    checkPointerTransition(pointerUpdate(null, a), pointerUpdate(a, b))
  })

  it('MAX_POINTER_SIZE is 147 bytes: two sha256 CIDs fit with any sequence below 2^32', () => {
    expect(MAX_POINTER_SIZE).toBe(147)
    const kp = c.signKeyPairFromSeed(new Uint8Array(32).fill(7))
    expect(signPointerUpdate(c, kp.secretKey, pointerUpdate(a, b, 2 ** 32 - 1)).length).toBe(146)
    // Peergos' formula counts 2 bytes of list header but each 36-byte CID also needs a 2-byte string header.
    const tooBig = signPointerUpdate(c, kp.secretKey, pointerUpdate(a, b, 2 ** 32))
    expect(tooBig.length).toBe(150)
    expect(() => validateSignedPointerUpdate(c, kp.publicKey, undefined, tooBig)).toThrow(InvalidObjectError)
    expect(() => validateSignedPointerUpdate(c, kp.publicKey, undefined, new Uint8Array(MAX_POINTER_SIZE + 1))).toThrow(/too big/)
  })
})

describeVectors('PointerUpdate vectors (cbor.json)', () => {
  const v = loadVector('cbor.json').PointerUpdate

  it('encodes and signs byte-exactly', () => {
    const kp = c.signKeyPairFromSeed(hex(v.writerSeed))
    expect(cidToString(publicKeyHash(kp.publicKey))).toBe(v.writer)
    for (const step of [v.first, v.second]) {
      const p = pointerUpdate(step.original === null ? null : parseCid(step.original), parseCid(step.updated), step.sequence)
      expect(toHex(encodePointerUpdate(p))).toBe(step.cbor)
      expect(toHex(signPointerUpdate(c, kp.secretKey, p))).toBe(step.signed)
      expect(openSignedPointerUpdate(c, kp.publicKey, hex(step.signed))).toEqual(p)
      expect(hex(step.signed).length).toBeLessThanOrEqual(MAX_POINTER_SIZE)
    }
    const next = validateSignedPointerUpdate(c, kp.publicKey, hex(v.first.signed), hex(v.second.signed))
    expect(next.sequence).toBe(2)
    expect(() => validateSignedPointerUpdate(c, kp.publicKey, hex(v.second.signed), hex(v.first.signed))).toThrow(CasFailedError)
  })

  it('rejects a signature by another key', () => {
    const other = c.signKeyPairFromSeed(new Uint8Array(32))
    expect(() => openSignedPointerUpdate(c, other.publicKey, hex(v.first.signed))).toThrow(InvalidSignatureError)
    const tampered = hex(v.first.signed)
    tampered[70] ^= 1
    expect(() => openSignedPointerUpdate(c, c.signKeyPairFromSeed(hex(v.writerSeed)).publicKey, tampered)).toThrow(InvalidSignatureError)
  })

  it('opens every real pointer of the account dump with its writer key', () => {
    const { pointers } = loadVector('account-alice/pointers.json')
    expect(pointers.length).toBe(10)
    for (const row of pointers) {
      const writer = parseCid(row.writer)
      const p = openSignedPointerUpdate(c, publicKeyFromHash(writer)!, hex(row.signedPointerHex))
      expect(p.original === null ? null : cidToString(p.original)).toBe(row.decoded.original)
      expect(cidToString(p.updated!)).toBe(row.decoded.updated)
      expect(p.sequence).toBe(row.decoded.sequence)
      expect(hex(row.signedPointerHex).length).toBeLessThanOrEqual(MAX_POINTER_SIZE)
    }
  })

  it('decoders of untrusted bytes only throw PeergosErrors', () => {
    const kp = c.signKeyPairFromSeed(hex(v.writerSeed))
    expect(() => decodePointerUpdate(hex('83f6f601'))).toThrow(InvalidObjectError)
    expect(() => decodePointerUpdate(hex('8100'))).toThrow(CborDecodeError)
    fuzzDecoder(decodePointerUpdate, [hex(v.first.cbor), hex(v.second.cbor)])
    fuzzDecoder((b) => openSignedPointerUpdate(c, kp.publicKey, b), [hex(v.first.signed), hex(v.second.signed)])
  })
})
