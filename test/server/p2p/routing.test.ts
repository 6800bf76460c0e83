// Routing to home servers (reference §7.1; Peergos' Proxying* wrappers): a client of C works on a user
// whose home is B as if it were talking to B. Writes, transactions and pointers land on B (C stores
// nothing), block reads come from B with a BlockAuth C signs (re-hashed, cached, still BAT-guarded),
// follow requests and space usage reach B; a write that reaches C over p2p for B's user is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { randomBat } from '../../../src/model/bat.ts'
import { buildBlindFollowRequest, encodeBlindFollowRequest } from '../../../src/model/blind-follow-request.ts'
import { randomCurve25519BoxingKeyPair } from '../../../src/model/boxing-key-pair.ts'
import { calculateBatId } from '../../../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../../../src/model/bat-prefix.ts'
import { concatBytes } from '../../../src/model/bytes.ts'
import { openSignedPointerUpdate } from '../../../src/model/pointer-update.ts'
import { signTime } from '../../../src/model/signed-time.ts'
import { decodeCbor } from '../../../src/codec/cbor.ts'
import { asList } from '../../../src/codec/cbor-read.ts'
import type { RemoteUser } from '../crash/remote-user.ts'
import { signBlock } from '../services/storage-fixtures.ts'
import { disposeAll, signUpOn, startMirror, startPkiNode } from './federation-fixtures.ts'
import { servicesVia, type TestDaemon } from './fixtures.ts'

function hex(b: Uint8Array | undefined): string {
  return b === undefined ? 'none' : Buffer.from(b).toString('hex')
}

describe('routing requests to the home server', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let alice: RemoteUser

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    alice = await signUpOn(b, 'route')
  })
  afterAll(async () => {
    await disposeAll(c, b, pki)
  })

  it("serves B's user through C: pointers read from B, writes and commits land on B only", async () => {
    const viaC = servicesVia(c)
    expect(hex(await viaC.pointers.getPointer(alice.owner, alice.owner))).toBe(hex(await servicesVia(b).pointers.getPointer(alice.owner, alice.owner)))
    alice.connect(viaC)
    const writer = await alice.addWriter()
    const wdCid = writer.target!
    expect(await b.blocks.has(wdCid)).toBe(true)
    expect(await c.blocks.has(wdCid)).toBe(false)
    const atB = openSignedPointerUpdate(b.crypto, writer.signer.publicKey, (await servicesVia(b).pointers.getPointer(alice.owner, writer.hash))!)
    expect(atB.updated?.equals(wdCid)).toBe(true)
    expect(await c.stores.pointers.get(writer.hash)).toBeUndefined()
    alice.connect(servicesVia(b))
  })

  it('reads a BAT-guarded block of B through C: fetched with a BlockAuth, re-hashed, cached, and still refused without its BAT', async () => {
    const cr = b.crypto
    const bat = randomBat(cr)
    const batWithId = { bat, id: calculateBatId(cr, bat) }
    const data = concatBytes(createRawBlockPrefix(bat, calculateBatId(cr, randomBat(cr))), cr.randomBytes(200_000))
    const [cid] = await alice.tx((tid) => servicesVia(b).storage.put(alice.owner, alice.owner, [signBlock(cr, alice.identity.signer, data)], [data], tid, true))
    const viaC = servicesVia(c)
    await expect(viaC.storage.get(alice.owner, cid)).rejects.toMatchObject({ name: 'UnauthorisedError' })
    expect(hex(await viaC.storage.get(alice.owner, cid, batWithId))).toBe(hex(data))
    expect(await c.blocks.has(cid)).toBe(false)
    expect(hex(c.api.cache.get(cid))).toBe(hex(data))
    // Now in C's cache: still refused without the BAT, served with it.
    await expect(viaC.storage.get(alice.owner, cid)).rejects.toMatchObject({ name: 'UnauthorisedError' })
    expect(hex(await viaC.storage.get(alice.owner, cid, batWithId))).toBe(hex(data))
    expect(await viaC.storage.getSize(alice.owner, cid)).toBe(data.length)
  })

  it("delivers follow requests to B and reads B's space usage through C", async () => {
    const viaC = servicesVia(c)
    const request = encodeBlindFollowRequest(buildBlindFollowRequest(b.crypto, randomCurve25519BoxingKeyPair(b.crypto).publicKey, {}))
    expect(await viaC.social.sendFollowRequest(alice.owner, request)).toBe(true)
    const auth = signTime(b.crypto, alice.identity.signer.secretKey)
    const pending = asList(decodeCbor(await servicesVia(b).social.getFollowRequests(alice.owner, auth)), 'requests')
    expect(pending.length).toBe(1)
    expect(hex(await viaC.social.getFollowRequests(alice.owner, auth))).toBe(hex(await servicesVia(b).social.getFollowRequests(alice.owner, auth)))
    expect(await viaC.spaceUsage.getQuota(alice.owner, auth)).toBe(await servicesVia(b).spaceUsage.getQuota(alice.owner, auth))
    expect(await viaC.spaceUsage.getUsage(alice.owner, auth, false)).toBe(await servicesVia(b).spaceUsage.getUsage(alice.owner, auth, false))
  })

  it("refuses a write for B's user that reaches C over p2p, and never forwards it", async () => {
    const cr = c.crypto
    const block = new Uint8Array([0xa1, 0x61, 0x78, 0x01])
    const cToItself = servicesVia(b, c.identity.id)
    await expect(cToItself.storage.startTransaction(alice.owner)).rejects.toMatchObject({ name: 'WriterNotAllowedError' })
    await expect(cToItself.storage.put(alice.owner, alice.owner, [signBlock(cr, alice.identity.signer, block)], [block], 'tid', false))
      .rejects.toMatchObject({ name: 'WriterNotAllowedError' })
    const request = encodeBlindFollowRequest(buildBlindFollowRequest(cr, randomCurve25519BoxingKeyPair(cr).publicKey, {}))
    await expect(cToItself.social.sendFollowRequest(alice.owner, request)).rejects.toMatchObject({ name: 'WriterNotAllowedError' })
  })
})
