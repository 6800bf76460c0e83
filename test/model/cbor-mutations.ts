// Structure-aware mutations for the model decoders' property tests: valid decoded CBOR values with
// a few nodes replaced, deleted, inserted or nudged (lengths, integers, types), so the decoders'
// field checks are exercised past the CBOR layer. Complements the byte-level mutations of fuzz.ts.
import fc from 'fast-check'
import { CID } from 'multiformats/cid'
import * as Digest from 'multiformats/hashes/digest'
import type { CborMap, CborValue } from '../../src/codec/cbor.ts'
import { FUZZ_RUNS, onlyPeergosErrors, onlyPeergosErrorsAsync } from './fuzz.ts'

const KEYS = ['a', 'b', 'c', 'd', 'e', 'f', 'h', 'i', 'k', 'l', 'm', 'n', 'o', 'p', 'r', 's', 't', 'v', 'w', 'cn', 'tn', 'th', 'im', 'l1', 'l2', 'bats']

const cid = fc.tuple(fc.constantFrom(0x55, 0x71), fc.constantFrom(0x00, 0x12), fc.uint8Array({ minLength: 32, maxLength: 32 }))
  .map(([codec, hash, d]) => CID.createV1(codec, Digest.create(hash, d)) as CborValue)

const leaf: fc.Arbitrary<CborValue> = fc.oneof(
  fc.integer({ min: -2, max: 300 }),
  fc.constantFrom<CborValue>(2 ** 31, -(2 ** 31) - 1, Number.MAX_SAFE_INTEGER, 2n ** 63n, -(2n ** 63n) - 1n, 1n << 62n, 999_999_999, 1_000_000_000),
  fc.string({ maxLength: 8 }),
  fc.constantFrom<CborValue>('', '.', '..', 'a/b', 'x'.repeat(256)),
  fc.integer({ min: 0, max: 40 }).map((n) => new Uint8Array(n).fill(7) as CborValue),
  fc.boolean(),
  fc.constant(null),
  cid,
)

const value: fc.Arbitrary<CborValue> = fc.letrec<{ v: CborValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.array(fc.tuple(fc.constantFrom(...KEYS), tie('v')), { maxLength: 3 }).map((es) => new Map(es) as CborValue),
  ),
})).v

function clone(v: CborValue): CborValue {
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k, clone(x)]))
  if (Array.isArray(v)) return v.map(clone)
  if (v instanceof Uint8Array) return v.slice()
  return v
}

type Slot = { get: () => CborValue; set: (v: CborValue) => void; remove: () => void; node: CborValue }

function slots(root: { v: CborValue }): Slot[] {
  const out: Slot[] = []
  const walk = (v: CborValue, set: (x: CborValue) => void, remove: () => void): void => {
    out.push({ get: () => v, set, remove, node: v })
    if (v instanceof Map) {
      for (const k of [...v.keys()]) walk(v.get(k)!, (x) => v.set(k, x), () => v.delete(k))
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, (y) => { v[i] = y }, () => { v.splice(i, 1) }))
    }
  }
  walk(root.v, (x) => { root.v = x }, () => { root.v = null })
  return out
}

/** An integer as the decoder returns it: number when safe, bigint beyond. */
function int(x: bigint): CborValue {
  return x >= BigInt(Number.MIN_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(x) : x
}

function nudge(s: Slot, n: number, replacement: CborValue): void {
  const v = s.node
  if (v instanceof Uint8Array) s.set(n % 2 === 0 ? v.subarray(0, Math.max(0, v.length - 1 - (n % 5))) : Uint8Array.of(...v, n & 0xff))
  else if (typeof v === 'number') s.set(int([BigInt(v) + 1n, BigInt(v) - 1n, -BigInt(v) - 1n, 2n ** 53n, 0n][n % 5]))
  else if (typeof v === 'bigint') s.set(int(v + 1n))
  else if (typeof v === 'string') s.set(n % 2 === 0 ? v + '/' : '')
  else if (v instanceof Map) (v as CborMap).set(KEYS[n % KEYS.length], replacement)
  else if (Array.isArray(v)) v.push(replacement)
  else s.set(replacement)
}

/** Valid values with 1-3 structural edits. */
export function mutatedCbor(valid: readonly CborValue[]): fc.Arbitrary<CborValue> {
  const edit = fc.tuple(fc.nat(), fc.integer({ min: 0, max: 3 }), fc.nat(), value)
  return fc.tuple(fc.constantFrom(...valid), fc.array(edit, { minLength: 1, maxLength: 3 })).map(([v, edits]) => {
    const root = { v: clone(v) }
    for (const [at, op, n, replacement] of edits) {
      const all = slots(root)
      const s = all[at % all.length]
      if (op === 0) s.set(replacement)
      else if (op === 1) s.remove()
      else nudge(s, n, replacement)
    }
    return root.v
  })
}

/** The property: a decoder of CBOR values returns or throws a PeergosError on mutated valid values. */
export function fuzzCborDecoder(decode: (v: CborValue) => unknown, valid: readonly CborValue[], numRuns = FUZZ_RUNS): void {
  fc.assert(fc.property(mutatedCbor(valid), (v) => onlyPeergosErrors(() => decode(v))), { numRuns })
}

export async function fuzzCborDecoderAsync(decode: (v: CborValue) => Promise<unknown>, valid: readonly CborValue[], numRuns = FUZZ_RUNS): Promise<void> {
  await fc.assert(fc.asyncProperty(mutatedCbor(valid), (v) => onlyPeergosErrorsAsync(() => decode(v))), { numRuns })
}
