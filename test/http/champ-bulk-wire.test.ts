// Property tests of champ/get/bulk's wire paths written without the generic codec: the caps=
// parameter written straight into its escaped form (client), the caps list read in place (server)
// and the reply list of byte strings read head by head (client). Each must give what the generic
// path gives, byte for byte or value for value, and refuse what it refuses with the same error.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { base64Encode, base64EncodeUriComponent } from '../../src/codec/base64.ts'
import { decodeByteStringList, decodeCbor, encodeByteStringList, encodeCbor } from '../../src/codec/cbor.ts'
import { asBytes, asList } from '../../src/codec/cbor-read.ts'
import { CID } from '../../src/codec/cid.ts'
import { multibase64Encode, multibaseDecode } from '../../src/codec/multibase.ts'
import { capsParameter, chunkMirrorCapFromCbor, decodeCaps, encodeCaps, encodeCapsCbor } from '../../src/http/wire.ts'
import { BadRequestError } from '../../src/http/errors.ts'
import { batWithId } from '../../src/model/bat-id.ts'
import { MAX_CHAMP_GETS, type ChunkMirrorCap } from '../../src/services/content-addressed-storage.ts'
import * as Digest from 'multiformats/hashes/digest'

/** decodeCaps as it was: multibase, the generic decoder, the list bound, each cap from its CBOR. */
function genericDecodeCaps(s: string): ChunkMirrorCap[] {
  let raw: Uint8Array
  try {
    raw = multibaseDecode(s)
  } catch (e) {
    throw new BadRequestError(`Parameter caps: ${(e as Error).message}`)
  }
  const list = asList(decodeCbor(raw, { maxDepth: 4 }), 'caps')
  if (list.length > MAX_CHAMP_GETS) throw new BadRequestError(`Too many caps in bulk champ get call! ${list.length}`)
  return list.map(chunkMirrorCapFromCbor)
}

/** The champ/get/bulk reply as the client decoded it before. */
function genericReplyList(reply: Uint8Array): Uint8Array[] {
  return asList(decodeCbor(reply, { maxDepth: 1, viewBytes: true }), 'champ/get/bulk').map((b, j) => asBytes(b, `champ/get/bulk[${j}]`))
}

/** The value of `f()` or the class and message of what it threw. */
function outcome<T>(f: () => T): { value: T } | { error: string } {
  try {
    return { value: f() }
  } catch (e) {
    return { error: `${(e as Error).constructor.name}: ${(e as Error).message}` }
  }
}

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const batArb = fc.record({ secret: bytes32, digest: bytes32 }).map(({ secret, digest }) => batWithId({ secret }, CID.createV1(0x55, Digest.create(0x12, digest))))
const usualCap: fc.Arbitrary<ChunkMirrorCap> = fc.record({ mapKey: bytes32, bat: fc.option(batArb, { nil: undefined }) }).map(({ mapKey, bat }) => (bat === undefined ? { mapKey } : { mapKey, bat }))
const oddCap: fc.Arbitrary<ChunkMirrorCap> = fc.record({ mapKey: fc.uint8Array({ maxLength: 40 }), bat: fc.option(batArb, { nil: undefined }) }).map(({ mapKey, bat }) => (bat === undefined ? { mapKey } : { mapKey, bat }))
const capsArb = fc.array(fc.oneof({ weight: 4, arbitrary: usualCap }, { weight: 1, arbitrary: oddCap }), { maxLength: 26 })

/** Where each view of a reply list lies in the reply (both decoders return views of it: equal places mean equal bytes). */
function places(list: Uint8Array[], reply: Uint8Array): string[] {
  return list.map((b) => (b.buffer === reply.buffer ? `${b.byteOffset}+${b.length}` : 'copied'))
}

/** Random damage to encoded bytes: a byte changed, bytes cut off or appended. */
const damage = fc.record({ at: fc.nat(), to: fc.integer({ min: 0, max: 255 }), how: fc.constantFrom('set', 'cut', 'append', 'head') })
function damaged(b: Uint8Array, d: { at: number; to: number; how: string }): Uint8Array {
  if (b.length === 0) return Uint8Array.of(d.to)
  const at = d.at % b.length
  if (d.how === 'cut') return b.slice(0, at)
  if (d.how === 'append') return Uint8Array.from([...b, d.to])
  const out = b.slice()
  out[d.how === 'head' ? 0 : at] = d.to
  return out
}

describe('caps= written in one pass', () => {
  it('is encodeURIComponent of the multibase base64 for every length', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      expect(base64EncodeUriComponent('m', b)).toBe(encodeURIComponent('m' + base64Encode(b)))
      expect(base64EncodeUriComponent('', b)).toBe(encodeURIComponent(base64Encode(b)))
    }), { numRuns: 400 })
    const all = Uint8Array.from({ length: 192 }, (_, i) => (i * 37) & 255) // every base64 digit, '+' and '/' among them
    expect(base64EncodeUriComponent('m', all)).toBe(encodeURIComponent('m' + base64Encode(all)))
  })

  it('gives the query parameter the generic path gave, for usual and odd caps', () => {
    fc.assert(fc.property(capsArb, (caps) => {
      expect(capsParameter(caps)).toBe(`caps=${encodeURIComponent(encodeCaps(caps)).replace(/%2C/g, ',')}`)
      expect(encodeCapsCbor(caps)).toEqual(encodeCbor(caps.map((c) => (c.bat === undefined ? new Map([['m', c.mapKey]]) : new Map<string, unknown>([['b', new Map<string, unknown>([['b', new Map([['s', c.bat.bat.secret]])], ['i', c.bat.id.bytes]])], ['m', c.mapKey]])) as never)))
    }), { numRuns: 300 })
  })
})

describe('caps= read in place by the server', () => {
  it('reads what the generic path reads', () => {
    fc.assert(fc.property(capsArb, (caps) => {
      const s = encodeCaps(caps)
      expect(outcome(() => decodeCaps(s))).toEqual(outcome(() => genericDecodeCaps(s)))
    }), { numRuns: 300 })
  })

  it('refuses damaged lists as the generic path does (same error, same message)', () => {
    fc.assert(fc.property(fc.array(usualCap, { minLength: 1, maxLength: 21 }), damage, (caps, d) => {
      const s = multibase64Encode(damaged(encodeCapsCbor(caps), d))
      expect(outcome(() => decodeCaps(s))).toEqual(outcome(() => genericDecodeCaps(s)))
    }), { numRuns: 2000 })
  })

  it('refuses a bad BAT id in the usual shape with the generic error, after the whole list is checked', () => {
    const bat = batWithId({ secret: new Uint8Array(32).fill(1) }, CID.createV1(0x55, Digest.create(0x12, new Uint8Array(32).fill(2))))
    const raw = encodeCapsCbor([{ mapKey: new Uint8Array(32), bat }, { mapKey: new Uint8Array(32).fill(3) }])
    const badId = raw.slice()
    badId[1 + 11 + 32 + 4] = 0x00 // the id's CID version byte
    const bothBad = damaged(badId, { at: raw.length - 1, to: 0, how: 'cut' }) // and the list cut short
    for (const b of [badId, bothBad]) {
      const s = multibase64Encode(b)
      const got = outcome(() => decodeCaps(s))
      expect('error' in got).toBe(true)
      expect(got).toEqual(outcome(() => genericDecodeCaps(s)))
    }
  })
})

describe('champ/get/bulk replies read head by head', () => {
  const sizes = fc.constantFrom(0, 1, 23, 24, 255, 256, 4300, 65535, 65536)
  const blocks = fc.array(fc.oneof(fc.uint8Array({ maxLength: 64 }), sizes.map((n) => new Uint8Array(n).fill(n & 255))), { maxLength: 30 })

  it('gives the generic decoder views of the same bytes', () => {
    fc.assert(fc.property(blocks, (list) => {
      const reply = encodeByteStringList(list)
      const fast = decodeByteStringList(reply)
      expect(fast).toBeDefined()
      expect(places(fast!, reply)).toEqual(places(genericReplyList(reply), reply))
    }), { numRuns: 150 })
    const list = [new Uint8Array(300).fill(1), new Uint8Array(0), new Uint8Array(70_000).fill(2)]
    expect(encodeByteStringList(list)).toEqual(encodeCbor(list))
  })

  it('leaves anything else to the generic decoder, which accepts or refuses it as before', () => {
    fc.assert(fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), damage, (list, d) => {
      const reply = damaged(encodeByteStringList(list), d)
      const fast = decodeByteStringList(reply)
      const generic = outcome(() => places(genericReplyList(reply), reply))
      if (fast !== undefined) expect({ value: places(fast, reply) }).toEqual(generic)
      expect(outcome(() => places(decodeByteStringList(reply) ?? genericReplyList(reply), reply))).toEqual(generic)
    }), { numRuns: 3000 })
    // non-minimal and indefinite heads, other items, trailing bytes: not taken here
    for (const odd of [[0x98, 0x01, 0x40], [0x81, 0x58, 0x01, 0x00], [0x9f, 0x40, 0xff], [0x81, 0x60], [0x80, 0x00], [0xa0], [0x81, 0x5f, 0xff]]) {
      expect(decodeByteStringList(Uint8Array.from(odd))).toBeUndefined()
    }
  })
})
