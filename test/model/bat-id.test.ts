// BatId (inline, sha256, calculateId) and BatWithId (reference §7.6), byte-exact to cbor.json Bat.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { InvalidBatError, sameBat } from '../../src/model/bat.ts'
import {
  batIdFromCbor, batIdToCbor, batWithId, batWithIdFromCbor, batWithIdToCbor, calculateBatId, decodeBatWithId, encodeBatWithId,
  inlineBatId, inlineBatOf, isInlineBatId, sha256BatId,
} from '../../src/model/bat-id.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrors } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('BatId and BatWithId vectors (cbor.json Bat)', () => {
  const v = loadVector('cbor.json').Bat
  const b = { secret: hex(v.secret) }

  it('inline BatId: raw identity CID of the secret', () => {
    const id = inlineBatId(b)
    expect(cidToString(id)).toBe(v.inlineBatId)
    expect(toHex(encodeCbor(batIdToCbor(id)))).toBe(v.inlineBatIdCbor)
    expect(isInlineBatId(id)).toBe(true)
    expect(sameBat(inlineBatOf(batIdFromCbor(decodeCbor(hex(v.inlineBatIdCbor)))), b)).toBe(true)
  })

  it('sha256 BatId (mirror style): raw sha256 CID of the secret', () => {
    const id = sha256BatId(c, b)
    expect(cidToString(id)).toBe(v['sha256BatId(mirror style)'])
    expect(toHex(encodeCbor(batIdToCbor(id)))).toBe(v.sha256BatIdCbor)
    expect(inlineBatOf(id)).toBeUndefined()
    expect(batIdFromCbor(decodeCbor(hex(v.sha256BatIdCbor))).equals(id)).toBe(true)
  })

  it('calculateId (fragment style): raw sha256 CID of CBOR {s}', () => {
    expect(cidToString(calculateBatId(c, b))).toBe(v['calculateId(fragment style)'])
  })

  it('BatWithId CBOR {b, i} and its base58btc text form', () => {
    const bw = batWithId(b, calculateBatId(c, b))
    expect(toHex(encodeCbor(batWithIdToCbor(bw)))).toBe(v.batWithIdCbor)
    expect(encodeBatWithId(bw)).toBe(v.batWithIdEncoded)
    const back = decodeBatWithId(v.batWithIdEncoded)
    expect(sameBat(back.bat, b)).toBe(true)
    expect(back.id.equals(bw.id)).toBe(true)
    expect(toHex(encodeCbor(batWithIdToCbor(batWithIdFromCbor(decodeCbor(hex(v.batWithIdCbor))))))).toBe(v.batWithIdCbor)
  })
})

describe('BatId validation', () => {
  const b = { secret: new Uint8Array(32).fill(3) }

  it('refuses an inline id inside a BatWithId, non-raw codecs and short inline BATs', () => {
    expect(() => batWithId(b, inlineBatId(b))).toThrow(InvalidBatError)
    expect(() => batIdFromCbor(parseCid('zdpuAvVXDW89m99TAHz1c7cXVQUB9wi6Gvo7F3b4hBAmvvihu').bytes)).toThrow(InvalidBatError)
    expect(() => batIdFromCbor(inlineBatId({ secret: new Uint8Array(31) }).bytes)).toThrow(InvalidBatError)
    expect(() => batIdFromCbor('z')).toThrow(expect.objectContaining({ name: 'CborTypeError' }))
  })

  it('decodes untrusted BatIds and BatWithIds only to values or PeergosErrors', () => {
    const ids = [encodeCbor(batIdToCbor(inlineBatId(b))), encodeCbor(batIdToCbor(sha256BatId(c, b)))]
    fuzzDecoder((bytes) => batIdFromCbor(decodeCbor(bytes)), ids)
    const bw = encodeCbor(batWithIdToCbor(batWithId(b, calculateBatId(c, b))))
    fuzzDecoder((bytes) => batWithIdFromCbor(decodeCbor(bytes)), [bw])
    fuzzCborDecoder(batWithIdFromCbor, [decodeCbor(bw)])
  })

  it('decodes untrusted BatWithId text only to a value or a PeergosError', () => {
    const valid = encodeBatWithId(batWithId(b, calculateBatId(c, b)))
    const text = fc.oneof(fc.string({ maxLength: 300 }), fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([i, s]) => valid.slice(0, i % valid.length) + s + valid.slice(i % valid.length + 1)))
    fc.assert(fc.property(text, (s) => onlyPeergosErrors(() => decodeBatWithId(s))), { numRuns: FUZZ_RUNS })
  })
})
