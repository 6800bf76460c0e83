// Local storage services beyond the transport-independent suites: block and transaction placement,
// check order (no quota charged for forged writes), the pointer hook, a CAS lost in the database, the
// instance BAT, CHAMP roots with BATs, and secret links with expiry and maximum retrievals.
import { afterEach, describe, expect, it } from 'vitest'
import { existsSync } from 'node:fs'
import { Champ } from '../../../src/champ/champ.ts'
import { blockCid, cidToString, type CID } from '../../../src/codec/cid.ts'
import { randomBat } from '../../../src/model/bat.ts'
import { batWithId, calculateBatId, sha256BatId } from '../../../src/model/bat-id.ts'
import { RAW_BLOCK_MAGIC_PREFIX } from '../../../src/model/bat-prefix.ts'
import { awsDatetime, generateBlockAuth } from '../../../src/model/block-auth.ts'
import { concatBytes } from '../../../src/model/bytes.ts'
import { nullCapability } from '../../../src/model/capability.ts'
import { sealCapability } from '../../../src/model/encrypted-capability.ts'
import { secretLinkChampKey } from '../../../src/model/secret-link.ts'
import { encodeSecretLinkTarget } from '../../../src/model/secret-link-target.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../../src/model/symmetric-key.ts'
import { encodeWriterData } from '../../../src/model/writer-data.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { openLocalBundle, fakePeerId, type LocalBundle } from './local-bundle.ts'
import { cborBlock, newSigner, randomBlock, signBlock, signPointer, SigningBlockStore, TestUser, uniqueName } from './storage-fixtures.ts'

describe('local storage services', () => {
  let b: LocalBundle | undefined
  afterEach(async () => {
    await b?.close()
    b = undefined
  })

  it('files blocks under the owner\'s username and records them in the transaction before it closes', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('files'))
    const w = await u.addWriter()
    const tid = await b.storage.startTransaction(u.owner)
    const cids = await u.put(w.signer, [randomBlock(b.crypto, 100), randomBlock(b.crypto, 200)], true, tid)
    for (const cid of cids) expect(existsSync(b.blocks.pathOf(u.username, cid))).toBe(true)
    const open = (await b.stores.transactions.openBlocks(u.owner)).map(cidToString)
    for (const cid of cids) expect(open).toContain(cidToString(cid))
    await b.storage.closeTransaction(u.owner, tid)
    expect(await b.stores.transactions.openBlocks(u.owner)).toHaveLength(0)
  })

  it('charges quota only for writes that passed the signature and ownership checks', async () => {
    const charged: [string, number, string][] = []
    b = await openLocalBundle({
      checkQuota: (owner: PublicKeyHash, bytes: number, writer: PublicKeyHash) => {
        charged.push([cidToString(owner), bytes, cidToString(writer)])
        return true
      },
    })
    const u = await TestUser.create(b, uniqueName('quota'))
    charged.length = 0
    const blk = randomBlock(b.crypto, 1234)
    const mallory = newSigner(b.crypto)
    const tid = await b.storage.startTransaction(u.owner)
    await expect(b.storage.put(u.owner, u.owner, [signBlock(b.crypto, mallory, blk)], [blk], tid, true)).rejects.toThrow()
    await expect(b.storage.put(u.owner, mallory.publicKeyHash, [signBlock(b.crypto, mallory, blk)], [blk], tid, true)).rejects.toThrow()
    expect(charged).toHaveLength(0)
    await u.put(u.identity.signer, [blk, randomBlock(b.crypto, 766)], true, tid)
    expect(charged).toEqual([[cidToString(u.owner), 2000, cidToString(u.owner)]])
  })

  it('refuses a raw block whose BAT prefix is malformed', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('prefix'))
    const blk = concatBytes(RAW_BLOCK_MAGIC_PREFIX, Uint8Array.of(0x82, 0x01), randomBlock(b.crypto, 50))
    await expect(u.put(u.identity.signer, [blk], true)).rejects.toMatchObject({ name: 'InvalidBatPrefixError' })
  })

  it('reports every pointer change to the hook, and keeps a committed update when the hook fails', async () => {
    const seen: string[] = []
    const hookErrors: unknown[] = []
    let fail = false
    b = await openLocalBundle({
      onPointerChange: (owner, writer, oldTarget, newTarget) => {
        seen.push(`${cidToString(owner).slice(-6)}:${cidToString(writer).slice(-6)}:${oldTarget === undefined ? '-' : cidToString(oldTarget).slice(-6)}>${newTarget === undefined ? '-' : cidToString(newTarget).slice(-6)}`)
        if (fail) throw new Error('usage store down')
      },
      onHookError: (e) => hookErrors.push(e),
    })
    const u = await TestUser.create(b, uniqueName('hook'))
    const short = (c: CID | null) => (c === null ? '-' : cidToString(c).slice(-6))
    const id = cidToString(u.owner).slice(-6)
    expect(seen).toEqual([`${id}:${id}:->${short(u.identity.target)}`])
    const w = await u.addWriter()
    expect(seen).toHaveLength(3)
    fail = true
    const prev = w.target
    const [v] = await u.put(w.signer, [cborBlock(b.crypto, { controller: w.hash })], false)
    const wd = encodeWriterData({ ...w.wd, tree: v })
    const [wdCid] = await u.put(w.signer, [wd], false)
    expect(await b.pointers.setPointers(u.owner, [{ writer: w.hash, signed: u.nextUpdate(w, wdCid) }])).toBe(true)
    expect(seen[3]).toBe(`${id}:${cidToString(w.hash).slice(-6)}:${short(prev)}>${short(wdCid)}`)
    expect(hookErrors).toHaveLength(1)
  })

  it('turns a CAS lost inside the database into Peergos\' CAS error for the loser', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('dbrace'))
    const store = b.stores.pointers
    const original = store.compareAndSet.bind(store)
    let arrived = 0
    let release!: () => void
    const both = new Promise<void>((r) => (release = r))
    store.compareAndSet = async (...args) => {
      if (++arrived === 2) release()
      await both // both updates were validated against the same current pointer
      return original(...args)
    }
    const versions = await Promise.all([0, 1].map(async () => (await u.put(u.identity.signer, [encodeWriterData({ ...u.identity.wd, tree: (await u.put(u.identity.signer, [cborBlock(b!.crypto)], false))[0] })], false))[0]))
    const results = await Promise.allSettled(versions.map((v) => b!.pointers.setPointer(u.owner, u.owner, u.nextUpdate(u.identity, v))))
    store.compareAndSet = original
    expect(results.filter((r) => r.status === 'fulfilled' && r.value)).toHaveLength(1)
    const loser = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(loser.reason).toMatchObject({ name: 'CasFailedError' })
    expect((loser.reason as Error).message).toMatch(/^PointerCAS:/)
  })

  it('opens every block with the instance BAT, from a client or a peer', async () => {
    const instance = randomBat(await createNodeCrypto())
    b = await openLocalBundle({ instanceBat: instance })
    const u = await TestUser.create(b, uniqueName('instance'))
    const guarded = cborBlock(b.crypto, { bats: [calculateBatId(b.crypto, randomBat(b.crypto)).bytes] })
    const [cid] = await u.put(u.identity.signer, [guarded], false)
    await expect(b.storage.get(u.owner, cid)).rejects.toMatchObject({ name: 'UnauthorisedError' })
    expect(await b.storage.get(u.owner, cid, batWithId(instance, sha256BatId(b.crypto, instance)))).toEqual(guarded)
    const requester = fakePeerId(b.crypto)
    const auth = generateBlockAuth(b.crypto, instance, cid, requester, 300, awsDatetime(new Date()), sha256BatId(b.crypto, instance))
    expect(await b.storage.get(u.owner, cid, undefined, { auth, requester })).toEqual(guarded)
  })

  it('decides every read of a BAT-guarded block alike, whether its BAT ids were decoded before or not', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('batcache'))
    const bat = randomBat(b.crypto)
    const guarded = cborBlock(b.crypto, { bats: [sha256BatId(b.crypto, bat).bytes] })
    const [cid] = await u.put(u.identity.signer, [guarded], false)
    const wrong = randomBat(b.crypto)
    for (let i = 0; i < 3; i++) {
      expect(await b.storage.get(u.owner, cid, batWithId(bat, sha256BatId(b.crypto, bat)))).toEqual(guarded)
      await expect(b.storage.get(u.owner, cid)).rejects.toMatchObject({ name: 'UnauthorisedError' })
      await expect(b.storage.get(u.owner, cid, batWithId(wrong, sha256BatId(b.crypto, wrong)))).rejects.toMatchObject({ name: 'UnauthorisedError' })
    }
    // a block whose top-level map lists a malformed BAT is never served, the second time either
    const [bad] = await u.put(u.identity.signer, [cborBlock(b.crypto, { bats: [new Uint8Array([1, 2, 3])] })], false)
    for (let i = 0; i < 2; i++) await expect(b.storage.get(u.owner, bad, batWithId(bat, sha256BatId(b.crypto, bat)))).rejects.toMatchObject({ name: 'UnauthorisedError' })
  })

  it('refuses CHAMP paths through a node that carries BATs, unless the committed WriterData\'s tree serves', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('champbat'))
    const key = b.crypto.randomBytes(32)
    const value = cborBlock(b.crypto)
    const { guardedRoot, openRoot, valueCid } = await u.tx(async (tid) => {
      const store = new SigningBlockStore(b!.crypto, b!.storage, u.owner, u.identity.signer, tid)
      const champ = new Champ({ store, crypto: b!.crypto })
      const valueCid = await store.put(value, false)
      const mirrorBat = sha256BatId(b!.crypto, randomBat(b!.crypto))
      const guardedRoot = await champ.put(await champ.createEmpty({ mirrorBat }), key, undefined, valueCid, { mirrorBat })
      const openRoot = await champ.put(await champ.createEmpty(), key, undefined, valueCid)
      return { guardedRoot, openRoot, valueCid }
    })
    await expect(b.storage.getChampLookup(u.owner, guardedRoot, [{ mapKey: key }])).rejects.toMatchObject({ name: 'UnauthorisedError' })
    expect(await u.commit(u.identity, { ...u.identity.wd, tree: openRoot })).toBe(true)
    const blocks = await b.storage.getChampLookup(u.owner, guardedRoot, [{ mapKey: key }], u.identity.target!)
    expect(blocks.map((x) => cidToString(blockCid(b!.crypto, x, false)))).toContain(cidToString(valueCid))
  })

  it('serves a secret link until it expires or reaches its maximum retrievals', async () => {
    let now = 1_900_000_000_000
    b = await openLocalBundle({ now: () => new Date(now) })
    const u = await TestUser.create(b, uniqueName('links'))
    const cap = sealCapability(b.crypto, randomSymmetricKey(b.crypto), nullCapability(b.crypto), false)
    const labels = { once: 11, expiring: 22, open: 33 }
    const root = await u.tx(async (tid) => {
      const store = new SigningBlockStore(b!.crypto, b!.storage, u.owner, u.identity.signer, tid)
      const champ = new Champ({ store, crypto: b!.crypto })
      let r = await champ.createEmpty()
      const add = async (label: number, t: Parameters<typeof encodeSecretLinkTarget>[0]) => {
        r = await champ.put(r, secretLinkChampKey(b!.crypto, label), undefined, await store.put(encodeSecretLinkTarget(t), false))
      }
      await add(labels.once, { cap, maxRetrievals: 1 })
      await add(labels.expiring, { cap, expiry: now / 1000 + 60 })
      await add(labels.open, { cap })
      return r
    })
    await expect(b.storage.getSecretLink(u.owner, labels.open)).rejects.toMatchObject({ name: 'SecretLinkUnavailableError', message: 'No secret link published!' })
    expect(await u.commit(u.identity, { ...u.identity.wd, secretLinks: root })).toBe(true)
    expect(await b.storage.getSecretLink(u.owner, labels.once)).toEqual(cap)
    await expect(b.storage.getSecretLink(u.owner, labels.once)).rejects.toThrow('Maximum link retrievals exceed!')
    expect(await b.storage.getSecretLink(u.owner, labels.expiring)).toEqual(cap)
    now += 120_000
    await expect(b.storage.getSecretLink(u.owner, labels.expiring)).rejects.toThrow('Secret link expired!')
    for (let i = 0; i < 3; i++) expect(await b.storage.getSecretLink(u.owner, labels.open)).toEqual(cap)
    expect(await b.stores.linkCounts.get(u.username, labels.open)).toBe(3)
    await expect(b.storage.getSecretLink(u.owner, 44)).rejects.toThrow('No secret link present!')
  })

  it('lets a writer set its first pointer once its parent owns it, and refuses signatures of a random key', async () => {
    b = await openLocalBundle()
    const u = await TestUser.create(b, uniqueName('first'))
    const w = await u.addWriter()
    expect(w.sequence).toBe(1)
    const other = newSigner(b.crypto)
    expect(await b.pointers.setPointer(u.owner, w.hash, signPointer(b.crypto, other, w.target, u.identity.target, 2))).toBe(false)
  })
})
