import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DataFormatError, DataInputReader, DataOutputWriter, modifiedUtf8 } from '../../src/codec/data-output.ts'
import { PeergosError } from '../../src/errors.ts'
import { FUZZ_RUNS } from '../model/fuzz.ts'
import { hex, toHex } from '../vectors.ts'

describe('DataOutputWriter (Java DataOutputStream framing)', () => {
  it('writes big-endian ints, longs, shorts and booleans as Java does', () => {
    const b = new DataOutputWriter().writeInt(-2).writeLong(0x0102030405060708n).writeShort(0xabcd).writeBoolean(true).writeBoolean(false).writeByte(-1).toBytes()
    expect(toHex(b)).toBe('fffffffe' + '0102030405060708' + 'abcd' + '01' + '00' + 'ff')
  })

  it('writeUTF uses modified UTF-8 with a u16 length', () => {
    const utf = (s: string) => toHex(new DataOutputWriter().writeUTF(s).toBytes())
    expect(utf('hello')).toBe('000568656c6c6f')
    expect(utf('\0')).toBe('0002c080')
    expect(utf('é')).toBe('0002c3a9')
    expect(utf('€')).toBe('0003e282ac')
    // A surrogate pair is written as two 3-byte sequences (CESU-8), not as 4-byte UTF-8.
    expect(utf('😀')).toBe('0006eda0bdedb880')
    expect(() => new DataOutputWriter().writeUTF('x'.repeat(65536))).toThrow(DataFormatError)
  })

  it('Serialize.serialize(String) and (byte[]) are int-length-prefixed (the Claim payload form)', () => {
    const b = new DataOutputWriter().writeJavaString('alice').writeJavaString('2030-01-01').writeInt(1).writeByteArray(hex('0172')).toBytes()
    expect(toHex(b)).toBe('00000005616c696365' + '0000000a323033302d30312d3031' + '00000001' + '000000020172')
  })

  it('rejects values that are not Java ints or longs', () => {
    expect(() => new DataOutputWriter().writeInt(2 ** 31)).toThrow(DataFormatError)
    expect(() => new DataOutputWriter().writeInt(1.5)).toThrow(DataFormatError)
    expect(() => new DataOutputWriter().writeLong(1n << 63n)).toThrow(DataFormatError)
  })
})

describe('DataInputReader (bounded)', () => {
  it('reads back what the writer wrote', () => {
    fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.string(), fc.string({ unit: 'grapheme-ascii', maxLength: 50 }), fc.uint8Array({ maxLength: 50 }), fc.boolean(), (i, l, s, ascii, bytes, bool) => {
      const b = new DataOutputWriter().writeInt(i).writeLong(l).writeUTF(s).writeJavaString(ascii).writeByteArray(bytes).writeBoolean(bool).toBytes()
      const r = new DataInputReader(b)
      expect(r.readInt()).toBe(i)
      expect(r.readLong()).toBe(l)
      expect(r.readUTF()).toBe(s)
      expect(r.readJavaString(50)).toBe(ascii)
      expect(r.readByteArray(50)).toEqual(bytes)
      expect(r.readBoolean()).toBe(bool)
      r.expectEnd()
    }), { numRuns: 2000 })
  })

  it('modifiedUtf8 matches the writeUTF body', () => {
    expect(toHex(modifiedUtf8('a\0b'))).toBe('61c08062')
  })

  it('fails with DataFormatError on truncation, bounds and malformed text', () => {
    expect(() => new DataInputReader(hex('000000')).readInt()).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('00000041')).readByteArray(64)).toThrow(/outside/)
    expect(() => new DataInputReader(hex('ffffffff')).readByteArray(64)).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('0000000400')).readJavaString(10)).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('00000002c328')).readJavaString(10)).toThrow(/UTF-8/)
    expect(() => new DataInputReader(hex('0001' + '00')).readUTF()).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('0002' + 'c0')).readUTF()).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('0001' + 'f0')).readUTF()).toThrow(DataFormatError)
    expect(() => new DataInputReader(hex('00')).expectEnd()).toThrow(/trailing/)
  })

  it('any read sequence over random bytes returns or throws DataFormatError', () => {
    const ops = fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 12 })
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), ops, (bytes, seq) => {
      const r = new DataInputReader(bytes)
      try {
        for (const op of seq) {
          switch (op) {
            case 0: r.readInt(); break
            case 1: r.readLong(); break
            case 2: r.readUTF(); break
            case 3: r.readJavaString(64); break
            case 4: r.readByteArray(100); break
            case 5: r.readBoolean(); break
            case 6: r.readUnsignedShort(); break
            default: r.readFully(bytes.length % 7)
          }
        }
      } catch (e) {
        expect(e).toBeInstanceOf(PeergosError)
        expect(e).toBeInstanceOf(DataFormatError)
      }
    }), { numRuns: FUZZ_RUNS })
  })
})
