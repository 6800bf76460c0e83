// The chunk helpers' choice of secretbox (web/worker/chunk-secretbox.ts), run in Node whose V8 runs
// WebAssembly SIMD as Chromium does: it picks our SIMD wasm box, and chunks sealed through it are
// the model's encryptFileChunk bytes for every size from inline to a whole 5 MiB chunk (its memory
// grown as sizes change), open back, and refuse a wrong key; each call is measured by kind.
import { beforeAll, describe, expect, it } from 'vitest'
import { asyncHashChunkCrypto, inThreadChunkCrypto, type AsyncSha256, type ChunkCrypto } from '../../src/client/chunk-crypto.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, equalBytes } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { sha256BatId } from '../../src/model/bat-id.ts'
import { randomBat } from '../../src/model/bat.ts'
import { fpctToCbor } from '../../src/model/fragmented-cipher-text.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { chunkSecretbox, measuredSecretbox } from '../../src/web/worker/chunk-secretbox.ts'
import { pattern } from '../daemon-fixture.ts'

const MiB = 1024 * 1024
/** Small, then large, then smaller again: the module's memory is grown and reused. */
const SIZES = [5000, MiB + 3, 4097, 5 * MiB, 3 * MiB - 1, 5 * MiB - 7, 10_000]

const webSha256: AsyncSha256 = async (bytes) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
const calls = (name: string): number => performance.getEntriesByName(name).length

describe("the chunk helpers' secretbox", () => {
  let c: CryptoProvider
  let inThread: ChunkCrypto
  let simd: ChunkCrypto
  const key = symmetricKey(new Uint8Array(32).fill(4))
  beforeAll(async () => {
    c = await createPortableCrypto()
    inThread = inThreadChunkCrypto(c)
    const { box, kind } = await chunkSecretbox(c)
    expect(kind).toBe('wasm-simd')
    simd = asyncHashChunkCrypto(c, webSha256, measuredSecretbox(box, kind))
  })

  it('is the SIMD wasm box, sealing to the bytes encryptFileChunk gives and opening them back', async () => {
    const mirrorBatId = sha256BatId(c, { secret: new Uint8Array(32).fill(8) })
    const before = calls('peergos:secretbox:wasm-simd')
    let boxed = 0
    for (const n of SIZES) {
      const plain = pattern(n, n)
      const opts = { mirrorBatId, nonce: c.randomBytes(24), fragmentBats: Array.from({ length: 6 }, () => randomBat(c)) }
      const want = await inThread.seal(key, plain, opts)
      const got = await simd.seal(key, plain, opts)
      if (got.fpct.inline === undefined) boxed++ // an inline chunk is sealed in-thread, as before
      expect(encodeCbor(fpctToCbor(got.fpct))).toEqual(encodeCbor(fpctToCbor(want.fpct)))
      expect(got.fragments.map((f) => cidToString(f.cid))).toEqual(want.fragments.map((f) => cidToString(f.cid)))
      got.fragments.forEach((f, i) => expect(equalBytes(f.data, want.fragments[i].data)).toBe(true))
      expect(equalBytes(got.plainHash, want.plainHash)).toBe(true)
      const blocks = want.fragments.map((f) => f.data)
      expect(equalBytes(await simd.open(want.fpct, key, blocks), plain)).toBe(true)
    }
    // one seal and one open per chunk past the inline limit went through it
    expect(boxed).toBeGreaterThanOrEqual(SIZES.length - 1)
    expect(calls('peergos:secretbox:wasm-simd')).toBe(before + 2 * boxed)
    expect(calls('peergos:secretbox:libsodium-heap')).toBe(0)
  }, 60_000)

  it('refuses a wrong key, then seals and opens on', async () => {
    const plain = pattern(2 * MiB + 77, 3)
    const { fpct, fragments } = await simd.seal(key, plain)
    const blocks = fragments.map((f) => f.data)
    await expect(simd.open(fpct, symmetricKey(new Uint8Array(32).fill(5)), blocks)).rejects.toMatchObject({ name: 'DecryptionFailedError' })
    expect(equalBytes(await simd.open(fpct, key, blocks), plain)).toBe(true)
    expect(equalBytes(await inThread.open(fpct, key, blocks), plain)).toBe(true)
  }, 60_000)
})
