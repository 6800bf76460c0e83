// Block-write bodies in shared memory, as the daemon reads them (BufferPool { aligned, shared }, placed by
// firstBlockOffset): here every body goes to the pool (minSize 1), so the whole storage conformance suite
// runs with request bytes that sodium-native cannot read and WebCrypto refuses; the service copies out
// what is not a fragment, and fragments are hashed and written in place by the fragment workers. Then a
// 1 MiB fragment over HTTP, stored from the shared body, and one whose signature does not match.
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createApiHandler } from '../../../src/http/router.ts'
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster } from '../../../src/http/poster.ts'
import { MAX_BULK_PUT_BODY } from '../../../src/http/routes/storage.ts'
import { InvalidSignatureError } from '../../../src/crypto/errors.ts'
import { fragmentWorkers } from '../../../src/server/blocks/fragment-workers.ts'
import { BufferPool } from '../../../src/server/buffer-pool.ts'
import { readBody } from '../../../src/server/http/body.ts'
import { firstBlockOffset } from '../../../src/server/http/block-write-alignment.ts'
import { startHttpServer } from '../../../src/server/http/node-server.ts'
import { registerServerWireErrors } from '../../../src/server/http/wire-errors.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import type { ConformanceBundle } from '../../conformance/bundle.ts'
import { runContentAddressedStorageSuite } from '../../conformance/content-addressed-storage.suite.ts'
import { openLocalBundle, type LocalBundle } from '../services/local-bundle.ts'
import { TestUser, signBlock, uniqueName } from '../services/storage-fixtures.ts'

interface SharedBodiesServer extends ConformanceBundle {
  readonly local: LocalBundle
  readonly pool: BufferPool
}

async function overSharedBodies(): Promise<SharedBodiesServer> {
  registerServerWireErrors()
  const local = await openLocalBundle()
  const pool = new BufferPool({ bufferSize: MAX_BULK_PUT_BODY, maxFree: 8, minSize: 1, aligned: true, shared: true })
  const server = await startHttpServer(createApiHandler({ storage: local.storage, pointers: local.pointers }), { bodyPool: pool, alignBody: firstBlockOffset })
  const clients = httpNetworkServices(new FetchPoster(server.url))
  return {
    local,
    pool,
    crypto: local.crypto,
    storage: clients.storage,
    pointers: clients.pointers,
    registerUser: (username, identity) => local.registerUser(username, identity),
    setQuota: local.setQuota.bind(local),
    addMirrorBat: local.addMirrorBat.bind(local),
    clientSplitsPuts: true,
    async close() {
      await server.close(100)
      await local.close()
    },
  }
}

runContentAddressedStorageSuite('HTTP with bodies in shared memory → local', overSharedBodies)

describe('a body read into shared memory', () => {
  it('holds exactly the bytes sent, whatever the offsets of its chunks (copied in by memcpy, not by relaxed atomic stores)', async () => {
    const pool = new BufferPool({ bufferSize: 300_000, maxFree: 8, minSize: 1, aligned: true, shared: true })
    const bytes = Buffer.from(Array.from({ length: 250_000 }, (_, i) => (i * 13 + (i >> 8)) & 0xff))
    // Chunks of odd sizes, each in a buffer of its own at an odd offset, and one large chunk.
    const cuts = [0, 3, 70_001, 70_010, 135_547, 250_000]
    const chunks = cuts.slice(1).map((end, i) => {
      const own = Buffer.alloc(end - cuts[i] + 5)
      bytes.copy(own, i % 5, cuts[i], end)
      return own.subarray(i % 5, i % 5 + end - cuts[i])
    })
    for (const headers of [{ 'content-length': String(bytes.length) }, {}] as Array<Record<string, string>>) {
      for (const alignAt of [undefined, (): number => 9]) {
        const req = Object.assign(Readable.from(chunks), { headers }) as unknown as IncomingMessage
        const r = await readBody(req, 300_000, pool, alignAt)
        expect(r.ok).toBe(true)
        if (!r.ok) return
        expect(r.body.buffer).toBeInstanceOf(SharedArrayBuffer)
        expect(Buffer.from(r.body).equals(bytes)).toBe(true)
        pool.release(r.body)
      }
    }
  })
})

describe('a fragment in a shared body', () => {
  it('is hashed and written by the fragment workers from the body itself, and served whole', async () => {
    const b = await overSharedBodies()
    try {
      const user = await TestUser.create(b, uniqueName('shared'))
      const fragment = b.crypto.randomBytes(MAX_BLOCK_SIZE)
      const [cid] = await user.put(user.identity.signer, [fragment], true)
      expect(b.pool.freeCount).toBeGreaterThan(0) // the body was leased from the shared pool, and given back
      // A single fragment is hashed by the writing worker in its write's own message (fragment-workers.test.ts has the mismatch).
      expect(fragmentWorkers('writing').workerCount).toBeGreaterThan(0)
      expect(Buffer.from((await b.local.storage.get(user.owner, cid))!).equals(Buffer.from(fragment))).toBe(true)
    } finally {
      await b.close()
    }
  })

  it('whose signature signs other bytes is refused, and nothing is stored', async () => {
    const b = await overSharedBodies()
    try {
      const user = await TestUser.create(b, uniqueName('shared'))
      const fragment = b.crypto.randomBytes(MAX_BLOCK_SIZE)
      const signature = signBlock(b.crypto, user.identity.signer, b.crypto.randomBytes(MAX_BLOCK_SIZE))
      const tid = await b.storage.startTransaction(user.owner)
      await expect(b.storage.put(user.owner, user.owner, [signature], [fragment], tid, true)).rejects.toBeInstanceOf(InvalidSignatureError)
      const blocks: string[] = []
      for await (const e of b.local.blocks.entries()) if (e.cid.code === 0x55) blocks.push(e.cid.toString())
      expect(blocks).toEqual([])
    } finally {
      await b.close()
    }
  })
})
