// Bat (reference §7.6): CBOR {s}, text form (encodeSecret), strict decoding of both.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { bat, batFromCbor, batFromString, batToCbor, batToString, InvalidBatError, sameBat } from '../../src/model/bat.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrors } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

describeVectors('Bat vectors (cbor.json Bat)', () => {
  const v = loadVector('cbor.json').Bat
  const b = bat(hex(v.secret))

  it('serializes to {s} and round-trips', () => {
    expect(toHex(encodeCbor(batToCbor(b)))).toBe(v.cbor)
    expect(sameBat(batFromCbor(decodeCbor(hex(v.cbor))), b)).toBe(true)
  })

  it('encodes the secret as multibase base58btc (Bat.encodeSecret) and parses it back', () => {
    expect(batToString(b)).toBe(v.encodeSecret)
    expect(toHex(batFromString(v.encodeSecret).secret)).toBe(v.secret)
  })
})

describe('Bat validation', () => {
  it('refuses secrets that are not 32 bytes', () => {
    expect(() => bat(new Uint8Array(31))).toThrow(InvalidBatError)
    expect(() => batFromString(batToString({ secret: new Uint8Array(33) }))).toThrow(InvalidBatError)
    expect(() => batFromString('x')).toThrow(expect.objectContaining({ name: 'InvalidCidError' }))
  })

  it('decodes untrusted CBOR only to a Bat or a PeergosError', () => {
    const valid = encodeCbor(batToCbor({ secret: new Uint8Array(32).fill(9) }))
    fuzzDecoder((bytes) => batFromCbor(decodeCbor(bytes)), [valid])
    fuzzCborDecoder(batFromCbor, [decodeCbor(valid)])
  })

  it('parses untrusted text only to a Bat or a PeergosError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 70 }), fc.string({ unit: fc.constantFrom(...'z123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz0OIl'), maxLength: 70 })), (s) => onlyPeergosErrors(() => batFromString(s))), { numRuns: FUZZ_RUNS })
  })
})
