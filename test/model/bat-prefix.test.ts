// BAT locations in blocks (reference §7.6): the raw-block prefix (magic ‖ CBOR [BatId…] ‖ data)
// built and parsed strictly, and the dag-cbor `bats` key, byte-exact to cbor.json Bat.
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { blockCid, parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { inlineBatId, sha256BatId } from '../../src/model/bat-id.ts'
import {
  blockBatIds, cborBlockBatIds, createRawBlockPrefix, InvalidBatPrefixError, MAX_RAW_BLOCK_PREFIX_SIZE, parseRawBlock,
  RAW_BLOCK_MAGIC_PREFIX, rawBlockBatIds, removeRawBlockBatPrefix,
} from '../../src/model/bat-prefix.ts'
import { concatBytes } from '../../src/model/bytes.ts'
import { PeergosError } from '../../src/errors.ts'
import { FUZZ_RUNS, fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })
const utf8 = (s: string) => new TextEncoder().encode(s)

describeVectors('raw-block BAT prefix vectors (cbor.json Bat)', () => {
  const v = loadVector('cbor.json').Bat
  const b = { secret: hex(v.secret) }
  const withMirror = v["rawBlockPrefix(inline bat, mirror=sha256(fixed('mirror-bat')))"]

  it('builds the prefix with and without the mirror BAT id', () => {
    const mirror = sha256BatId(c, { secret: c.sha256(utf8('mirror-bat')) })
    expect(toHex(createRawBlockPrefix(b, mirror))).toBe(withMirror)
    expect(toHex(createRawBlockPrefix(b))).toBe(v.rawBlockPrefixNoMirror)
    expect(hex(withMirror).length).toBeLessThanOrEqual(MAX_RAW_BLOCK_PREFIX_SIZE)
  })

  it('parses the prefix back into its BatIds and the data after it', () => {
    const data = Uint8Array.of(1, 2, 3, 4)
    const parsed = parseRawBlock(concatBytes(hex(withMirror), data))
    expect(parsed.prefixLength).toBe(hex(withMirror).length)
    expect(toHex(parsed.data)).toBe('01020304')
    expect(parsed.batIds.map((id) => id.toString())).toEqual([inlineBatId(b).toString(), sha256BatId(c, { secret: c.sha256(utf8('mirror-bat')) }).toString()])
    expect(rawBlockBatIds(hex(v.rawBlockPrefixNoMirror))).toHaveLength(1)
    expect(removeRawBlockBatPrefix(hex(v.rawBlockPrefixNoMirror))).toHaveLength(0)
  })
})

describe('raw-block BAT prefix parsing', () => {
  const b = { secret: new Uint8Array(32).fill(5) }

  it('treats blocks without the magic as public', () => {
    const block = Uint8Array.of(0x71, 0x1d, 0x10, 1, 2)
    expect(parseRawBlock(block)).toEqual({ batIds: [], prefixLength: 0, data: block })
    expect(parseRawBlock(new Uint8Array(0)).batIds).toEqual([])
  })

  it('refuses a magic followed by anything but BatIds within 100 bytes, with a typed error', () => {
    const bad = (tail: Uint8Array) => () => parseRawBlock(concatBytes(RAW_BLOCK_MAGIC_PREFIX, tail))
    expect(bad(new Uint8Array(0))).toThrow(InvalidBatPrefixError)
    expect(bad(encodeCbor(new Map([['s', 1]])))).toThrow(InvalidBatPrefixError)
    expect(bad(encodeCbor([Uint8Array.of(1, 2, 3)]))).toThrow(InvalidBatPrefixError)
    expect(bad(encodeCbor([inlineBatId(b).bytes, inlineBatId(b).bytes, inlineBatId(b).bytes]))).toThrow(InvalidBatPrefixError)
    expect(bad(encodeCbor([inlineBatId({ secret: new Uint8Array(20) }).bytes]))).toThrow(InvalidBatPrefixError)
  })

  it('refuses to build a prefix over 100 bytes', () => {
    expect(() => createRawBlockPrefix(b, inlineBatId({ secret: new Uint8Array(60) }))).toThrow(InvalidBatPrefixError)
  })

  it('extracts the top-level bats of dag-cbor blocks and dispatches on the codec', () => {
    const ids = [inlineBatId(b), sha256BatId(c, b)]
    const node = encodeCbor(new Map<string, never>([['v', 1 as never], ['bats', ids.map((i) => i.bytes) as never]]))
    expect(cborBlockBatIds(node).map(String)).toEqual(ids.map(String))
    expect(cborBlockBatIds(encodeCbor(new Map([['v', 1]])))).toEqual([])
    expect(cborBlockBatIds(encodeCbor([1, 2]))).toEqual([])
    expect(blockBatIds(blockCid(c, node, false), node)).toHaveLength(2)
    const raw = concatBytes(createRawBlockPrefix(b), Uint8Array.of(9))
    expect(blockBatIds(blockCid(c, raw, true), raw)).toHaveLength(1)
    expect(blockBatIds(parseCid('QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco'), raw)).toEqual([])
  })

  it('reads bats beside a large inline field without keeping it, and still refuses a malformed block', () => {
    const ids = [inlineBatId(b), sha256BatId(c, b)]
    const data = new Uint8Array(4096).fill(7)
    const node = encodeCbor(new Map<string, never>([['d', data as never], ['bats', ids.map((i) => i.bytes) as never]]))
    const got = cborBlockBatIds(node)
    expect(got.map(String)).toEqual(ids.map(String))
    for (const id of got) expect(id.bytes.buffer.byteLength).toBeLessThan(1024) // copies, not views of the block
    // the skipped field is checked as strictly as before: a truncated or non-canonical block throws
    expect(() => cborBlockBatIds(node.subarray(0, 100))).toThrow(PeergosError)
    const nonCanonical = Uint8Array.from(node)
    nonCanonical[1] = 0x62 // the first key's length made 2: keys out of order / bytes misread
    expect(() => cborBlockBatIds(nonCanonical)).toThrow(PeergosError)
  })

  it('parses untrusted raw blocks only to BatIds or a PeergosError', () => {
    const prefixes = [createRawBlockPrefix(b), createRawBlockPrefix(b, sha256BatId(c, b))].map((p) => concatBytes(p, Uint8Array.of(1, 2, 3)))
    fuzzDecoder(parseRawBlock, [...prefixes, RAW_BLOCK_MAGIC_PREFIX])
  })

  it('extracts untrusted dag-cbor bats only to BatIds or a PeergosError', () => {
    const node = encodeCbor(new Map<string, never>([['v', 1 as never], ['bats', [inlineBatId(b).bytes, sha256BatId(c, b).bytes] as never]]))
    fuzzDecoder(cborBlockBatIds, [node], FUZZ_RUNS)
  })
})
