// The upload's buffers: the in-thread sealer (wasm secretbox in its own memory for large chunks) gives
// the model's encryptFileChunk bytes for every size; fragment buffers are given back once each
// chunk's put completed and reused, and against a real daemon over HTTP, files of several chunks
// written one after another and two at once all read back byte for byte, so a reused buffer never
// carries another chunk's bytes or envelope.
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
import { fpctToCbor, hasRoomAround } from '../../src/model/fragmented-cipher-text.ts'
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
