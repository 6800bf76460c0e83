import { describe, expect, it } from 'vitest'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { capabilityFromCbor } from '../../src/model/capability.ts'
import { decodeEntryPoint, encodeEntryPoint } from '../../src/model/entry-point.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

describeVectors('EntryPoint {c, n}', () => {
  const caps = loadVector('cbor.json').AbsoluteCapability

  it('encodes as {c: AbsoluteCapability, n: owner name} and round-trips', () => {
    for (const capHex of [caps.readCbor, caps.writeCbor, caps.readNoBatCbor]) {
      const e = { pointer: capabilityFromCbor(decodeCbor(hex(capHex))), ownerName: 'alice' }
      const bytes = encodeEntryPoint(e)
      expect(toHex(bytes)).toBe('a2' + '6163' + capHex + '616e' + '65616c696365')
      expect(decodeEntryPoint(bytes)).toEqual(e)
    }
  })

  it('rejects missing or mistyped fields', () => {
    expect(() => decodeEntryPoint(hex('a1616e65616c696365'))).toThrow(CborTypeError)
    expect(() => decodeEntryPoint(hex('a26163' + caps.readCbor + '616e01'))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeEntryPoint, [caps.readCbor, caps.writeCbor].map((h: string) => hex('a26163' + h + '616e65616c696365')))
  })
})
