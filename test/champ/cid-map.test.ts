// CidMap (CIDs to values without a string per CID) against a Map keyed by the CIDs' bytes, on
// random operations with forced 30-bit hash collisions and non-sha256 CIDs; and the client's
// BlockCache built on it: what it caches, its byte bound and its oldest-first eviction.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CidMap, type CidMapEntry } from '../../src/champ/cid-map.ts'
import { CODEC_DAG_CBOR, CODEC_RAW, identityCid, cidFromBytes, sha256Cid, type CID } from '../../src/codec/cid.ts'
import { BlockCache } from '../../src/client/block-cache.ts'

/** A sha2-256 CIDv1 whose digest is `seed` spread over 32 bytes, its first 30 bits set to `low` (forced collisions). */
function shaCid(codec: typeof CODEC_RAW | typeof CODEC_DAG_CBOR, low: number, seed: number): CID {
  const d = new Uint8Array(32)
  for (let i = 0; i < 32; i++) d[i] = (seed * 31 + i * 7) & 0xff
  d[0] = low & 0xff
  d[1] = (low >> 8) & 0xff
  d[2] = (low >> 16) & 0xff
  d[3] = (d[3] & 0xc0) | ((low >> 24) & 0x3f)
  return sha256Cid(codec, d)
}

function keyOf(cid: CID): string {
  return Array.from(cid.bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

describe('CidMap', () => {
  it('behaves as a Map keyed by the CID bytes, collisions and other CIDs included', () => {
    const cidArb = fc.oneof(
      fc.tuple(fc.constantFrom(CODEC_RAW, CODEC_DAG_CBOR), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 40 })).map(([codec, low, seed]) => shaCid(codec, low, seed)),
      fc.uint8Array({ minLength: 0, maxLength: 3 }).map((b) => identityCid(CODEC_RAW, b)),
    )
    const opArb = fc.tuple(fc.constantFrom('add', 'set', 'get', 'delete', 'getDigest'), cidArb, fc.integer())
    fc.assert(fc.property(fc.array(opArb, { maxLength: 200 }), (ops) => {
      const m = new CidMap<number>()
      const model = new Map<string, number>()
      const entries = new Map<string, CidMapEntry<number>>()
      for (const [op, cid, v] of ops) {
        const k = keyOf(cid)
        if (op === 'add') {
          const e = m.add(cid, v)
          if (model.has(k)) expect(e).toBeUndefined()
          else {
            expect(e?.value).toBe(v)
            model.set(k, v)
            entries.set(k, e!)
          }
        } else if (op === 'set') {
          m.set(cid, v)
          model.set(k, v)
          entries.delete(k) // a set() mapping has no handle
        } else if (op === 'delete') {
          const e = entries.get(k)
          if (e !== undefined) {
            m.delete(e)
            m.delete(e) // twice: nothing more happens
            model.delete(k)
            entries.delete(k)
          }
        } else if (op === 'getDigest') {
          if (cid.bytes.length === 36) expect(m.getDigest(cid.bytes[1], cid.bytes.subarray(4))).toBe(model.get(k))
          else expect(m.getDigest(CODEC_RAW, cid.bytes)).toBeUndefined()
        }
        expect(m.get(cid)).toBe(model.get(k))
        expect(m.has(cid)).toBe(model.has(k))
        expect(m.size).toBe(model.size)
      }
    }), { numRuns: 300 })
  })

  it('tells codecs apart and finds a digest added without a CID by its CID', () => {
    const m = new CidMap<string>()
    const raw = shaCid(CODEC_RAW, 5, 1)
    const cbor = cidFromBytes(new Uint8Array([1, CODEC_DAG_CBOR, ...raw.bytes.subarray(2)]))
    m.addDigest(CODEC_RAW, raw.bytes.slice(4), 'raw')
    expect(m.get(raw)).toBe('raw')
    expect(m.get(cbor)).toBeUndefined()
    m.add(cbor, 'cbor')
    expect(m.get(cbor)).toBe('cbor')
    expect(m.get(raw)).toBe('raw')
    expect(() => m.addDigest(CODEC_RAW, new Uint8Array(31), 'short')).toThrow(RangeError)
    m.clear()
    expect(m.size).toBe(0)
    expect(m.get(raw)).toBeUndefined()
  })

  it('keeps no view of the CID bytes it was given', () => {
    const m = new CidMap<number>()
    const cid = shaCid(CODEC_RAW, 9, 2)
    const copy = cidFromBytes(cid.bytes.slice())
    m.add(cid, 1)
    cid.bytes.fill(0) // the caller's buffer changes: the mapping does not
    expect(m.get(copy)).toBe(1)
  })
})

describe('BlockCache', () => {
  it('caches verified blocks by CID or digest, each once, and drops the oldest first past its bound', () => {
    const cache = new BlockCache(1000) // blocks over 250 bytes are not cached
    const cids = Array.from({ length: 6 }, (_, i) => shaCid(i % 2 === 0 ? CODEC_DAG_CBOR : CODEC_RAW, i, i))
    const blocks = cids.map((_, i) => new Uint8Array(200).fill(i))
    cache.set(cids[0], blocks[0])
    cache.setVerified(cids[1].bytes.slice(4), true, blocks[1])
    cache.setVerified(cids[2].bytes.slice(4), false, blocks[2])
    cache.set(cids[2], new Uint8Array(10)) // cached already: the first block stays
    expect(cache.get(cids[2])).toBe(blocks[2])
    expect(cache.get(cids[1])).toBe(blocks[1])
    cache.set(cids[3], blocks[3])
    cache.set(cids[4], blocks[4]) // 1000 bytes: at the bound, nothing dropped
    expect(cids.slice(0, 5).map((c) => cache.get(c))).toEqual(blocks.slice(0, 5))
    cache.set(cids[5], blocks[5]) // 1200 bytes: the oldest goes
    expect(cache.get(cids[0])).toBeUndefined()
    expect(cids.slice(1).map((c) => cache.get(c))).toEqual(blocks.slice(1))
    cache.set(cids[0], new Uint8Array(251)) // over a quarter of the bound: not cached
    expect(cache.get(cids[0])).toBeUndefined()
    cache.set(cids[0], blocks[0]) // back, and the next oldest goes
    expect(cache.get(cids[1])).toBeUndefined()
    expect(cache.get(cids[0])).toBe(blocks[0])
  })

  it('stays bounded over many blocks', () => {
    const cache = new BlockCache(10_000)
    const block = new Uint8Array(100)
    for (let i = 0; i < 5000; i++) cache.set(shaCid(CODEC_DAG_CBOR, i, i), block)
    let held = 0
    for (let i = 0; i < 5000; i++) if (cache.get(shaCid(CODEC_DAG_CBOR, i, i)) !== undefined) held++
    expect(held).toBe(100)
    expect(cache.get(shaCid(CODEC_DAG_CBOR, 4999, 4999))).toBe(block)
    expect(cache.get(shaCid(CODEC_DAG_CBOR, 4899, 4899))).toBeUndefined()
  })
})
