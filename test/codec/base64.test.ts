// Base64 and multibase decoding against Node's own base64: equal on random inputs of every length,
// both alphabets and optional padding read (as Peergos' Base64 reads them), bad text refused.
import fc from 'fast-check'
import { expect, it } from 'vitest'
import { base64Decode, base64Encode, InvalidBase64Error } from '../../src/codec/base64.ts'
import { multibase58Encode } from '../../src/codec/cid.ts'
import { InvalidCidError } from '../../src/codec/errors.ts'
import { multibase64Encode, multibaseDecode } from '../../src/codec/multibase.ts'

const runs = Math.min(Number(process.env.FUZZ_RUNS ?? 2000), 20_000)

it('encodes as RFC 4648 base64 without padding', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
    expect(base64Encode(bytes)).toBe(Buffer.from(bytes).toString('base64').replace(/=+$/, ''))
  }), { numRuns: runs })
  expect(base64Encode(new TextEncoder().encode('foobar'))).toBe('Zm9vYmFy')
  expect(base64Encode(new TextEncoder().encode('fooba'))).toBe('Zm9vYmE')
})

it('decodes either alphabet, padded or not', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), (bytes) => {
    const std = Buffer.from(bytes).toString('base64')
    expect(base64Decode(std)).toEqual(bytes)
    expect(base64Decode(std.replace(/=+$/, ''))).toEqual(bytes)
    expect(base64Decode(Buffer.from(bytes).toString('base64url'))).toEqual(bytes)
  }), { numRuns: runs })
})

it('refuses text that is not base64', () => {
  for (const bad of ['Zm9v!', 'Z', 'Zm9vY', 'Zg===', 'Zh', 'Zm9=v', 'é'] ) expect(() => base64Decode(bad), bad).toThrow(InvalidBase64Error)
})

it('multibase: base64, base58btc, base16 and base32 as Multibase.decode reads them', () => {
  const bytes = Uint8Array.from({ length: 100 }, (_, i) => (i * 37) & 255)
  expect(multibase64Encode(bytes)).toBe('m' + Buffer.from(bytes).toString('base64').replace(/=+$/, ''))
  expect(multibaseDecode(multibase64Encode(bytes))).toEqual(bytes)
  expect(multibaseDecode('M' + Buffer.from(bytes).toString('base64'))).toEqual(bytes)
  expect(multibaseDecode(multibase58Encode(bytes))).toEqual(bytes)
  expect(multibaseDecode('f' + Buffer.from(bytes).toString('hex'))).toEqual(bytes)
  expect(multibaseDecode('bmzxw6')).toEqual(new TextEncoder().encode('foo'))
  for (const bad of ['', 'x123', 'm!!', 'fabc', 'z0OIl']) expect(() => multibaseDecode(bad), bad).toThrow(InvalidCidError)
})
