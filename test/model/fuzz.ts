// Shared property-test helpers for the model decoders: random bytes and mutations of valid encodings
// (byte changes, truncation, insertion, splicing) must decode or throw a PeergosError, never crash.
import fc from 'fast-check'
import { PeergosError } from '../../src/errors.ts'

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 10000)

/** Runs `fn`; any error that is not a PeergosError fails the property. */
export function onlyPeergosErrors(fn: () => unknown): void {
  try {
    fn()
  } catch (e) {
    if (!(e instanceof PeergosError)) throw e
  }
}

export async function onlyPeergosErrorsAsync(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn()
  } catch (e) {
    if (!(e instanceof PeergosError)) throw e
  }
}

/** Untrusted inputs near `valid`: random bytes, mutated copies, truncations, insertions, splices. */
export function untrustedBytes(valid: readonly Uint8Array[]): fc.Arbitrary<Uint8Array> {
  const sample = fc.constantFrom(...valid)
  const mutated = fc.tuple(sample, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 })).map(([b, edits]) => {
    const out = b.slice()
    for (const [at, v] of edits) if (out.length > 0) out[at % out.length] = v
    return out
  })
  const truncated = fc.tuple(sample, fc.nat()).map(([b, n]) => b.slice(0, b.length === 0 ? 0 : n % b.length))
  const inserted = fc.tuple(sample, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 9 })).map(([b, at, ins]) => {
    const i = b.length === 0 ? 0 : at % b.length
    const out = new Uint8Array(b.length + ins.length)
    out.set(b.subarray(0, i))
    out.set(ins, i)
    out.set(b.subarray(i), i + ins.length)
    return out
  })
  const spliced = fc.tuple(sample, sample, fc.nat(), fc.nat()).map(([a, b, i, j]) => {
    const x = a.subarray(0, a.length === 0 ? 0 : i % a.length)
    const y = b.subarray(b.length === 0 ? 0 : j % b.length)
    const out = new Uint8Array(x.length + y.length)
    out.set(x)
    out.set(y, x.length)
    return out
  })
  return fc.oneof(fc.uint8Array({ maxLength: 300 }), mutated, mutated, truncated, inserted, spliced)
}

/** The property: decoding any untrusted input near `valid` returns or throws a PeergosError. */
export function fuzzDecoder(decode: (bytes: Uint8Array) => unknown, valid: readonly Uint8Array[], numRuns = FUZZ_RUNS): void {
  fc.assert(fc.property(untrustedBytes(valid), (bytes) => onlyPeergosErrors(() => decode(bytes))), { numRuns })
}
