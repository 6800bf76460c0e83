// Byte helpers of the model layer: concatenation, hex both ways (hex parsing fails typed), UTF-8.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { bytesToHex, concatBytes, hexToBytes, utf8 } from '../../src/model/bytes.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { FUZZ_RUNS, onlyPeergosErrors } from './fuzz.ts'

describe('byte helpers', () => {
  it('round-trips hex (lower case out, either case in)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      const h = bytesToHex(b)
      expect(h).toBe(Buffer.from(b).toString('hex'))
      expect(hexToBytes(h)).toEqual(b)
      expect(hexToBytes(h.toUpperCase())).toEqual(b)
    }), { numRuns: 500 })
  })

  it('refuses odd lengths and non-hex characters with InvalidObjectError', () => {
    for (const s of ['a', 'zz', '0g', ' 0', '0x00']) expect(() => hexToBytes(s)).toThrow(InvalidObjectError)
    fc.assert(fc.property(fc.string({ maxLength: 40 }), (s) => onlyPeergosErrors(() => hexToBytes(s))), { numRuns: FUZZ_RUNS })
  })

  it('concatenates and encodes UTF-8', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3))
    expect(utf8('é')).toEqual(Uint8Array.of(0xc3, 0xa9))
  })
})
