// FragmentedPaddedCipherText (reference §0.4): every cbor.json case (0, 5, 4090, 4096, 4097 and
// 2 MiB+1 bytes) rebuilt byte for byte with the vector's nonce and fragment BATs, on both crypto
// providers; decryption through a fragment fetcher; strict handling of untrusted structures and blocks.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { asBytes } from '../../src/codec/cbor-read.ts'
import { blockCid, cidToString, equalBytes, parseCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { sha256BatId } from '../../src/model/bat-id.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import {
  buildFpct, buildFpctCbor, decryptFpct, decryptFpctCbor, fpctFromCbor, fpctToCbor, MAX_BLOCK_SIZE, type FragmentBlock, type FragmentFetcher,
} from '../../src/model/fragmented-cipher-text.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { fuzzCborDecoder, fuzzCborDecoderAsync } from './cbor-mutations.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrorsAsync, untrustedBytes } from './fuzz.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

const CASES: Array<[number, any]> = haveVectors ? loadVector('cbor.json').FragmentedPaddedCipherText.cases.map((v: any) => [v.plaintextSize, v]) : []

function plaintextOf(v: any): Uint8Array {
  if (v.plaintext !== null) return hex(v.plaintext)
  const p = new Uint8Array(v.plaintextSize)
  for (let i = 0; i < p.length; i++) p[i] = i % 251
  return p
}

function fetcherOf(blocks: readonly FragmentBlock[]): FragmentFetcher {
  const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.data]))
  return async (cid: CID) => {
    const data = byCid.get(cid.toString())
    if (data === undefined) throw new InvalidObjectError(`no block ${cid}`)
    return data
  }
}

/** Padded length Peergos uses for raw plaintext (see the vectors README: 4097 → 4102). */
function expectedPadded(n: number): number {
  return n <= 4096 ? Math.ceil(n / 4096) * 4096 : Math.ceil((n - 6) / 4096) * 4096 + 6
}

describe.each([['node', createNodeCrypto], ['portable', createPortableCrypto]] as const)('FPCT vectors (%s provider)', (_name, create) => {
  let c: CryptoProvider
  beforeAll(async () => { c = await create() })

  describeVectors.each(CASES)('plaintext of %i bytes', (size, v) => {
    it('rebuilds the FPCT CBOR and every fragment block byte for byte', () => {
      const vector = fpctFromCbor(decodeCbor(hex(v.fpctCbor)))
      const { fpct, fragments } = buildFpct(c, symmetricKey(hex(v.key)), plaintextOf(v), {
        nonce: vector.nonce, mirrorBatId: parseCid(v.mirrorBatId), fragmentBats: vector.bats.map((b) => b.bat),
      })
      expect(toHex(encodeCbor(fpctToCbor(fpct)))).toBe(v.fpctCbor)
      expect(fpct.inline !== undefined).toBe(v.inline)
      expect(fragments).toHaveLength(v.fragments.length)
      fragments.forEach((f, i) => {
        const want = v.fragments[i]
        expect(cidToString(f.cid)).toBe(want.cid)
        expect(f.data.length).toBe(want.size)
        expect(f.data.length).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
        expect(toHex(c.sha256(f.data))).toBe(want.sha256)
        expect(toHex(f.data.subarray(0, want.prefixHex.length / 2))).toBe(want.prefixHex)
        if (want.data !== null && want.data !== undefined) expect(toHex(f.data)).toBe(want.data)
      })
      expect(toHex(encodeCbor(fpctToCbor(vector)))).toBe(v.fpctCbor)
      if (size > 4096 + 6) expect(vector.header).toHaveLength(22)
    })

    it('decrypts through the fragment fetcher to the zero-padded plaintext', async () => {
      const vector = fpctFromCbor(decodeCbor(hex(v.fpctCbor)))
      const { fragments } = buildFpct(c, symmetricKey(hex(v.key)), plaintextOf(v), {
        nonce: vector.nonce, mirrorBatId: parseCid(v.mirrorBatId), fragmentBats: vector.bats.map((b) => b.bat),
      })
      const padded = await decryptFpct(c, vector, symmetricKey(hex(v.key)), fetcherOf(fragments))
      expect(padded.length).toBe(expectedPadded(size))
      const plain = plaintextOf(v)
      expect(equalBytes(padded.subarray(0, size), plain)).toBe(true)
      expect(padded.subarray(size).every((b) => b === 0)).toBe(true)
    })
  })
})

describe('FPCT build and decrypt', () => {
  let c: CryptoProvider
  beforeAll(async () => { c = await createNodeCrypto() })
  const key = symmetricKey(new Uint8Array(32).fill(7))

  it('round-trips CBOR values of many sizes, splitting into ≤ 1 MiB fragments with BATs', async () => {
    const mirror = sha256BatId(c, { secret: new Uint8Array(32).fill(1) })
    for (const n of [0, 1, 4090, 4096, 4097, 10_000, 1_048_576, 1_048_576 * 3 + 17]) {
      const value = new Uint8Array(n).fill(n & 0xff)
      const { fpct, fragments } = buildFpctCbor(c, key, value, { mirrorBatId: mirror })
      expect(fpct.bats).toHaveLength(fragments.length)
      for (const f of fragments) {
        expect(f.data.length).toBeLessThanOrEqual(MAX_BLOCK_SIZE)
        expect(blockCid(c, f.data, true).equals(f.cid)).toBe(true)
      }
      const back = fpctFromCbor(decodeCbor(encodeCbor(fpctToCbor(fpct))))
      expect(equalBytes(asBytes(await decryptFpctCbor(c, back, key, fetcherOf(fragments)), 'value'), value)).toBe(true)
    }
  })

  it('seals a byte string as the generic CBOR path does, also right after a larger one (the reused padding buffer)', () => {
    const nonce = new Uint8Array(24).fill(3)
    const fragmentBats = Array.from({ length: 8 }, (_, i) => ({ secret: new Uint8Array(32).fill(i + 1) }))
    // descending sizes, 0xff bytes: a stale byte of the chunk before would show in the padding
    for (const n of [5 * 1_048_576, 1_048_576 * 3 + 17, 200_000, 70_000, 65_530, 5000]) {
      const value = new Uint8Array(n).fill(0xff)
      const fast = buildFpctCbor(c, key, value, { nonce, fragmentBats })
      const generic = buildFpct(c, key, encodeCbor(value), { nonce, fragmentBats })
      expect(toHex(encodeCbor(fpctToCbor(fast.fpct)))).toBe(toHex(encodeCbor(fpctToCbor(generic.fpct))))
      expect(fast.fragments.map((f) => cidToString(f.cid))).toEqual(generic.fragments.map((f) => cidToString(f.cid)))
      fast.fragments.forEach((f, i) => expect(equalBytes(f.data, generic.fragments[i].data)).toBe(true))
    }
  })

  it('opens several large FPCTs at once, their fragments arriving interleaved (the reused assembly buffer)', async () => {
    const values = [5 * 1_048_576, 2 * 1_048_576 + 99, 300_000].map((n, i) => new Uint8Array(n).fill(0x11 * (i + 1)))
    const built = values.map((v) => buildFpctCbor(c, key, v))
    let tick = 0
    const slow = (f: FragmentFetcher): FragmentFetcher => async (cid, bat) => {
      for (let i = 0; i < ++tick % 5; i++) await new Promise((r) => setImmediate(r))
      return f(cid, bat)
    }
    const opened = await Promise.all(built.map((b) => decryptFpctCbor(c, b.fpct, key, slow(fetcherOf(b.fragments)))))
    opened.forEach((v, i) => expect(equalBytes(asBytes(v, 'value'), values[i])).toBe(true))
  })

  it('refuses fragments that do not hash to their link, oversized blocks and too many fragments', async () => {
    const { fpct, fragments } = buildFpctCbor(c, key, new Uint8Array(20_000), { maxFragmentSize: 4096 })
    expect(fragments.length).toBe(5)
    const swapped: FragmentFetcher = async (cid) => (cid.equals(fragments[0].cid) ? fragments[1].data : fragments[0].data)
    await expect(decryptFpct(c, fpct, key, swapped)).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
    await expect(decryptFpct(c, fpct, key, async () => new Uint8Array(MAX_BLOCK_SIZE + 1))).rejects.toMatchObject({ name: 'InvalidObjectError' })
    await expect(decryptFpct(c, fpct, key, fetcherOf(fragments), { maxFragments: 4 })).rejects.toMatchObject({ name: 'InvalidObjectError' })
    await expect(decryptFpct(c, fpct, symmetricKey(new Uint8Array(32)), fetcherOf(fragments))).rejects.toMatchObject({ name: 'DecryptionFailedError' })
  })

  it('refuses structures Peergos cannot build: several inline values, BAT count mismatch', () => {
    const { fpct } = buildFpctCbor(c, key, new Uint8Array(20_000), { maxFragmentSize: 4096 })
    const m = fpctToCbor(fpct) as Map<string, CborValue>
    expect(() => fpctFromCbor(new Map([...m, ['f', [new Uint8Array(1), new Uint8Array(2)]]]))).toThrow(InvalidObjectError)
    expect(() => fpctFromCbor(new Map([...m, ['bats', (m.get('bats') as CborValue[]).slice(1)]]))).toThrow(InvalidObjectError)
    expect(() => fpctFromCbor(new Map([...m, ['n', new Uint8Array(23)]]))).toThrow(expect.objectContaining({ name: 'CborTypeError' }))
  })

  it('decodes untrusted FPCT structures only to values or PeergosErrors', () => {
    const inline = fpctToCbor(buildFpctCbor(c, key, new Uint8Array(10)).fpct)
    const split = fpctToCbor(buildFpctCbor(c, key, new Uint8Array(9000), { maxFragmentSize: 4096 }).fpct)
    fuzzDecoder((b) => fpctFromCbor(decodeCbor(b)), [encodeCbor(inline), encodeCbor(split)])
    fuzzCborDecoder(fpctFromCbor, [inline, split])
  })

  it('decrypts mutated structures and mutated (self-consistent) fragment blocks only to values or PeergosErrors', async () => {
    const { fpct, fragments } = buildFpctCbor(c, key, new Uint8Array(9000).fill(3), { maxFragmentSize: 4096 })
    const fetch = fetcherOf(fragments)
    await fuzzCborDecoderAsync((v) => decryptFpctCbor(c, fpctFromCbor(v), key, fetch), [fpctToCbor(fpct)], FUZZ_RUNS)
    await fc.assert(fc.asyncProperty(untrustedBytes(fragments.map((f) => f.data)), fc.nat({ max: fragments.length - 1 }), async (block, at) => {
      const blocks = fragments.map((f, i) => (i === at ? { cid: blockCid(c, block, true), data: block } : f))
      const forged = { ...fpct, fragments: blocks.map((b) => b.cid) }
      await onlyPeergosErrorsAsync(() => decryptFpctCbor(c, forged, key, fetcherOf(blocks)))
    }), { numRuns: FUZZ_RUNS })
  })
})
