// The upload's buffers: the in-thread sealer (wasm secretbox in its own memory for large chunks) gives
// the model's encryptFileChunk bytes for every size; fragment buffers are given back once each
// chunk's put completed and reused, and against a real daemon over HTTP, files of several chunks
// written one after another and two at once all read back byte for byte, so a reused buffer never
// carries another chunk's bytes or envelope. Downloads (over NodePoster): fragments land in pooled
// receive buffers given back once copied, chunks opened into a few reused plaintext buffers when the
// reader opts in; a reader that keeps its pieces gets stable bytes while reused reads run, and a
// fragment that fails its hash is refused and its buffer not given back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inThreadChunkCrypto } from '../../src/client/chunk-crypto.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, equalBytes } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { sha256BatId } from '../../src/model/bat-id.ts'
import { randomBat } from '../../src/model/bat.ts'
import { encryptFileChunk } from '../../src/model/cryptree-node.ts'
import { buildFpct, decryptFpct, fpctToCbor, hasRoomAround, MAX_POOLED_RECEIVE_BUFFERS, pooledReceiveBuffers, receivedBlockBuffer } from '../../src/model/fragmented-cipher-text.ts'
import { concatBytes } from '../../src/model/bytes.ts'
import { BlockHashMismatchError } from '../../src/codec/errors.ts'
import type { CID } from '../../src/codec/cid.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import { NodePoster } from '../../src/server/http/node-poster.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const MiB = 1024 * 1024

let env: TestDaemon
let user: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  user = await UserContext.signUp(env.net, 'bufalice', 'a long and unusual password')
  await user.fs.mkdir('/bufalice/t')
}, 120_000)
afterAll(async () => {
  await env?.close()
})

describe.each([['node', createNodeCrypto], ['portable', createPortableCrypto]] as const)('in-thread sealing (%s provider)', (_name, create) => {
  it('gives encryptFileChunk\'s FPCT, fragments and plaintext hash for every size, twice in a row', async () => {
    const c = await create()
    const sealer = inThreadChunkCrypto(c)
    const key = symmetricKey(new Uint8Array(32).fill(7))
    const mirrorBatId = sha256BatId(c, { secret: new Uint8Array(32).fill(3) })
    for (const n of [0, 1, 4090, 4091, 4096, 4097, 4100, 10_000, MiB - 40, MiB, 3 * MiB + 17, 5 * MiB - 1, 5 * MiB, 5 * MiB]) {
      const plain = pattern(n, n + 5)
      const random = { data: c.randomBytes(24), fragmentBats: Array.from({ length: 6 }, () => randomBat(c)) }
      const want = encryptFileChunk(c, key, plain, { mirrorBatId, random })
      const got = await sealer.seal(key, plain, { mirrorBatId, nonce: random.data, fragmentBats: random.fragmentBats })
      expect(encodeCbor(fpctToCbor(got.fpct))).toEqual(encodeCbor(fpctToCbor(want.fpct)))
      expect(got.fragments.map((f) => cidToString(f.cid))).toEqual(want.fragments.map((f) => cidToString(f.cid)))
      got.fragments.forEach((f, i) => {
        expect(equalBytes(f.data, want.fragments[i].data)).toBe(true)
        expect(hasRoomAround(f.data)).toBe(true)
      })
      expect(equalBytes(got.plainHash, c.sha256(plain))).toBe(true)
      expect(sha256Hex(plain)).toBe(sha256Hex(pattern(n, n + 5))) // the input is only read
    }
  }, 60_000)
})

describe('fragment buffers reused across chunks and files', () => {
  it('writes files of several chunks in a row and reads each back unchanged', async () => {
    const files = [pattern(16 * MiB + 7, 11), pattern(21 * MiB, 12), pattern(5 * MiB + 1, 13)]
    for (const [i, data] of files.entries()) await user.fs.writeFile(`/bufalice/t/seq${i}`, data)
    for (const [i, data] of files.entries()) expect(sha256Hex(await user.fs.readFileBytes(`/bufalice/t/seq${i}`))).toBe(sha256Hex(data))
  }, 120_000)

  it('writes two files at once, sharing the buffers, and both read back unchanged', async () => {
    const a = pattern(13 * MiB + 3, 21)
    const b = pattern(11 * MiB + 5, 22)
    await Promise.all([user.fs.writeFile('/bufalice/t/a', a), user.fs.writeFile('/bufalice/t/b', b)])
    expect(sha256Hex(await user.fs.readFileBytes('/bufalice/t/a'))).toBe(sha256Hex(a))
    expect(sha256Hex(await user.fs.readFileBytes('/bufalice/t/b'))).toBe(sha256Hex(b))
  }, 120_000)
})

describe('download buffers: fragments received into pooled buffers, chunks opened into reused plaintext', () => {
  let nodeUser: UserContext
  let poster: NodePoster
  const data = pattern(23 * MiB + 5, 31)
  beforeAll(async () => {
    poster = new NodePoster(env.daemon.url)
    nodeUser = await UserContext.signIn({ crypto: env.net.crypto, ...httpNetworkServices(poster) }, 'bufalice', 'a long and unusual password')
    await user.fs.writeFile('/bufalice/t/down', data)
  }, 120_000)
  afterAll(() => poster?.close())

  it('reads with reuse: every piece right while it is held, a few buffers in turn, the receive pool bounded', async () => {
    for (let round = 0; round < 2; round++) {
      let at = 0
      const buffers = new Set<ArrayBufferLike>()
      for await (const p of nodeUser.fs.readFile('/bufalice/t/down', { reuse: true })) {
        expect(equalBytes(p, data.subarray(at, at + p.length))).toBe(true)
        buffers.add(p.buffer)
        at += p.length
      }
      expect(at).toBe(data.length)
      expect(buffers.size).toBeLessThanOrEqual(4) // chunksAhead (2) + 2, for 5 chunks
      expect(pooledReceiveBuffers()).toBeGreaterThan(0)
      expect(pooledReceiveBuffers()).toBeLessThanOrEqual(MAX_POOLED_RECEIVE_BUFFERS)
    }
  }, 120_000)

  it('gives a reader that keeps its pieces (no reuse) stable bytes while reused reads run at the same time', async () => {
    const kept: Uint8Array[] = []
    const keep = (async () => {
      for await (const p of nodeUser.fs.readFile('/bufalice/t/down')) kept.push(p)
    })()
    const reused = [0, 1].map(async () => {
      let at = 0
      for await (const p of nodeUser.fs.readFile('/bufalice/t/down', { reuse: true, chunksAhead: 1 })) {
        expect(equalBytes(p, data.subarray(at, at + p.length))).toBe(true)
        at += p.length
      }
    })
    await Promise.all([keep, ...reused])
    for await (const _ of nodeUser.fs.readFile('/bufalice/t/down', { reuse: true })) void _ // and once more, afterwards
    expect(new Set(kept.map((p) => p.buffer)).size).toBe(kept.length)
    expect(sha256Hex(concatBytes(...kept))).toBe(sha256Hex(data))
  }, 120_000)
})

describe('decryptFpct with pooled blocks', () => {
  it('gives every block back once copied, opens into the given plaintext buffer, and refuses a block that fails its hash without giving it back', async () => {
    const crypto = await createNodeCrypto()
    const key = symmetricKey(crypto.randomBytes(32))
    const plain = pattern(3 * MiB + 100, 41)
    const { fpct, fragments } = buildFpct(crypto, key, plain)
    const byCid = new Map(fragments.map((f) => [cidToString(f.cid), f.data]))
    const fetchInto = (tamper: string | undefined) => async (cid: CID): Promise<Uint8Array> => {
      const block = byCid.get(cidToString(cid))!
      const into = receivedBlockBuffer().subarray(0, block.length)
      into.set(block)
      if (cidToString(cid) === tamper) into[into.length - 1] ^= 1
      return into
    }
    const released: Uint8Array[] = []
    const out = new Uint8Array(4 * MiB)
    const opened = await decryptFpct(crypto, fpct, key, fetchInto(undefined), { release: (b) => released.push(b), plainInto: () => out })
    expect(opened.buffer).toBe(out.buffer)
    expect(equalBytes(opened.subarray(0, plain.length), plain)).toBe(true)
    expect(released.length).toBe(fragments.length)
    released.length = 0
    const bad = cidToString(fragments[1].cid)
    const seen: Uint8Array[] = []
    const tampered = fetchInto(bad)
    await expect(decryptFpct(crypto, fpct, key, async (cid) => {
      const b = await tampered(cid)
      seen.push(b)
      return b
    }, { release: (b) => released.push(b), plainInto: () => out })).rejects.toThrow(BlockHashMismatchError)
    const badBlock = seen.find((b) => b[b.length - 1] !== byCid.get(bad)![b.length - 1])
    expect(badBlock).toBeDefined()
    expect(released.some((b) => b.buffer === badBlock!.buffer)).toBe(false)
  })
})
