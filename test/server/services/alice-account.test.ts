// The local storage services on the account the real Peergos 1.32 wrote: ownership of all 10 pointer
// writers, its block formats, GC keeping exactly the 709 reachable blocks, the secret link, and
// fragments behind alice's mirror BAT opened only by that BAT or a fresh BlockAuth for the requester.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { blockCid, cidToString, CODEC_RAW, type CID } from '../../../src/codec/cid.ts'
import { GarbageCollector } from '../../../src/server/services/garbage-collector.ts'
import { checkBlockFormat } from '../../../src/server/services/block-format.ts'
import { randomBat } from '../../../src/model/bat.ts'
import { batWithId, sha256BatId } from '../../../src/model/bat-id.ts'
import { rawBlockBatIds } from '../../../src/model/bat-prefix.ts'
import { awsDatetime, generateBlockAuth } from '../../../src/model/block-auth.ts'
import { decryptEncryptedCapability } from '../../../src/model/encrypted-capability.ts'
import { describeVectors } from '../../vectors.ts'
import { loadAliceDump, type AliceDump } from './alice-dump.ts'
import { fakePeerId, openLocalBundle, type LocalBundle } from './local-bundle.ts'
import { signBlock, newSigner } from './storage-fixtures.ts'

describeVectors('local storage services on alice\'s Peergos-written account', () => {
  let b: LocalBundle
  let dump: AliceDump
  const hour = 3600_000

  beforeAll(async () => {
    b = await openLocalBundle()
    dump = await loadAliceDump(b)
  }, 120_000)
  afterAll(async () => {
    await b?.close()
  })

  it('finds every pointer writer owned by one of the identities', async () => {
    const covered = new Set<string>()
    for (const [, id] of dump.identities) {
      covered.add(cidToString(id))
      for (const k of await b.services.context.ownership.ownedKeysRecursive(id)) covered.add(cidToString(k))
    }
    expect([...covered].sort()).toEqual(dump.writers.map(cidToString).sort())
    const alice = dump.identities.get('alice')!
    const aliceKeys = await b.services.context.ownership.ownedKeysRecursive(alice)
    expect(aliceKeys.length).toBeGreaterThanOrEqual(2) // root writer and the docs writer shared with bob
    for (const k of aliceKeys) expect(await b.services.context.ownership.isAllowed(alice, k)).toBe(true)
    expect(await b.services.context.ownership.isAllowed(dump.identities.get('bob')!, aliceKeys[0])).toBe(false)
  })

  it('accepts the format of every block Peergos wrote (strict dag-cbor, raw BAT prefixes)', async () => {
    for (const cid of dump.blockCids) checkBlockFormat(cid, (await b.blocks.get(cid))!)
  })

  it('refuses a stranger\'s key writing for alice', async () => {
    const alice = dump.identities.get('alice')!
    const stranger = newSigner(b.crypto)
    const blk = b.crypto.randomBytes(100)
    const tid = await b.storage.startTransaction(alice)
    await expect(b.storage.put(alice, stranger.publicKeyHash, [signBlock(b.crypto, stranger, blk)], [blk], tid, true)).rejects.toThrow(/Key not allowed/)
  })

  it('resolves the secret link and counts the retrieval', async () => {
    const alice = dump.identities.get('alice')!
    const ec = await b.storage.getSecretLink(alice, dump.secretLink.label)
    const cap = await decryptEncryptedCapability(b.crypto, ec, String(dump.secretLink.label), dump.secretLink.linkPassword)
    expect(cap.owner.equals(alice)).toBe(true)
    expect(await b.stores.linkCounts.get('alice', dump.secretLink.label)).toBe(3)
    await expect(b.storage.getSecretLink(alice, dump.secretLink.label + 1)).rejects.toThrow(/No secret link present/)
    await expect(b.storage.getSecretLink(dump.identities.get('carol')!, 1)).rejects.toThrow(/No secret link/)
  })

  it('opens a fragment guarded by alice\'s mirror BAT only with that BAT or a fresh BlockAuth for the requesting node', async () => {
    const [aliceBat] = await b.stores.bats.list('alice')
    let fragment: CID | undefined
    for (const cid of dump.blockCids) {
      if (cid.code !== CODEC_RAW) continue
      const blk = (await b.blocks.get(cid))!
      if (rawBlockBatIds(blk).some((id) => id.equals(aliceBat.id))) {
        fragment = cid
        break
      }
    }
    expect(fragment).toBeDefined()
    const alice = dump.identities.get('alice')!
    await expect(b.storage.get(alice, fragment!)).rejects.toThrow(/Unauthorised/)
    expect(await b.storage.get(alice, fragment!, batWithId(aliceBat.bat, aliceBat.id))).toBeDefined()
    const other = randomBat(b.crypto)
    await expect(b.storage.get(alice, fragment!, batWithId(other, sha256BatId(b.crypto, other)))).rejects.toThrow(/Unauthorised/)

    const requester = fakePeerId(b.crypto)
    const auth = generateBlockAuth(b.crypto, aliceBat.bat, fragment!, requester, 300, awsDatetime(new Date()), aliceBat.id)
    expect(await b.storage.get(alice, fragment!, undefined, { auth, requester })).toBeDefined()
    // replayed by another node, expired, or signed with another BAT: refused (checklist B4.29)
    await expect(b.storage.get(alice, fragment!, undefined, { auth, requester: fakePeerId(b.crypto) })).rejects.toThrow(/Unauthorised/)
    const old = generateBlockAuth(b.crypto, aliceBat.bat, fragment!, requester, 300, awsDatetime(new Date(Date.now() - hour)), aliceBat.id)
    await expect(b.storage.get(alice, fragment!, undefined, { auth: old, requester })).rejects.toThrow(/Unauthorised/)
    const forged = generateBlockAuth(b.crypto, other, fragment!, requester, 300, awsDatetime(new Date()), aliceBat.id)
    await expect(b.storage.get(alice, fragment!, undefined, { auth: forged, requester })).rejects.toThrow(/Unauthorised/)
  })

  it('collects garbage: keeps exactly the 709 reachable blocks, deletes planted unreachable ones', async () => {
    const alice = dump.identities.get('alice')!
    // stale versions, as the 3801 that Peergos left behind (written straight to the store)
    const planted: CID[] = []
    for (let i = 0; i < 20; i++) {
      const blk = i % 2 === 0 ? b.crypto.randomBytes(1000 + i) : encodeCbor([i, b.crypto.randomBytes(8)])
      const cid = blockCid(b.crypto, blk, i % 2 === 0)
      await b.blocks.put('alice', cid, blk)
      planted.push(cid)
    }
    const gc = new GarbageCollector({ blocks: b.blocks, pointers: b.stores.pointers, transactions: b.stores.transactions, now: () => Date.now() + hour })
    const report = await gc.collect()
    expect(report).toMatchObject({ listed: 709 + 20, pending: 0, pointers: 10, reachable: 709, missing: 0, unreachable: 20, deleted: 20, kept: 0 })
    for (const cid of planted) expect(await b.blocks.has(cid)).toBe(false)
    for (const cid of dump.blockCids) expect(await b.blocks.has(cid)).toBe(true)
  })

})
