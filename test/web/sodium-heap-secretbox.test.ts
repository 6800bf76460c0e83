// The chunk helpers' secretbox in libsodium's wasm memory (web/worker/sodium-heap-secretbox.ts),
// run in Node: chunks sealed through it are the model's encryptFileChunk bytes, byte for byte, for
// every size from inline to a whole 5 MiB chunk (its region grown and reused as sizes change), and
// open back; a wrong key or an altered block is refused by name, and the region keeps working after.
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
import { sodiumHeapAvailable, sodiumHeapSecretbox } from '../../src/web/worker/sodium-heap-secretbox.ts'
import { pattern } from '../daemon-fixture.ts'

const MiB = 1024 * 1024
/** Small, then large, then smaller again: the region is allocated, grown and reused. */
const SIZES = [5000, MiB + 3, 4097, 5 * MiB, 3 * MiB - 1, 5 * MiB - 7, 10_000]

const webSha256: AsyncSha256 = async (bytes) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))

describe('libsodium-heap secretbox for file chunks', () => {
  let c: CryptoProvider
  let inThread: ChunkCrypto
  let heap: ChunkCrypto
  const key = symmetricKey(new Uint8Array(32).fill(4))
  beforeAll(async () => {
    c = await createPortableCrypto()
    inThread = inThreadChunkCrypto(c)
    heap = asyncHashChunkCrypto(c, webSha256, sodiumHeapSecretbox(c))
  })

  it('seals to the bytes encryptFileChunk gives and opens them back', async () => {
    expect(sodiumHeapAvailable()).toBe(true) // the heap path itself, not its fallback
    const mirrorBatId = sha256BatId(c, { secret: new Uint8Array(32).fill(8) })
    for (const n of SIZES) {
      const plain = pattern(n, n)
      const opts = { mirrorBatId, nonce: c.randomBytes(24), fragmentBats: Array.from({ length: 6 }, () => randomBat(c)) }
      const want = await inThread.seal(key, plain, opts)
      const got = await heap.seal(key, plain, opts)
      expect(encodeCbor(fpctToCbor(got.fpct))).toEqual(encodeCbor(fpctToCbor(want.fpct)))
      expect(got.fragments.map((f) => cidToString(f.cid))).toEqual(want.fragments.map((f) => cidToString(f.cid)))
      got.fragments.forEach((f, i) => expect(equalBytes(f.data, want.fragments[i].data)).toBe(true))
      expect(equalBytes(got.plainHash, want.plainHash)).toBe(true)
      const blocks = got.fragments.map((f) => f.data)
      expect(equalBytes(await heap.open(got.fpct, key, blocks), plain)).toBe(true)
      expect(equalBytes(await inThread.open(got.fpct, key, blocks), plain)).toBe(true)
    }
  }, 60_000)

  it('refuses a wrong key and an altered block, then seals and opens on', async () => {
    const plain = pattern(2 * MiB + 77, 3)
    const { fpct, fragments } = await heap.seal(key, plain)
    const blocks = fragments.map((f) => f.data)
    await expect(heap.open(fpct, symmetricKey(new Uint8Array(32).fill(5)), blocks)).rejects.toMatchObject({ name: 'DecryptionFailedError' })
    const altered = blocks.map((b) => b.slice())
    altered[1][100] ^= 0x80
    await expect(heap.open(fpct, key, altered)).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
    expect(equalBytes(await heap.open(fpct, key, blocks), plain)).toBe(true)
    const again = await heap.seal(key, plain)
    expect(equalBytes(await inThread.open(again.fpct, key, again.fragments.map((f) => f.data)), plain)).toBe(true)
  }, 60_000)
})
