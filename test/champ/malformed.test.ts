// CHAMP nodes from untrusted stores: every malformed block, bad link, wrong bytes, missing block
// or over-deep chain is a named error, and random corruption never crashes or hangs the decoder.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { CborDecodeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { Champ, InvalidChampNodeError, MemoryBlockStore, decodeNode, decodeNodeGeneric, encodeNode, type BlockStore } from '../../src/champ/index.ts'
import { hex, toHex } from '../vectors.ts'
import { build, collect, crypto, rejectionName, valueFor, vectorKey } from './helpers.ts'
import { FUZZ_RUNS } from '../model/fuzz.ts'

let c: CryptoProvider
let store: MemoryBlockStore
let champ: Champ
beforeAll(async () => {
  c = await crypto()
  store = new MemoryBlockStore(c)
  champ = new Champ({ store, crypto: c })
})

const P = { bitWidth: 3, maxCollisions: 4 }
const k = (b: number, len = 4): Uint8Array => new Uint8Array(len).fill(b)

function decodeErrorName(bytes: Uint8Array, params = P): string {
  try {
    decodeNode(bytes, params)
  } catch (e) {
    return (e as Error).name
  }
  return 'no error'
}

describe('strict node decoding', () => {
  it('rejects malformed nodes with InvalidChampNodeError (a CborDecodeError)', () => {
    const v = valueFor(c, 'v')
    const link = valueFor(c, 'x') // raw CID: not a valid child link
    const good: CborValue = [new Uint8Array([1]), new Uint8Array(), [[k(0), v]]]
    const cases: Record<string, CborValue> = {
      'not a list': 5,
      'list of 2': [new Uint8Array(), new Uint8Array()],
      'map without d': new Map<string, CborValue>([['bats', []]]),
      'two bats': new Map<string, CborValue>([['d', good], ['bats', [valueFor(c, 'a').bytes, valueFor(c, 'b').bytes]]]),
      'bat not bytes': new Map<string, CborValue>([['d', good], ['bats', [7]]]),
      'bat not a CID': new Map<string, CborValue>([['d', good], ['bats', [new Uint8Array([1, 2, 3])]]]),
      'dataMap is text': ['x', new Uint8Array(), [[k(0), v]]],
      'contents not a list': [new Uint8Array([1]), new Uint8Array(), new Uint8Array()],
      'popcount > contents': [new Uint8Array([3]), new Uint8Array(), [[k(0), v]]],
      'popcount < contents': [new Uint8Array([1]), new Uint8Array(), [[k(0), v], [k(1), v]]],
      'same bit in both maps': [new Uint8Array([1]), new Uint8Array([1]), [[k(0), v], v]],
      'bitmap trailing zero byte': [new Uint8Array([1, 0]), new Uint8Array(), [[k(0), v]]],
      'bitmap too long': [new Uint8Array([1, 1]), new Uint8Array(), [[k(0), v], [k(1), v]]],
      'oversize bucket': [new Uint8Array([1]), new Uint8Array(), [[k(0), v, k(1), v, k(2), v, k(3), v, k(4), v]]],
      'unsorted bucket': [new Uint8Array([1]), new Uint8Array(), [[k(2), v, k(1), v]]],
      'unsorted by length first': [new Uint8Array([1]), new Uint8Array(), [[k(0, 5), v, k(9, 4), v]]],
      'duplicate key in bucket': [new Uint8Array([1]), new Uint8Array(), [[k(1), v, k(1), v]]],
      'empty bucket': [new Uint8Array([1]), new Uint8Array(), [[]]],
      'odd bucket': [new Uint8Array([1]), new Uint8Array(), [[k(0), v, k(1)]]],
      'bucket key is text': [new Uint8Array([1]), new Uint8Array(), [['key', v]]],
      'bucket value is an int': [new Uint8Array([1]), new Uint8Array(), [[k(0), 3]]],
      'bucket value is bytes': [new Uint8Array([1]), new Uint8Array(), [[k(0), v.bytes]]],
      'data position holds a link': [new Uint8Array([1]), new Uint8Array(), [v]],
      'node position holds a bucket': [new Uint8Array(), new Uint8Array([1]), [[k(0), v]]],
      'node position holds bytes': [new Uint8Array(), new Uint8Array([1]), [v.bytes]],
      'child link is a raw CID': [new Uint8Array(), new Uint8Array([1]), [link]],
    }
    for (const [name, value] of Object.entries(cases)) {
      const bytes = encodeCbor(value)
      let err: unknown
      try {
        decodeNode(bytes, P)
      } catch (e) {
        err = e
      }
      expect([name, (err as Error | undefined)?.name]).toEqual([name, 'InvalidChampNodeError'])
      expect(err).toBeInstanceOf(CborDecodeError)
    }
    expect(decodeErrorName(encodeCbor(good))).toBe('no error')
    // A bit beyond the fan-out of a smaller bit width.
    expect(decodeErrorName(encodeCbor([new Uint8Array([0x10]), new Uint8Array(), [[k(0), v]]]), { bitWidth: 2, maxCollisions: 4 })).toBe('InvalidChampNodeError')
  })

  it('rejects a link whose CID bytes do not round-trip (version 0 with a codec), in both decoders', () => {
    const digest = toHex(c.sha256(new Uint8Array([1])))
    const node = hex('83410140' + '81' + '82' + '4400000000' + 'd82a5825' + '00' + '00551220' + digest)
    expect(decodeErrorName(node)).toBe('InvalidChampNodeError')
    let generic = 'no error'
    try {
      decodeNodeGeneric(node, P)
    } catch (e) {
      generic = (e as Error).name
    }
    expect(generic).toBe('InvalidChampNodeError')
    expect(decodeErrorName(hex('83410140' + '81' + '82' + '4400000000' + 'd82a5825' + '00' + '01551220' + digest))).toBe('no error')
  })

  it('rejects truncated, trailing and non-canonical CBOR with InvalidChampNodeError', () => {
    const node = encodeCbor([new Uint8Array([5]), new Uint8Array(), [[k(0), valueFor(c, 'a')], [k(2), valueFor(c, 'b')]]])
    for (let n = 0; n < node.length; n++) expect(decodeErrorName(node.subarray(0, n))).toBe('InvalidChampNodeError')
    expect(decodeErrorName(new Uint8Array([...node, 0]))).toBe('InvalidChampNodeError')
    expect(decodeErrorName(new Uint8Array([0x9f, 0x40, 0x40, 0x80, 0xff]))).toBe('InvalidChampNodeError') // indefinite list
    expect(decodeErrorName(new Uint8Array([0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]))).toBe('InvalidChampNodeError') // huge length
  })

  it('random corruption of real nodes gives a node or InvalidChampNodeError, never anything else', async () => {
    const keys = Array.from({ length: 300 }, (_, i) => vectorKey(c, i))
    const root = await build(champ, keys.map((key) => [key, valueFor(c, key)]))
    const nodes = (await collect(champ.blocks(root))).map((b) => b.bytes)
    fc.assert(
      fc.property(fc.nat(nodes.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(), (i, edits, cut) => {
        const bytes = nodes[i].slice(0, nodes[i].length - (cut % 3))
        for (const [pos, b] of edits) bytes[pos % bytes.length] = b
        const name = decodeErrorName(bytes)
        expect(['no error', 'InvalidChampNodeError']).toContain(name)
      }),
      { numRuns: FUZZ_RUNS },
    )
    // The hand-written decoder agrees with the generic-CBOR one on every corrupted list-form node.
    fc.assert(
      fc.property(fc.nat(nodes.length - 1), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), (i, edits) => {
        const bytes = nodes[i].slice()
        for (const [pos, b] of edits) bytes[1 + (pos % (bytes.length - 1))] = b
        const outcome = (f: typeof decodeNode): string => {
          try {
            return toHex(encodeNode(f(bytes, P)))
          } catch (e) {
            return (e as Error).name
          }
        }
        expect(outcome(decodeNode)).toBe(outcome(decodeNodeGeneric))
      }),
      { numRuns: FUZZ_RUNS },
    )
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(['no error', 'InvalidChampNodeError']).toContain(decodeErrorName(bytes))
      }),
      { numRuns: FUZZ_RUNS },
    )
  })
})

describe('hostile and broken stores', () => {
  it('a store returning bytes that do not match the CID gives BlockHashMismatchError', async () => {
    const keys = Array.from({ length: 40 }, (_, i) => vectorKey(c, i))
    const root = await build(champ, keys.map((key) => [key, valueFor(c, key)]))
    const other = await build(champ, [[keys[0], valueFor(c, 'other')]])
    const hostile: BlockStore = {
      get: async (cid) => (cid.equals(root) ? store.get(other) : store.get(cid)),
      put: (b, raw) => store.put(b, raw),
    }
    const reader = new Champ({ store: hostile, crypto: c })
    expect(await rejectionName(reader.get(root, keys[0]))).toBe('BlockHashMismatchError')
    // Trusting a store is opt-in: the same bytes are then believed.
    const trusting = new Champ({ store: hostile, crypto: c, verify: false })
    expect((await trusting.get(root, keys[0]))?.equals(valueFor(c, 'other'))).toBe(true)
  })

  it('a missing node is ChampBlockNotFoundError; a non dag-cbor root is InvalidChampNodeError', async () => {
    const reader = new Champ({ store: new MemoryBlockStore(c), crypto: c })
    const missing = await new MemoryBlockStore(c).put(encodeCbor([new Uint8Array(), new Uint8Array(), []]), false)
    expect(await rejectionName(reader.get(missing, k(0)))).toBe('ChampBlockNotFoundError')
    expect(await rejectionName(reader.get(valueFor(c, 'raw'), k(0)))).toBe('InvalidChampNodeError')
    expect(await rejectionName(reader.put(valueFor(c, 'raw'), k(0), undefined, valueFor(c, 'v')))).toBe('InvalidChampNodeError')
  })

  it('a chain of nodes deeper than 32 levels is rejected by every operation', async () => {
    const key = new Uint8Array(16) // all zero: position 0 at every depth
    const v = valueFor(c, 'deep')
    let cid = await store.put(encodeCbor([new Uint8Array([1]), new Uint8Array(), [[key, v]]]), false)
    for (let i = 0; i < 40; i++) cid = await store.put(encodeCbor([new Uint8Array(), new Uint8Array([1]), [cid]]), false)
    const ops: [string, () => Promise<unknown>][] = [
      ['get', () => champ.get(cid, key)],
      ['lookup', () => champ.lookup(cid, key)],
      ['put', () => champ.put(cid, key, v, valueFor(c, 'new'))],
      ['remove', () => champ.remove(cid, key, v)],
      ['entries', () => collect(champ.entries(cid))],
      ['blocks', () => collect(champ.blocks(cid))],
      ['diff', () => collect(champ.diff(undefined, cid))],
    ]
    for (const [name, op] of ops) expect([name, await rejectionName(op())]).toEqual([name, 'InvalidChampNodeError'])
  })

  it('errors are PeergosErrors carrying the failing key and values', async () => {
    const e = await champ.put(await champ.createEmpty(), k(1), valueFor(c, 'a'), valueFor(c, 'b')).catch((x: unknown) => x)
    expect(e).toMatchObject({ name: 'ChampCasError', expected: valueFor(c, 'a'), actual: undefined })
    expect(new InvalidChampNodeError('x')).toBeInstanceOf(CborDecodeError)
  })
})
