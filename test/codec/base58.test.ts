// Our base58 against multiformats' reference implementation: equal on random inputs of every length
// (leading zero bytes and '1's included), round trips, and refusal of characters outside the alphabet.
import fc from 'fast-check'
import { base58btc } from 'multiformats/bases/base58'
import { expect, it } from 'vitest'
import { Base58Error, decodeBase58, encodeBase58 } from '../../src/codec/base58.ts'

const runs = Math.min(Number(process.env.FUZZ_RUNS ?? 2000), 20_000)

it('encodes exactly as multiformats does', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(5), (bytes, zeros) => {
    const input = new Uint8Array([...new Uint8Array(zeros), ...bytes])
    expect(encodeBase58(input)).toBe(base58btc.baseEncode(input))
  }), { numRuns: runs })
})

it('decodes what it encodes, and multiformats strings', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(5), (bytes, zeros) => {
    const input = new Uint8Array([...new Uint8Array(zeros), ...bytes])
    expect(decodeBase58(encodeBase58(input))).toEqual(input)
    expect(decodeBase58(base58btc.baseEncode(input))).toEqual(input)
  }), { numRuns: runs })
  expect(encodeBase58(new Uint8Array(0))).toBe('')
  expect(decodeBase58('')).toEqual(new Uint8Array(0))
})

it('refuses characters outside the alphabet', () => {
  for (const bad of ['0', 'O', 'I', 'l', '+', 'é', 'abc0']) expect(() => decodeBase58(bad)).toThrow(Base58Error)
})
