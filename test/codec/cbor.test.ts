// CBOR codec: canonical encoding, strict decoding (every rejection is a named error), bounds,
// and byte-identical re-encoding of every dag-cbor block the real Peergos wrote.
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CID } from 'multiformats/cid'
import { decodeCbor, decodeCborPrefix, encodeByteStringList, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { PeergosError } from '../../src/errors.ts'
import { describeVectors, hex, loadVector, toHex, vectorPath } from '../vectors.ts'

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10000)

function errorName(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    return (e as Error).name
  }
  return 'no error'
}

/** Arbitrary CBOR values (nested lists and text-keyed maps), byte strings up to `maxBytes`. */
function cborValues(maxBytes: number): fc.Arbitrary<CborValue> {
  return fc.letrec<{ v: CborValue }>((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.integer(),
      fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
      fc.string(),
      fc.uint8Array({ maxLength: maxBytes }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie('v'), { maxLength: 5 }),
      fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('v')), { maxLength: 5 }).map((es) => new Map(es)),
    ),
  })).v
}

describe('CBOR encoding', () => {
  it('encodes integers minimally, including 64-bit and negative values', () => {
    expect(toHex(encodeCbor(0))).toBe('00')
    expect(toHex(encodeCbor(23))).toBe('17')
    expect(toHex(encodeCbor(24))).toBe('1818')
    expect(toHex(encodeCbor(255))).toBe('18ff')
    expect(toHex(encodeCbor(256))).toBe('190100')
    expect(toHex(encodeCbor(65536))).toBe('1a00010000')
    expect(toHex(encodeCbor(2 ** 32))).toBe('1b0000000100000000')
    expect(toHex(encodeCbor(-1))).toBe('20')
    expect(toHex(encodeCbor(-25))).toBe('3818')
    expect(toHex(encodeCbor(-(2n ** 63n)))).toBe('3b7fffffffffffffff')
    expect(toHex(encodeCbor(2n ** 64n - 1n))).toBe('1bffffffffffffffff')
  })

  it('sorts map keys by length then bytes (Peergos CborString order)', () => {
    const m = new Map<string, CborValue>([['bb', 1], ['a', 2], ['c', 3], ['ab', 4]])
    // {a: 2, c: 3, ab: 4, bb: 1}
    expect(toHex(encodeCbor(m))).toBe('a4' + '616102' + '616303' + '62616204' + '62626201')
  })

  it('round-trips links, bytes, text, booleans and null', () => {
    const cid = CID.parse('bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy')
    const v: CborValue = [cid, new Uint8Array([1, 2, 3]), 'héllo', true, false, null, new Map([['__proto__', 1], ['constructor', 2]])]
    const back = decodeCbor(encodeCbor(v)) as CborValue[]
    expect((back[0] as CID).equals(cid)).toBe(true)
    expect(back[6]).toEqual(new Map([['__proto__', 1], ['constructor', 2]]))
    expect(encodeCbor(back)).toEqual(encodeCbor(v))
  })

  it('writes a list of byte strings exactly as the generic encoder does (every head size)', () => {
    const sizes = [0, 1, 23, 24, 255, 256, 65535, 65536, 70000]
    const lists: Uint8Array[][] = [[], sizes.map((n) => new Uint8Array(n).fill(n & 0xff)), Array.from({ length: 24 }, (_, i) => new Uint8Array([i])),
      Array.from({ length: 256 }, (_, i) => new Uint8Array(i % 30).fill(i))]
    for (const list of lists) expect(toHex(encodeByteStringList(list))).toBe(toHex(encodeCbor(list)))
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 }), (list) => toHex(encodeByteStringList(list)) === toHex(encodeCbor(list))))
  })

  it('refuses values it cannot encode', () => {
    expect(() => encodeCbor(1.5)).toThrow(TypeError)
    expect(() => encodeCbor(2n ** 64n)).toThrow(RangeError)
  })
})

describe('CBOR strict decoding', () => {
  const cases: [string, string, string][] = [
    ['truncated', '5820aa', 'CborLimitError'],
    ['empty input', '', 'CborDecodeError'],
    ['non-minimal int', '1817', 'NonCanonicalCborError'],
    ['non-minimal length', '580100', 'NonCanonicalCborError'],
    ['indefinite list', '9f01ff', 'NonCanonicalCborError'],
    ['reserved info', '1c', 'CborDecodeError'],
    ['duplicate key', 'a2616101616102', 'NonCanonicalCborError'],
    ['unsorted keys', 'a2616201616102', 'NonCanonicalCborError'],
    ['longer key first', 'a262616101616202', 'NonCanonicalCborError'],
    ['integer key', 'a10101', 'UnsupportedCborError'],
    ['float', 'fb3ff8000000000000', 'UnsupportedCborError'],
    ['half float', 'f93c00', 'UnsupportedCborError'],
    ['undefined', 'f7', 'UnsupportedCborError'],
    ['simple value', 'f0', 'UnsupportedCborError'],
    ['unknown tag', 'c11a514b67b0', 'UnsupportedCborError'],
    ['tag 42 on text', 'd82a6161', 'UnsupportedCborError'],
    ['tag 42 without 0x00 prefix', 'd82a4401711220', 'CborDecodeError'],
    ['tag 42 with bad CID', 'd82a4400ffffff', 'CborDecodeError'],
    ['invalid utf-8', '62c328', 'CborDecodeError'],
    ['trailing bytes', '0000', 'CborDecodeError'],
    ['allocation bomb: huge byte string', '5b00000001000000000102', 'CborLimitError'],
    ['allocation bomb: huge list', '9b0000000100000000', 'CborLimitError'],
    ['allocation bomb: 2^32 map', 'ba ffffffff'.replace(' ', ''), 'CborLimitError'],
  ]
  for (const [what, bytes, name] of cases) {
    it(`rejects ${what} with ${name}`, () => {
      expect(errorName(() => decodeCbor(hex(bytes)))).toBe(name)
    })
  }

  it('bounds nesting depth without overflowing the stack', () => {
    const deep = new Uint8Array(100_000).fill(0x81)
    expect(errorName(() => decodeCbor(deep))).toBe('CborLimitError')
    expect(errorName(() => decodeCbor(hex('818180'), { maxDepth: 2 }))).toBe('CborLimitError')
    expect(decodeCbor(hex('818180'), { maxDepth: 3 })).toEqual([[[]]])
  })

  it('bounds the number of items', () => {
    expect(errorName(() => decodeCbor(hex('8401020304'), { maxItems: 4 }))).toBe('CborLimitError')
  })

  it('decodes a prefix and reports its length (padded plaintexts)', () => {
    expect(decodeCborPrefix(hex('6161000000'))).toEqual({ value: 'a', length: 2 })
  })

  it('returns byte strings as copies, or as views into the input when asked', () => {
    const input = hex('824201024103')
    const copies = decodeCbor(input) as Uint8Array[]
    const views = decodeCbor(input, { viewBytes: true }) as Uint8Array[]
    expect(copies).toEqual(views)
    expect(copies[0].buffer).not.toBe(input.buffer)
    expect(views[0].buffer).toBe(input.buffer)
    expect(views[1].byteOffset).toBe(input.byteOffset + 5)
  })

  it('decodes 64-bit integers to bigint beyond 2^53', () => {
    expect(decodeCbor(hex('1b0020000000000000'))).toBe(2n ** 53n)
    expect(decodeCbor(hex('1b001fffffffffffff'))).toBe(2 ** 53 - 1)
    expect(decodeCbor(hex('3b00701cefe9b966ff'))).toBe(-1n - 0x701cefe9b966ffn)
  })

  it('never throws anything but a named PeergosError on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      try {
        decodeCbor(bytes)
      } catch (e) {
        if (!(e instanceof PeergosError)) throw e
      }
    }), { numRuns: FUZZ_RUNS })
  })

  it('round-trips arbitrary canonical values and rejects their mutations with named errors only', () => {
    const value = cborValues(40)
    fc.assert(fc.property(value, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
      const bytes = encodeCbor(v)
      expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes)
      const mutated = bytes.slice()
      if (mutated.length > 0) mutated[at % mutated.length] = byte
      try {
        decodeCbor(mutated)
      } catch (e) {
        if (!(e instanceof PeergosError)) throw e
      }
    }), { numRuns: FUZZ_RUNS })
  })
})

describe('CBOR decoding of chosen map keys (onlyKeys)', () => {
  const value = cborValues(300)
  const topMap = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'p', 'bats', 'é', 'long key name'), value), { maxLength: 6 }).map((es) => new Map(es))

  it('builds only the chosen keys and refuses exactly what the full decoder refuses, with the same error', () => {
    const only = new Set(['p', 'é'])
    fc.assert(fc.property(topMap, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (m, at, byte, mutate) => {
      const bytes = encodeCbor(m)
      if (mutate) bytes[at % bytes.length] = byte
      const full = errorName(() => decodeCbor(bytes))
      const some = errorName(() => decodeCbor(bytes, { onlyKeys: only }))
      expect(some).toBe(full)
      if (full !== 'no error') return
      const all = decodeCbor(bytes)
      const chosen = decodeCbor(bytes, { onlyKeys: only })
      expect(chosen).toEqual(all instanceof Map ? new Map([...all].filter(([k]) => only.has(k))) : all)
    }), { numRuns: FUZZ_RUNS })
  })

  it('checks skipped values strictly: order, minimal heads, UTF-8, nesting and item bounds', () => {
    const only = new Set(['z'])
    // {a: {b: 1, a: 2}} (unsorted inner keys), {a: 0x1817} (non-minimal), {a: text with bad UTF-8}
    expect(errorName(() => decodeCbor(hex('a16161a2616201616102'), { onlyKeys: only }))).toBe('NonCanonicalCborError')
    expect(errorName(() => decodeCbor(hex('a161611817'), { onlyKeys: only }))).toBe('NonCanonicalCborError')
    expect(errorName(() => decodeCbor(hex('a1616162c328'), { onlyKeys: only }))).toBe('CborDecodeError')
    expect(errorName(() => decodeCbor(hex('a161618181818100'), { onlyKeys: only, maxDepth: 3 }))).toBe('CborLimitError')
    expect(errorName(() => decodeCbor(hex('a1616183010203'), { onlyKeys: only, maxItems: 4 }))).toBe('CborLimitError')
    expect(decodeCbor(hex('a2616159' + '0101' + '00'.repeat(0x101) + '617a01'), { onlyKeys: only })).toEqual(new Map([['z', 1]]))
  })
})

describeVectors('CBOR against the real Peergos', () => {
  it('decodes every dag-cbor block of the alice account strictly and re-encodes it byte for byte', () => {
    const meta = loadVector('account-alice/blocks.json')
    let count = 0
    for (const b of meta.blocks) {
      if (b.codec !== 'dag-cbor') continue
      const bytes = new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${b.cid}.bin`)))
      expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes)
      count++
    }
    expect(count).toBe(700)
  })

  it('re-encodes the cbor.json objects byte for byte', () => {
    const v = loadVector('cbor.json')
    for (const h of [v.SymmetricKey.cbor, v.AbsoluteCapability.writeCbor, v.WriterData.identityCbor, v.CryptreeNode.dir.cbor]) {
      expect(toHex(encodeCbor(decodeCbor(hex(h))))).toBe(h)
    }
  })
})
