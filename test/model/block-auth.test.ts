// BlockAuth (reference §7.6): S3 V4 signature, packed datetime, CBOR / hex form byte-exact to
// cbor.json BlockAuth; verification (constant-time compare, expiry) and the server's allowRead rule.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { inlineBatId, sha256BatId } from '../../src/model/bat-id.ts'
import {
  allowBlockRead, awsDatetime, blockAuthExpiry, blockAuthFromCbor, blockAuthToCbor, decodeBlockAuth, encodeBlockAuth, generateBlockAuth,
  InvalidBlockAuthError, isValidBlockAuth, packDatetime, unpackDatetime,
} from '../../src/model/block-auth.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrors } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const BLOCK = parseCid('zb2rhj92uqcEiT1T39eiodksVwa6Tx34nHBfeXYPZjuPcqAxk')
const NODE = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')
const OTHER_NODE = parseCid('zdpuAvVXDW89m99TAHz1c7cXVQUB9wi6Gvo7F3b4hBAmvvihu')
const AT = '20260101T120000Z'
const NOON = new Date(Date.UTC(2026, 0, 1, 12, 0, 0))

describeVectors('BlockAuth vector (cbor.json BlockAuth)', () => {
  const v = loadVector('cbor.json').BlockAuth
  const bat = { secret: hex(v.bat) }

  it('signs exactly as Peergos (S3 V4, header form) and encodes {b, e, s, t} as hex CBOR', () => {
    const batId = sha256BatId(c, bat)
    expect(batId.toString()).toBe(parseCid(v.batId).toString())
    const auth = generateBlockAuth(c, bat, parseCid(v.block), parseCid(v.sourceNode), 300, AT, batId)
    expect(toHex(auth.signature)).toBe(v.signature)
    expect(toHex(encodeCbor(blockAuthToCbor(auth)))).toBe(v.cbor)
    expect(encodeBlockAuth(auth)).toBe(v.encoded)
  })

  it('decodes the hex form back, including the packed datetime', () => {
    const auth = decodeBlockAuth(v.encoded)
    expect(auth.awsDatetime).toBe(AT)
    expect(auth.expirySeconds).toBe(300)
    expect(toHex(auth.signature)).toBe(v.signature)
    expect(encodeBlockAuth(auth)).toBe(v.encoded)
    expect(isValidBlockAuth(c, auth, parseCid(v.block), parseCid(v.sourceNode), bat, NOON)).toBe(true)
  })
})

describe('packed datetime', () => {
  it('packs sec | min<<6 | hour<<12 | day<<17 | month<<22 | (year-2000)<<26 in Java int arithmetic', () => {
    expect(packDatetime(AT)).toBe(0x6842c000)
    expect(packDatetime('20320229T235959Z')).toBeLessThan(0)
    for (const s of [AT, '20000101T000000Z', '20320229T235959Z', '20631231T235959Z']) expect(unpackDatetime(packDatetime(s))).toBe(s)
  })

  it('refuses impossible dates and out-of-range values', () => {
    for (const s of ['20260230T000000Z', '19991231T000000Z', '20261301T000000Z', '20260101T240000Z', '2026-01-01T1200', '20640101T000000Z']) {
      expect(() => packDatetime(s)).toThrow(InvalidBlockAuthError)
    }
    expect(() => unpackDatetime(0)).toThrow(InvalidBlockAuthError)
    expect(() => unpackDatetime(2 ** 31)).toThrow(InvalidBlockAuthError)
  })

  it('formats a Date the way S3Request.currentDatetime does', () => {
    expect(awsDatetime(new Date(Date.UTC(2026, 0, 1, 12, 0, 0, 999)))).toBe(AT)
  })
})

describe('BlockAuth verification', () => {
  const bat = { secret: new Uint8Array(32).fill(1) }
  const otherBat = { secret: new Uint8Array(32).fill(2) }
  const auth = () => generateBlockAuth(c, bat, BLOCK, NODE, 300, AT, sha256BatId(c, bat))

  it('checks the signature against the block, the requesting node and the BAT', () => {
    expect(isValidBlockAuth(c, auth(), BLOCK, NODE, bat, NOON)).toBe(true)
    expect(isValidBlockAuth(c, auth(), BLOCK, NODE, otherBat, NOON)).toBe(false)
    expect(isValidBlockAuth(c, auth(), BLOCK, OTHER_NODE, bat, NOON)).toBe(false)
    expect(isValidBlockAuth(c, auth(), parseCid('zb2rhf9wdrnRhYtExsJ7TqmU9cxjPTXYG9eZU4PKMs8p8LwY2'), NODE, bat, NOON)).toBe(false)
    const tampered = { ...auth(), signature: auth().signature.map((x, i) => (i === 0 ? x ^ 1 : x)) }
    expect(isValidBlockAuth(c, tampered, BLOCK, NODE, bat, NOON)).toBe(false)
  })

  it('expires expiry seconds after its datetime (inclusive)', () => {
    expect(blockAuthExpiry(auth())).toBe(NOON.getTime() + 300_000)
    expect(isValidBlockAuth(c, auth(), BLOCK, NODE, bat, new Date(NOON.getTime() + 300_000))).toBe(true)
    expect(isValidBlockAuth(c, auth(), BLOCK, NODE, bat, new Date(NOON.getTime() + 300_001))).toBe(false)
  })

  it('refuses inline BatIds in an auth', () => {
    expect(() => generateBlockAuth(c, bat, BLOCK, NODE, 300, AT, inlineBatId(bat))).toThrow(InvalidBlockAuthError)
    const m = blockAuthToCbor(auth()) as Map<string, unknown>
    m.set('b', inlineBatId(bat).bytes)
    expect(() => blockAuthFromCbor(m as never)).toThrow(InvalidBlockAuthError)
  })

  it('allows reads like BlockRequestAuthoriser: public blocks, inline BATs, stored BATs by id, the instance BAT', async () => {
    const base = { block: BLOCK, sourceNode: NODE, now: NOON, lookupBat: () => undefined }
    expect(await allowBlockRead(c, { ...base, batIds: [] })).toBe(true)
    expect(await allowBlockRead(c, { ...base, batIds: [inlineBatId(bat)] })).toBe(false)
    expect(await allowBlockRead(c, { ...base, batIds: [inlineBatId(bat)], auth: auth() })).toBe(true)
    expect(await allowBlockRead(c, { ...base, batIds: [inlineBatId(otherBat)], auth: auth() })).toBe(false)
    const stored = sha256BatId(c, bat)
    expect(await allowBlockRead(c, { ...base, batIds: [stored], auth: auth(), lookupBat: async (id) => (id.equals(stored) ? bat : undefined) })).toBe(true)
    expect(await allowBlockRead(c, { ...base, batIds: [sha256BatId(c, otherBat)], auth: auth(), lookupBat: () => bat })).toBe(false)
    expect(await allowBlockRead(c, { ...base, batIds: [inlineBatId(otherBat)], auth: auth(), instanceBat: bat })).toBe(true)
    expect(await allowBlockRead(c, { ...base, batIds: [inlineBatId(bat)], auth: auth(), now: new Date(NOON.getTime() + 301_000) })).toBe(false)
  })

  it('decodes untrusted BlockAuths only to values or PeergosErrors', () => {
    const valid = encodeCbor(blockAuthToCbor(auth()))
    fuzzDecoder((bytes) => blockAuthFromCbor(decodeCbor(bytes)), [valid])
    fuzzCborDecoder(blockAuthFromCbor, [decodeCbor(valid)])
    const hexText = encodeBlockAuth(auth())
    const text = fc.oneof(fc.string({ maxLength: 600 }), fc.tuple(fc.nat(), fc.string({ maxLength: 3 })).map(([i, s]) => hexText.slice(0, i % hexText.length) + s + hexText.slice(i % hexText.length + 1)))
    fc.assert(fc.property(text, (s) => onlyPeergosErrors(() => decodeBlockAuth(s))), { numRuns: FUZZ_RUNS })
  })
})
