// checkBlockFormat (block-format.ts) checks a dag-cbor block with checkCborPrefix, building nothing:
// it must refuse exactly the blocks decodeCbor refuses, with the same error class and message
// (canonical and mutated values, links, trailing bytes, truncations), and raw blocks go through the
// BAT prefix parser as before.
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import { describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../../src/codec/cbor.ts'
import { CODEC_DAG_CBOR, CODEC_RAW, blockCid } from '../../../src/codec/cid.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { checkBlockFormat } from '../../../src/server/services/block-format.ts'

const RUNS = Number(process.env.FUZZ_RUNS ?? 3000)
const c = await createNodeCrypto()
const LINK = CID.parse('zdpuAwfJrGYtiGFDcSV3rDpaUrqCtQZRxMjdC6Eq9PNqLqTGg')

function outcome(f: () => unknown): string {
  try {
    f()
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`
  }
  return 'ok'
}

/** CBOR values as Peergos blocks hold them: maps, lists, text, bytes, integers, links. */
const values: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.integer(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string(),
    fc.uint8Array({ maxLength: 40 }),
    fc.boolean(),
    fc.constant(null),
    fc.constant(LINK as unknown as CborValue),
    fc.array(tie('v'), { maxLength: 5 }),
    fc.array(fc.tuple(fc.string({ maxLength: 6 }), tie('v')), { maxLength: 5 }).map((es) => new Map(es)),
  ),
})).v

function dagCbor(bytes: Uint8Array): CID {
  const cid = blockCid(c, bytes, false)
  expect(cid.code).toBe(CODEC_DAG_CBOR)
  return cid
}

describe('checkBlockFormat', () => {
  it('accepts and refuses dag-cbor blocks exactly as decodeCbor does, with the same error', () => {
    fc.assert(fc.property(values, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('as is', 'mutated', 'trailing', 'truncated'), (v, at, byte, how) => {
      let bytes = encodeCbor(v)
      if (how === 'mutated') bytes[at % bytes.length] = byte
      if (how === 'trailing') bytes = Uint8Array.of(...bytes, byte)
      if (how === 'truncated') bytes = bytes.subarray(0, at % bytes.length)
      const expected = outcome(() => decodeCbor(bytes))
      expect(outcome(() => checkBlockFormat(dagCbor(bytes), bytes))).toBe(expected)
      if (how === 'as is') expect(expected).toBe('ok')
    }), { numRuns: RUNS })
  })

  it('refuses the classic non-canonical and foreign encodings', () => {
    const cases = [
      '1817', // 23 in two bytes (non-minimal)
      '9fff', // indefinite-length list
      'f93c00', // a float
      'f7', // undefined
      'c100', // a foreign tag
      '62c328', // bad UTF-8
      'a2616101616101', // duplicate key
      'a2616201616101', // unsorted keys
      '0000', // trailing byte
      '',
    ]
    for (const h of cases) {
      const bytes = Uint8Array.from(Buffer.from(h, 'hex'))
      const expected = outcome(() => decodeCbor(bytes))
      expect(expected, h).not.toBe('ok')
      expect(outcome(() => checkBlockFormat(dagCbor(bytes), bytes)), h).toBe(expected)
    }
  })

  it('checks raw blocks for a well-formed BAT prefix only', () => {
    const plain = c.randomBytes(100)
    const raw = blockCid(c, plain, true)
    expect(raw.code).toBe(CODEC_RAW)
    expect(outcome(() => checkBlockFormat(raw, plain))).toBe('ok')
  })
})
