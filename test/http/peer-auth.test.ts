// block/get with `auth=` (reference §7.6; Peergos StorageHandler block/get, BlockRequestAuthoriser): a
// BlockAuth counts only for the requester the transport vouches for (the router's `requester` option,
// set by the p2p layer); on plain HTTP `auth=` is ignored as Peergos does, and reads need `bat=`.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cidToString, type CID } from '../../src/codec/cid.ts'
import { HttpContentAddressedStorage } from '../../src/http/clients/storage.ts'
import { BadRequestError } from '../../src/http/errors.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { createApiHandler } from '../../src/http/router.ts'
import { javaUrlDecode } from '../../src/http/url-encoding.ts'
import { randomBat, type Bat } from '../../src/model/bat.ts'
import { batWithId, sha256BatId } from '../../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../../src/model/bat-prefix.ts'
import { awsDatetime, encodeBlockAuth, generateBlockAuth, type BlockAuth } from '../../src/model/block-auth.ts'
import { concatBytes } from '../../src/model/bytes.ts'
import { UnauthorisedError } from '../../src/services/errors.ts'
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/node-server.ts'
import { fakePeerId, openLocalBundle, type LocalBundle } from '../server/services/local-bundle.ts'
import { randomBlock, TestUser, uniqueName } from '../server/services/storage-fixtures.ts'

describe('block/get with a BlockAuth', () => {
  let b: LocalBundle
  let user: TestUser
  let bat: Bat
  let guarded: Uint8Array
  let cid: CID
  let open: CID
  let peer: CID
  /** A server whose transport says every request comes from `peer` (what the p2p layer will do per stream). */
  let p2p: RunningHttpServer
  let plain: RunningHttpServer
  let viaP2p: HttpContentAddressedStorage
  let viaHttp: HttpContentAddressedStorage

  const authFor = (requester: CID, at = new Date(), expirySeconds = 300): BlockAuth =>
    generateBlockAuth(b.crypto, bat, cid, requester, expirySeconds, awsDatetime(at), sha256BatId(b.crypto, bat))

  beforeAll(async () => {
    b = await openLocalBundle()
    user = await TestUser.create(b, uniqueName('peerauth'))
    bat = randomBat(b.crypto)
    guarded = concatBytes(createRawBlockPrefix(bat), randomBlock(b.crypto, 500))
    ;[cid, open] = await user.put(user.identity.signer, [guarded, randomBlock(b.crypto, 500)], true)
    peer = fakePeerId(b.crypto)
    p2p = await startHttpServer(createApiHandler({ storage: b.storage }, { requester: () => peer }))
    plain = await startHttpServer(createApiHandler({ storage: b.storage }))
    viaP2p = new HttpContentAddressedStorage(new FetchPoster(p2p.url))
    viaHttp = new HttpContentAddressedStorage(new FetchPoster(plain.url))
  })
  afterAll(async () => {
    await p2p?.close(100)
    await plain?.close(100)
    await b?.close()
  })

  it('serves a guarded block for a fresh auth bound to the requesting peer', async () => {
    expect(await viaP2p.get(user.owner, cid, undefined, { auth: authFor(peer), requester: peer })).toEqual(guarded)
    // The requester travelling with the call is not sent: only the transport's word counts.
    expect(await viaP2p.get(user.owner, cid, undefined, { auth: authFor(peer), requester: fakePeerId(b.crypto) })).toEqual(guarded)
  })

  it("refuses another node's auth (replay) and an expired one, as the local service does", async () => {
    const other = fakePeerId(b.crypto)
    const replayed = { auth: authFor(other), requester: other }
    await expect(viaP2p.get(user.owner, cid, undefined, replayed)).rejects.toBeInstanceOf(UnauthorisedError)
    await expect(b.storage.get(user.owner, cid, undefined, { auth: authFor(other), requester: peer })).rejects.toBeInstanceOf(UnauthorisedError)
    const expired = { auth: authFor(peer, new Date(Date.now() - 3600_000)), requester: peer }
    await expect(viaP2p.get(user.owner, cid, undefined, expired)).rejects.toThrow(/^Unauthorised!$/)
    await expect(b.storage.get(user.owner, cid, undefined, expired)).rejects.toThrow(/^Unauthorised!$/)
  })

  it('treats an empty auth= (a Peergos client without a BAT) as none, and refuses a malformed one', async () => {
    const path = (auth: string, arg: CID = cid): string => `${p2p.url}/api/v0/block/get?arg=${cidToString(arg)}&owner=${cidToString(user.owner)}&auth=${auth}`
    let r = await fetch(path(''), { method: 'POST' })
    expect(r.status).toBe(400)
    expect(r.headers.get('x-peergos-error-class')).toBe('UnauthorisedError')
    r = await fetch(path('', open), { method: 'POST' })
    expect(r.status).toBe(200)
    for (const bad of ['zz', 'a1', '00'.repeat(600)]) {
      r = await fetch(path(bad), { method: 'POST' })
      expect(r.status, bad).toBe(400)
      expect(r.headers.get('x-peergos-error-class')).toBe(BadRequestError.name)
      expect(javaUrlDecode(r.headers.get('trailer') ?? '')).toMatch(/^Invalid parameter 'auth': (not a BlockAuth|too long)$/)
    }
  })

  it('ignores auth= on plain HTTP (no authenticated requester), as Peergos does: a BAT is needed', async () => {
    await expect(viaHttp.get(user.owner, cid, undefined, { auth: authFor(peer), requester: peer })).rejects.toBeInstanceOf(UnauthorisedError)
    const r = await fetch(`${plain.url}/api/v0/block/get?arg=${cidToString(open)}&owner=${cidToString(user.owner)}&auth=zz`, { method: 'POST' })
    expect(r.status).toBe(200)
    expect(await viaHttp.get(user.owner, cid, batWithId(bat, sha256BatId(b.crypto, bat)))).toEqual(guarded)
    expect(encodeBlockAuth(authFor(peer)).length).toBeLessThan(512)
  })
})
