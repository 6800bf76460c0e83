// The /p2p/<peer-id>/http/<path> proxy: daemon A's gateway reaches daemon B's whole API over
// libp2p (PKI, a signup, 1 MiB fragments written and read back: Peergos' largeP2pWrites), serves
// its own peer id locally, and answers every failure in Peergos' convention (Trailer, class header)
// while staying up; body limit, concurrency limit and timeout on an in-process gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidToString } from '../../../src/codec/cid.ts'
import { ERROR_CLASS_HEADER } from '../../../src/http/errors.ts'
import { javaUrlDecode } from '../../../src/http/url-encoding.ts'
import { randomBat } from '../../../src/model/bat.ts'
import { calculateBatId } from '../../../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../../../src/model/bat-prefix.ts'
import { concatBytes } from '../../../src/model/bytes.ts'
import { MAX_FRAGMENT_SIZE } from '../../../src/model/fragmented-cipher-text.ts'
import { PeerUnreachableError } from '../../../src/server/p2p/errors.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { signBlock, uniqueName } from '../services/storage-fixtures.ts'
import { freshIdentity, httpCall, servicesVia, sha256Hex, startTestDaemon, type TestDaemon } from './fixtures.ts'

const MiB = 1024 * 1024

describe('the p2p gateway between two daemons', () => {
  let a: TestDaemon
  let b: TestDaemon

  beforeAll(async () => {
    b = await startTestDaemon()
    a = await startTestDaemon(['--bootstrap', b.p2p.node!.multiaddrs()[0]])
    await a.p2p.node!.ready()
  })
  afterAll(async () => {
    await a?.dispose()
    await b?.dispose()
  })

  it("reaches B's storage and PKI: id and a user's claim chain", async () => {
    const viaA = servicesVia(a, b.identity.id)
    expect(cidToString(await viaA.storage.id())).toBe(cidToString(b.identity.id))
    const user = await RemoteUser.signUp(servicesVia(b), uniqueName('pki'))
    const chain = await viaA.coreNode.getChain(user.username)
    expect(chain).toHaveLength(1)
    expect(chain[0].owner.equals(user.owner)).toBe(true)
    // A's own PKI does not know the user: the answer came from B.
    expect(await servicesVia(a).coreNode.getChain(user.username)).toEqual([])
  })

  it('signs a user up on B through A and writes and reads 2 MiB of fragments (largeP2pWrites)', async () => {
    const viaA = servicesVia(a, b.identity.id)
    const user = await RemoteUser.signUp(viaA, uniqueName('large'))
    const c = a.crypto
    const mirrorBatId = calculateBatId(c, randomBat(c))
    const fragments = Array.from({ length: 2 }, () => {
      const bat = randomBat(c)
      return { data: concatBytes(createRawBlockPrefix(bat, mirrorBatId), c.randomBytes(MAX_FRAGMENT_SIZE)), bat: { bat, id: calculateBatId(c, bat) } }
    })
    const tid = await viaA.storage.startTransaction(user.owner)
    const cids = []
    for (const f of fragments) cids.push(...(await viaA.storage.put(user.owner, user.owner, [signBlock(c, user.identity.signer, f.data)], [f.data], tid, true)))
    await viaA.storage.closeTransaction(user.owner, tid)
    for (const [i, f] of fragments.entries()) {
      expect(sha256Hex((await viaA.storage.get(user.owner, cids[i], f.bat))!)).toBe(sha256Hex(f.data))
      // The block is stored on B, not on A.
      expect(sha256Hex((await servicesVia(b).storage.get(user.owner, cids[i], f.bat))!)).toBe(sha256Hex(f.data))
      expect(await a.blocks.has(cids[i])).toBe(false)
    }
  })

  it('serves its own peer id locally', async () => {
    for (const id of [a.identity.peerIdString, cidToString(a.identity.id)]) {
      const r = await httpCall(a.url, `/p2p/${id}/http/api/v0/id`)
      expect(r.status).toBe(200)
      expect(JSON.parse(r.body.toString())).toEqual({ ID: cidToString(a.identity.id) })
    }
  })

  it('answers bad paths with 400 and the message in Trailer, and non-POST with 403', async () => {
    const bad = await httpCall(a.url, '/p2p/not-a-peer/http/api/v0/id')
    expect(bad.status).toBe(400)
    expect(javaUrlDecode(String(bad.headers.trailer))).toBe('Invalid peer id in p2p path')
    expect(bad.headers[ERROR_CLASS_HEADER.toLowerCase()]).toBe('InvalidP2pPathError')
    const noHttp = await httpCall(a.url, `/p2p/${b.identity.peerIdString}/api/v0/id`)
    expect(noHttp.status).toBe(400)
    expect(javaUrlDecode(String(noHttp.headers.trailer))).toBe('Expecting path to be a http request')
    const get = await httpCall(a.url, `/p2p/${b.identity.peerIdString}/http/api/v0/id`, { method: 'GET' })
    expect(get.status).toBe(403)
  })

  it('fails with PeerUnreachableError for a peer it cannot reach', async () => {
    const stranger = await freshIdentity()
    await expect(servicesVia(a, stranger.id).storage.id()).rejects.toThrow(PeerUnreachableError)
  })

  it("relays B's own errors untouched (B's route body limit) and stays up", async () => {
    const r = await httpCall(a.url, `/p2p/${b.identity.peerIdString}/http/api/v0/block/put/bulk`, { body: new Uint8Array(3 * MiB) })
    expect(r.status).toBe(413)
    expect(r.headers[ERROR_CLASS_HEADER.toLowerCase()]).toBe('BodyTooLargeError')
    expect(cidToString(await servicesVia(a, b.identity.id).storage.id())).toBe(cidToString(b.identity.id))
  })

  it('refuses a body over --max-body unread with 413 and stays up', async () => {
    const r = await httpCall(a.url, `/p2p/${b.identity.peerIdString}/http/api/v0/block/put/bulk`, { body: new Uint8Array(9 * MiB) })
    expect(r.status).toBe(413)
    expect(javaUrlDecode(String(r.headers.trailer))).toMatch(/exceeds maximum size of 8388608 bytes/)
    expect(cidToString(await servicesVia(a, b.identity.id).storage.id())).toBe(cidToString(b.identity.id))
  })

  it('never proxies a request that arrived over p2p', async () => {
    // B asked, through A's gateway, to proxy on to A itself: B's /p2p/ path is no route over /http.
    const r = await httpCall(a.url, `/p2p/${b.identity.peerIdString}/http/p2p/${a.identity.peerIdString}/http/api/v0/id`)
    expect(r.status).toBe(404)
  })
})
