// File-name rules (reference §2.3): Peergos' own rule (used when decoding) and the stricter rule for
// names users create, both failing with InvalidFileNameError.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkPeergosFileName, InvalidFileNameError, validateFileName, validatePath } from '../../src/model/file-name.ts'
import { PeergosError } from '../../src/errors.ts'

describe('file names', () => {
  it('accepts ordinary names, including dot files and 255-character names', () => {
    for (const n of ['a', 'hello.txt', '.keystore', '...', 'x'.repeat(255), 'é'.repeat(127), '名前']) expect(validateFileName(n)).toBe(n)
  })

  it("refuses '/', '.', '..', the empty name and names over 255 characters everywhere", () => {
    for (const n of ['', '.', '..', 'a/b', '/', 'x'.repeat(256)]) {
      expect(() => checkPeergosFileName(n)).toThrow(InvalidFileNameError)
      expect(() => validateFileName(n)).toThrow(InvalidFileNameError)
    }
  })

  it('refuses NUL and more than 255 UTF-8 bytes only for names users create (Peergos itself counts UTF-16 units)', () => {
    for (const n of ['a\0b', 'é'.repeat(128), '名'.repeat(86)]) {
      expect(checkPeergosFileName(n)).toBe(n)
      expect(() => validateFileName(n)).toThrow(InvalidFileNameError)
    }
    expect(InvalidFileNameError.prototype).toBeInstanceOf(PeergosError)
  })

  it('bounds paths at 4096 characters', () => {
    expect(validatePath('/a'.repeat(2048))).toHaveLength(4096)
    expect(() => validatePath('/a'.repeat(2049))).toThrow(InvalidFileNameError)
  })

  it('never throws anything but InvalidFileNameError', () => {
    fc.assert(fc.property(fc.string({ maxLength: 300, unit: 'grapheme' }), (s) => {
      try {
        validateFileName(s)
      } catch (e) {
        expect(e).toBeInstanceOf(InvalidFileNameError)
      }
    }), { numRuns: 2000 })
  })
})
