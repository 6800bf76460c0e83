// ChunkCrypto (client/chunk-crypto.ts): sealing with the large hashes done by an async SHA-256
// (WebCrypto, as the web client's chunk helpers do) gives the model's encryptFileChunk bytes,
// byte for byte, on both providers and across the inline / fragment boundaries; opening gives the
// chunk back, and refuses swapped, altered or missing blocks and a wrong key by name. A registered
// ChunkCrypto is what uploads and downloads through a daemon use, and files written with one are
// read by the in-thread path and the other way round.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asyncHashChunkCrypto, chunkCryptoOf, inThreadChunkCrypto, useChunkCrypto, type AsyncSha256, type ChunkCrypto } from '../../src/client/chunk-crypto.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { asBytes } from '../../src/codec/cbor-read.ts'
import { cidToString, equalBytes } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { sha256BatId } from '../../src/model/bat-id.ts'
import { randomBat } from '../../src/model/bat.ts'
import { decryptFpctCbor, fpctToCbor, hasRoomAround, type FragmentBlock } from '../../src/model/fragmented-cipher-text.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const MiB = 1024 * 1024
/** Around the inline limit (4102 padded bytes), fragment boundaries and a whole 5 MiB chunk. */
const SIZES = [0, 1, 4090, 4091, 4096, 4097, 4100, 10_000, MiB - 40, MiB, 3 * MiB + 17, 5 * MiB - 1, 5 * MiB]

const webSha256: AsyncSha256 = async (bytes) => new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))

function expectSameSeal(a: { fpct: unknown; fragments: FragmentBlock[]; plainHash: Uint8Array }, b: typeof a): void {
  expect(encodeCbor(fpctToCbor(a.fpct as never))).toEqual(encodeCbor(fpctToCbor(b.fpct as never)))
  expect(a.fragments.map((f) => cidToString(f.cid))).toEqual(b.fragments.map((f) => cidToString(f.cid)))
  a.fragments.forEach((f, i) => expect(equalBytes(f.data, b.fragments[i].data)).toBe(true))
  expect(equalBytes(a.plainHash, b.plainHash)).toBe(true)
}

describe.each([['node', createNodeCrypto], ['portable', createPortableCrypto]] as const)('async-hash ChunkCrypto (%s provider)', (_name, create) => {
  let c: CryptoProvider
  let inThread: ChunkCrypto
  let asyncHash: ChunkCrypto
  const key = symmetricKey(new Uint8Array(32).fill(9))
  beforeAll(async () => {
    c = await create()
    inThread = inThreadChunkCrypto(c)
    asyncHash = asyncHashChunkCrypto(c, webSha256)
  })

  it('seals every size to the same FPCT, fragments and plaintext hash as encryptFileChunk', async () => {
    const mirrorBatId = sha256BatId(c, { secret: new Uint8Array(32).fill(3) })
    for (const n of SIZES) {
      const plain = pattern(n, n + 1)
      const opts = { mirrorBatId, nonce: c.randomBytes(24), fragmentBats: Array.from({ length: 6 }, () => randomBat(c)) }
      const want = await inThread.seal(key, plain, opts)
      const got = await asyncHash.seal(key, plain, opts)
      expectSameSeal(got, want)
      for (const f of got.fragments) expect(hasRoomAround(f.data)).toBe(true) // block/put/bulk writes its envelope in place
      expect(sha256Hex(got.plainHash)).toBe(sha256Hex(c.sha256(plain)))
      expect(sha256Hex(plain)).toBe(sha256Hex(pattern(n, n + 1))) // the input is only read
    }
  }, 60_000)

  it('opens what either sealed to the chunk, as the model reads it', async () => {
    for (const n of SIZES) {
      const plain = pattern(n, 2 * n + 5)
      const sealed = await asyncHash.seal(key, plain)
      const blocks = sealed.fragments.map((f) => f.data)
      expect(equalBytes(await asyncHash.open(sealed.fpct, key, blocks), plain)).toBe(true)
      expect(equalBytes(await inThread.open(sealed.fpct, key, blocks), plain)).toBe(true)
      const byModel = await decryptFpctCbor(c, sealed.fpct, key, async (cid) => blocks[sealed.fpct.fragments.findIndex((f) => f.equals(cid))])
      expect(equalBytes(asBytes(byModel, 'chunk'), plain)).toBe(true)
    }
  }, 60_000)

  it('refuses swapped or altered blocks, a missing one and a wrong key', async () => {
    const plain = pattern(3 * MiB, 11)
    const { fpct, fragments } = await asyncHash.seal(key, plain)
    const blocks = fragments.map((f) => f.data)
    await expect(asyncHash.open(fpct, key, [blocks[1], blocks[0], ...blocks.slice(2)])).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
    const altered = blocks.map((b) => b.slice())
    altered[2][500] ^= 1
    await expect(asyncHash.open(fpct, key, altered)).rejects.toMatchObject({ name: 'BlockHashMismatchError' })
    await expect(asyncHash.open(fpct, key, blocks.slice(1))).rejects.toMatchObject({ name: 'InvalidObjectError' })
    await expect(asyncHash.open(fpct, symmetricKey(new Uint8Array(32).fill(1)), blocks)).rejects.toMatchObject({ name: 'DecryptionFailedError' })
    // the reused scratch buffer leaves nothing behind: the same chunk opens after the failures
    expect(equalBytes(await asyncHash.open(fpct, key, blocks), plain)).toBe(true)
  }, 60_000)
})

describe('a registered ChunkCrypto through a daemon', () => {
  let env: TestDaemon
  let net: NetworkAccess
  const calls = { seal: 0, open: 0 }
  beforeAll(async () => {
    env = await startTestDaemon()
    net = env.net
  }, 120_000)
  afterAll(async () => {
    useChunkCrypto(net.crypto, undefined)
    await env?.close()
  })

  it('uploads and downloads through it, and the in-thread path reads the same files both ways', async () => {
    const alice = await UserContext.signUp(net, 'chunker', 'a long and unusual password')
    const inThread = pattern(11 * MiB + 123, 5)
    await alice.fs.writeFile('/chunker/in-thread.bin', inThread)

    const hashed = asyncHashChunkCrypto(net.crypto, webSha256)
    useChunkCrypto(net.crypto, {
      seal: (k, p, o) => { calls.seal++; return hashed.seal(k, p, o) },
      open: (f, k, b) => { calls.open++; return hashed.open(f, k, b) },
    })
    expect(chunkCryptoOf(net.crypto)).toBeDefined()
    const viaHook = pattern(13 * MiB + 7, 6)
    await alice.fs.writeFile('/chunker/hooked.bin', viaHook)
    expect(calls.seal).toBe(3)
    expect(sha256Hex(await alice.fs.readFileBytes('/chunker/in-thread.bin'))).toBe(sha256Hex(inThread))
    expect(calls.open).toBeGreaterThanOrEqual(3)

    useChunkCrypto(net.crypto, undefined)
    expect(chunkCryptoOf(net.crypto)).toBeUndefined()
    const opens = calls.open
    expect(sha256Hex(await alice.fs.readFileBytes('/chunker/hooked.bin'))).toBe(sha256Hex(viaHook))
    const middle = await alice.fs.readFileBytes('/chunker/hooked.bin', { offset: 5 * MiB - 10, length: 20 })
    expect(equalBytes(middle, viaHook.subarray(5 * MiB - 10, 5 * MiB + 10))).toBe(true)
    expect(calls.open).toBe(opens)
    await alice.close()
  }, 120_000)
  it('reads chunks through fetchAndOpen where it fetches them, and fetches and opens them itself where it answers undefined', async () => {
    const bob = await UserContext.signUp(net, 'fetcher', 'another long and unusual password')
    const data = pattern(12 * MiB + 99, 7)
    await bob.fs.writeFile('/fetcher/f.bin', data)
    const hashed = asyncHashChunkCrypto(net.crypto, webSha256)
    const seen = { fetchAndOpen: 0, declined: 0, open: 0 }
    useChunkCrypto(net.crypto, {
      seal: (k, p, o) => hashed.seal(k, p, o),
      open: (f, k, b) => { seen.open++; return hashed.open(f, k, b) },
      async fetchAndOpen(owner, fpct, key) {
        // every other chunk declined: the reader fetches those blocks and calls open
        if (seen.fetchAndOpen++ % 2 === 0) {
          seen.declined++
          return undefined
        }
        const blocks = await Promise.all(fpct.fragments.map(async (cid, i) => (await net.storage.get(owner, cid, fpct.bats[i]))!))
        return hashed.open(fpct, key, blocks)
      },
    })
    try {
      expect(sha256Hex(await bob.fs.readFileBytes('/fetcher/f.bin'))).toBe(sha256Hex(data))
    } finally {
      useChunkCrypto(net.crypto, undefined)
    }
    expect(seen.fetchAndOpen).toBe(3)
    expect(seen.open).toBe(seen.declined)
    expect(seen.declined).toBe(2)
    await bob.close()
  }, 120_000)
})
