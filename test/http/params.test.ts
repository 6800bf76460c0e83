// Unit tests of parameter validation and the wire-only encodings (reference §7.3): every malformed
// parameter is a BadRequestError naming the parameter without echoing the value.
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cborMap } from '../../src/codec/cbor-read.ts'
import { cidToString, CODEC_LIBP2P_KEY, parseCid } from '../../src/codec/cid.ts'
import { InvalidCidError } from '../../src/codec/errors.ts'
import { BadRequestError } from '../../src/http/errors.ts'
import { Params } from '../../src/http/routes/params.ts'
import { parseQuery } from '../../src/http/transport.ts'
import { chunkMirrorCapToCbor, decodeBlockWriteGroup, decodeCaps, encodeBlockWriteGroup, encodeCaps, encodeCapsCbor, parseJsonStream, parsePeerId } from '../../src/http/wire.ts'
import { batWithId } from '../../src/model/bat-id.ts'
import { CID, multibase58Encode } from '../../src/codec/cid.ts'
import * as Digest from 'multiformats/hashes/digest'

const OWNER = 'z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV'
const BLOCK = 'zdpuAnyLLzBWNhEPBAg7ED3wt6yQ2RXJbumcpHEvT8Gpt6TqJ'

function p(q: string): Params {
  return new Params(parseQuery(q))
}

function badRequest(f: () => unknown, fragment: string): void {
  let err: unknown
  try {
    f()
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(BadRequestError)
  expect((err as Error).message).toContain(fragment)
}

describe('Params', () => {
  it('reads typed values', () => {
    const q = p(`owner=${OWNER}&arg=${BLOCK}&h=00ff&b=true&n=1959756740`)
    expect(cidToString(q.owner())).toBe(OWNER)
    expect(cidToString(q.cid('arg'))).toBe(BLOCK)
    expect(q.hex('h', 2)).toEqual(new Uint8Array([0, 255]))
    expect(q.bool('b')).toBe(true)
    expect(q.optBool('missing', false)).toBe(false)
    expect(q.positiveInt('n')).toBe(1959756740)
  })

  it('names the parameter and never echoes the hostile value', () => {
    const hostile = 'zzz<script>'
    badRequest(() => p('x=1').owner(), "Missing parameter 'owner'")
    badRequest(() => p(`owner=${OWNER}&owner=${OWNER}`).owner(), "Duplicate parameter 'owner'")
    badRequest(() => p(`owner=${hostile}`).owner(), "Invalid parameter 'owner': not a CID")
    try {
      p(`owner=${hostile}`).owner()
    } catch (e) {
      expect((e as Error).message).not.toContain('script')
    }
    badRequest(() => p('h=0g').hex('h', 10), "Invalid parameter 'h': not hex")
    badRequest(() => p('h=abc').hex('h', 10), 'not hex')
    badRequest(() => p('h=0000').hex('h', 1), 'too long')
    badRequest(() => p('b=TRUE').bool('b'), 'not a boolean')
    badRequest(() => p('b=1').bool('b'), 'not a boolean')
    for (const n of ['0', '-1', '01', '1.5', '99999999999999999', 'x']) badRequest(() => p(`n=${n}`).positiveInt('n'), "'n'")
    badRequest(() => p('bat=zzzz').batWithId('bat'), "Invalid parameter 'bat'")
    badRequest(() => p(`x=${'a'.repeat(9000)}`).string('x'), 'too long')
  })

  it('accepts only identity or sha2-256 public key hashes as owners', () => {
    expect(() => p(`owner=${BLOCK}`).owner()).not.toThrow()
    const blake = cidToString(CID.createV1(0x71, Digest.create(0xb220, new Uint8Array(32))))
    badRequest(() => p(`owner=${blake}`).owner(), 'not a public key hash')
  })
})

describe('wire encodings', () => {
  it('BlockWriteGroup {b, s} round-trips and refuses unequal lists or wrong types', () => {
    const g = { blocks: [new Uint8Array([1]), new Uint8Array([2, 3])], signatures: [new Uint8Array(96), new Uint8Array(96)] }
    expect(decodeBlockWriteGroup(encodeBlockWriteGroup(g))).toEqual(g)
    expect(() => decodeBlockWriteGroup(encodeCbor(new Map([['b', [new Uint8Array(1)]], ['s', []]])))).toThrow(BadRequestError)
    expect(() => decodeBlockWriteGroup(encodeCbor(new Map([['b', ['x']], ['s', [new Uint8Array(1)]]])))).toThrow(/BlockWriteGroup.b\[0\]/)
  })

  it('BlockWriteGroup is encoded byte for byte as the generic CBOR encoder does, across every head size', () => {
    const sizes = [0, 1, 23, 24, 255, 256, 65_535, 65_536, (1 << 20) + 100]
    const bytes = (n: number, seed: number): Uint8Array => {
      const b = new Uint8Array(n)
      for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) % 256
      return b
    }
    const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length))
    const groups = [
      { blocks: [], signatures: [] },
      ...sizes.map((n, i) => ({ blocks: [bytes(n, i)], signatures: [bytes(96, i)] })),
      { blocks: sizes.map((n, i) => bytes(n, i)), signatures: sizes.map((_, i) => bytes(96 + i, i)) },
      { blocks: Array.from({ length: 24 }, (_, i) => bytes(i, i)), signatures: Array.from({ length: 24 }, (_, i) => bytes(i + 1, i)) },
    ]
    for (const g of groups) {
      const encoded = encodeBlockWriteGroup(g)
      expect(same(encoded, encodeCbor(cborMap({ b: g.blocks, s: g.signatures }))), `${g.blocks.length} blocks`).toBe(true)
      const decoded = decodeBlockWriteGroup(encoded)
      expect([decoded.blocks.length, decoded.signatures.length]).toEqual([g.blocks.length, g.signatures.length])
      expect(decoded.blocks.every((b, i) => same(b, g.blocks[i])) && decoded.signatures.every((s, i) => same(s, g.signatures[i]))).toBe(true)
    }
  })

  it('caps= holds at most MAX_CHAMP_GETS ChunkMirrorCaps', () => {
    const caps = Array.from({ length: 20 }, (_, i) => ({ mapKey: new Uint8Array(32).fill(i) }))
    expect(decodeCaps(encodeCaps(caps))).toEqual(caps)
    expect(() => decodeCaps(encodeCaps([...caps, caps[0]]))).toThrow(/Too many caps/)
    expect(() => decodeCaps(multibase58Encode(encodeCbor('x')))).toThrow()
    // written directly for the usual shapes: the same bytes as the generic encoder
    const bat = batWithId({ secret: new Uint8Array(32).fill(7) }, CID.createV1(0x55, Digest.create(0x12, new Uint8Array(32).fill(9))))
    const mixed = caps.map((c, i) => (i % 3 === 0 ? c : { ...c, bat }))
    for (const list of [mixed, mixed.slice(0, 1), [], [{ mapKey: new Uint8Array(7) }], [...mixed, ...mixed]]) {
      expect(encodeCapsCbor(list)).toEqual(encodeCbor(list.map(chunkMirrorCapToCbor)))
    }
    expect(decodeCaps(encodeCaps(mixed))).toEqual(mixed)
    // ours go out as multibase base64; Peergos' clients send base58btc: both are read
    expect(encodeCaps(caps).startsWith('m')).toBe(true)
    expect(decodeCaps(multibase58Encode(encodeCbor(caps.map((c) => cborMap({ m: c.mapKey })))))).toEqual(caps)
    expect(() => decodeCaps('m!!')).toThrow(BadRequestError)
  })

  it('parses peer ids as Cid.decodePeerId does', () => {
    const id = parsePeerId('12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA')
    expect(id.code).toBe(CODEC_LIBP2P_KEY)
    expect(parsePeerId(cidToString(id)).equals(id)).toBe(true)
    expect(parsePeerId('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t').equals(parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t'))).toBe(true)
    expect(() => parsePeerId('1111')).toThrow(InvalidCidError)
  })

  it('parses concatenated JSON objects (block/put/bulk replies)', () => {
    expect(parseJsonStream('{"Hash":"a"}{"Hash":"b}{"}\n')).toEqual([{ Hash: 'a' }, { Hash: 'b}{' }])
    expect(parseJsonStream('')).toEqual([])
    expect(() => parseJsonStream('{"Hash":"a"')).toThrow(SyntaxError)
    expect(() => parseJsonStream('x{}')).toThrow(SyntaxError)
  })
})
