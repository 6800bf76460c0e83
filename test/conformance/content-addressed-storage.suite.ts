// The ContentAddressedStorage conformance suite (reference §7.3, §7.6; DESIGN "one interface, several
// implementations, one conformance suite"): signed writes, transactions, size caps, write rights, quota,
// BAT-guarded reads and CHAMP lookups, including the hostile cases of security checklist B4.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Champ } from '../../src/champ/champ.ts'
import { MemoryBlockStore } from '../../src/champ/block-store.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, CODEC_DAG_CBOR, type CID } from '../../src/codec/cid.ts'
import { randomBat } from '../../src/model/bat.ts'
import { batWithId, calculateBatId, inlineBatId, sha256BatId } from '../../src/model/bat-id.ts'
import { concatBytes } from '../../src/model/bytes.ts'
import { createRawBlockPrefix } from '../../src/model/bat-prefix.ts'
import { publicSigningKeyToCbor, type PublicKeyHash } from '../../src/model/signing-keys.ts'
import { MAX_BLOCK_SIZE, MAX_CHAMP_GETS } from '../../src/services/content-addressed-storage.ts'
import { CID as MfCid } from '../../src/codec/cid.ts'
import * as Digest from 'multiformats/hashes/digest'
import {
  cborBlock, cidOf, newSigner, randomBlock, signBlock, SigningBlockStore, TestUser, uniqueName, type Signer,
} from '../server/services/storage-fixtures.ts'
import { expectRejects, SIZE_ERRORS, type BundleFactory, type ConformanceBundle } from './bundle.ts'

export function runContentAddressedStorageSuite(name: string, factory: BundleFactory): void {
  describe(`ContentAddressedStorage conformance: ${name}`, () => {
    let b: ConformanceBundle
    let alice: TestUser
    let mallory: TestUser

    beforeAll(async () => {
      b = await factory()
      alice = await TestUser.create(b, uniqueName('alice'))
      mallory = await TestUser.create(b, uniqueName('mallory'))
    })
    afterAll(async () => {
      await b?.close()
    })

    /** One write in a transaction of its own, for `owner` (a user or a bare key), signed by `writer` unless `sigs` are given. */
    const put = async (owner: TestUser | PublicKeyHash, writer: Signer, blocks: Uint8Array[], raw: boolean, sigs?: Uint8Array[]): Promise<CID[]> => {
      const o = owner instanceof TestUser ? owner.owner : owner
      const tid = await b.storage.startTransaction(o)
      try {
        return await b.storage.put(o, writer.publicKeyHash, sigs ?? blocks.map((x) => signBlock(b.crypto, writer, x)), blocks, tid, raw)
      } finally {
        await b.storage.closeTransaction(o, tid)
      }
    }

    describe('identity and transactions', () => {
      it('id() is the last of ids()', async () => {
        const ids = await b.storage.ids()
        expect(ids.length).toBeGreaterThan(0)
        expect((await b.storage.id()).equals(ids[ids.length - 1])).toBe(true)
      })

      it('starts distinct transactions and closes them', async () => {
        const t1 = await b.storage.startTransaction(alice.owner)
        const t2 = await b.storage.startTransaction(alice.owner)
        expect(t1).not.toBe(t2)
        const [cid] = await b.storage.put(alice.owner, alice.owner, [signBlock(b.crypto, alice.identity.signer, Uint8Array.of(1, 2, 3))], [Uint8Array.of(1, 2, 3)], t1, true)
        await b.storage.closeTransaction(alice.owner, t1)
        await b.storage.closeTransaction(alice.owner, t2)
        expect(await b.storage.get(alice.owner, cid)).toEqual(Uint8Array.of(1, 2, 3))
      })
    })

    describe('signed writes', () => {
      it('stores raw and dag-cbor blocks under their Peergos CIDs and serves them back', async () => {
        const raw = [randomBlock(b.crypto, 1000), randomBlock(b.crypto, 70_000)]
        const cids = await put(alice, alice.identity.signer, raw, true)
        expect(cids.map(cidToString)).toEqual(raw.map((x) => cidToString(cidOf(b.crypto, x, true))))
        const cbor = cborBlock(b.crypto)
        const [cborCid] = await put(alice, alice.identity.signer, [cbor], false)
        expect(cborCid.equals(cidOf(b.crypto, cbor, false))).toBe(true)
        expect(await b.storage.get(alice.owner, cids[1])).toEqual(raw[1])
        expect(await b.storage.get(alice.owner, cborCid)).toEqual(cbor)
        expect(await b.storage.getSize(alice.owner, cids[0])).toBe(1000)
        expect(await b.storage.getSize(alice.owner, cidOf(b.crypto, randomBlock(b.crypto, 10), true))).toBeUndefined()
        expect(await b.storage.get(alice.owner, cidOf(b.crypto, randomBlock(b.crypto, 10), true))).toBeUndefined()
      })

      it('accepts the same write twice (idempotent retry)', async () => {
        const blk = randomBlock(b.crypto, 5000)
        const [a] = await put(alice, alice.identity.signer, [blk], true)
        const [again] = await put(alice, alice.identity.signer, [blk], true)
        expect(again.equals(a)).toBe(true)
        expect(await b.storage.get(alice.owner, a)).toEqual(blk)
      })

      it('refuses a block signed by a key other than the writer (foreign signature)', async () => {
        const blk = randomBlock(b.crypto, 100)
        await expectRejects(put(alice, alice.identity.signer, [blk], true, [signBlock(b.crypto, mallory.identity.signer, blk)]), ['InvalidSignatureError'], /Invalid signature/)
        expect(await b.storage.get(alice.owner, cidOf(b.crypto, blk, true))).toBeUndefined()
      })

      it('refuses a signature over another block and stores nothing of that write', async () => {
        const good = randomBlock(b.crypto, 100)
        const bad = randomBlock(b.crypto, 100)
        const sigs = [signBlock(b.crypto, alice.identity.signer, good), signBlock(b.crypto, alice.identity.signer, randomBlock(b.crypto, 100))]
        await expectRejects(put(alice, alice.identity.signer, [good, bad], true, sigs), ['InvalidSignatureError'], /Invalid signature/)
        expect(await b.storage.get(alice.owner, cidOf(b.crypto, good, true))).toBeUndefined()
        expect(await b.storage.get(alice.owner, cidOf(b.crypto, bad, true))).toBeUndefined()
      })

      it('refuses garbage in place of a signature', async () => {
        const blk = randomBlock(b.crypto, 100)
        await expectRejects(put(alice, alice.identity.signer, [blk], true, [b.crypto.randomBytes(96)]), ['InvalidSignatureError'])
      })

      it('refuses a dag-cbor write that is not CBOR', async () => {
        const blk = Uint8Array.of(0xff, 0x00, 0x01)
        await expectRejects(put(alice, alice.identity.signer, [blk], false), ['CborDecodeError', 'NonCanonicalCborError', 'UnsupportedCborError', 'CborTypeError', 'CborLimitError'])
      })

      it('refuses an oversized block and a group over the size cap', async () => {
        await expectRejects(put(alice, alice.identity.signer, [randomBlock(b.crypto, MAX_BLOCK_SIZE + 1)], true), SIZE_ERRORS)
        const half = Math.ceil(MAX_BLOCK_SIZE / 2) + 1
        const two = [randomBlock(b.crypto, half), randomBlock(b.crypto, half)]
        if (b.clientSplitsPuts === true) {
          // Transport difference: the HTTP client sends the two blocks in two requests, each within the cap.
          expect((await put(alice, alice.identity.signer, two, true)).map(cidToString)).toEqual(two.map((x) => cidToString(cidOf(b.crypto, x, true))))
          return
        }
        await expectRejects(put(alice, alice.identity.signer, two, true), SIZE_ERRORS)
      })

      it('accepts a block of exactly the maximum size', async () => {
        const blk = randomBlock(b.crypto, MAX_BLOCK_SIZE)
        const [cid] = await put(alice, alice.identity.signer, [blk], true)
        expect((await b.storage.get(alice.owner, cid))?.length).toBe(MAX_BLOCK_SIZE)
      })

      it('refuses a write whose signatures do not match its blocks one to one', async () => {
        const blk = randomBlock(b.crypto, 10)
        const sig = signBlock(b.crypto, alice.identity.signer, blk)
        await expectRejects(put(alice, alice.identity.signer, [blk, blk], true, [sig]), ['InvalidObjectError', 'BadRequestError'])
      })

      it('verifies a legacy (sha2-256) writer hash with the stored key block, never an in-band one', async () => {
        const legacy = newSigner(b.crypto)
        const keyBlock = encodeCbor(publicSigningKeyToCbor(legacy.publicKey))
        const hashed = MfCid.createV1(CODEC_DAG_CBOR, Digest.create(0x12, b.crypto.sha256(keyBlock)))
        const signer: Signer = { ...legacy, publicKeyHash: hashed }
        await b.registerUser(uniqueName('legacy'), hashed)
        const two = [randomBlock(b.crypto, 10), randomBlock(b.crypto, 20)]
        await expectRejects(put(hashed, signer, two, true), ['MissingBlockError'], /writer key/)
        // A self-signed key block counts only when hashKey(key) == writer, an identity hash (Peergos 1.32).
        await expectRejects(put(hashed, signer, [keyBlock], false), ['MissingBlockError'], /writer key/)
        const [kcid] = await put(alice, alice.identity.signer, [keyBlock], false)
        expect(kcid.equals(hashed)).toBe(true)
        expect(await put(hashed, signer, two, true)).toHaveLength(2)
        await expectRejects(put(hashed, signer, two, true, two.map((x) => signBlock(b.crypto, alice.identity.signer, x))), ['InvalidSignatureError'])
      })

      it('accepts a single self-signed block carrying the writer\'s own key', async () => {
        const key = newSigner(b.crypto)
        await b.registerUser(uniqueName('selfsigned'), key.publicKeyHash)
        const keyBlock = encodeCbor(publicSigningKeyToCbor(key.publicKey))
        const [cid] = await put(key.publicKeyHash, key, [keyBlock], false)
        expect(cid.equals(cidOf(b.crypto, keyBlock, false))).toBe(true)
      })
    })

    describe('write rights', () => {
      it('refuses a write for an owner by another user\'s identity', async () => {
        const blk = randomBlock(b.crypto, 100)
        await expectRejects(put(alice, mallory.identity.signer, [blk], true), ['WriterNotAllowedError'], /Key not allowed to write/)
        expect(await b.storage.get(alice.owner, cidOf(b.crypto, blk, true))).toBeUndefined()
      })

      it('refuses a write for an owner by a key another user owns', async () => {
        const w = await mallory.addWriter()
        await expectRejects(put(alice, w.signer, [randomBlock(b.crypto, 100)], true), ['WriterNotAllowedError'])
      })

      it('refuses a write for an owner that is not a user of this server', async () => {
        const stranger = newSigner(b.crypto)
        const blk = randomBlock(b.crypto, 100)
        await expectRejects(put(stranger.publicKeyHash, stranger, [blk], true), ['WriterNotAllowedError'])
      })

      it('accepts keys owned directly and recursively, and stops accepting a key once removed', async () => {
        const user = await TestUser.create(b, uniqueName('owner'))
        const w1 = await user.addWriter()
        const w2 = await user.addWriter(w1)
        expect(await put(user, w1.signer, [randomBlock(b.crypto, 10)], true)).toHaveLength(1)
        expect(await put(user, w2.signer, [randomBlock(b.crypto, 10)], true)).toHaveLength(1)
        await user.removeWriter(w2, w1)
        await expectRejects(put(user, w2.signer, [randomBlock(b.crypto, 10)], true), ['WriterNotAllowedError'])
        expect(await put(user, w1.signer, [randomBlock(b.crypto, 10)], true)).toHaveLength(1)
      })

      it('ignores an owner proof that names another key', async () => {
        // mallory's key, listed in mallory's owned keys, still only names mallory: alice cannot adopt it
        const w = await mallory.addWriter()
        await expectRejects(put(alice, w.signer, [randomBlock(b.crypto, 10)], true), ['WriterNotAllowedError'])
      })
    })

    describe('quota', () => {
      it('refuses writes past the quota with "Storage quota reached"', async (ctx) => {
        if (b.setQuota === undefined) return ctx.skip()
        const user = await TestUser.create(b, uniqueName('quota'))
        await b.setQuota(user.username, 10_000)
        expect(await put(user, user.identity.signer, [randomBlock(b.crypto, 6000)], true)).toHaveLength(1)
        const blk = randomBlock(b.crypto, 6000)
        await expectRejects(put(user, user.identity.signer, [blk], true), ['QuotaExceededError'], /Storage quota reached/)
        expect(await b.storage.get(user.owner, cidOf(b.crypto, blk, true))).toBeUndefined()
      })
    })

    describe('block access tokens', () => {
      it('serves a BAT-guarded raw block only with its BAT', async () => {
        const bat = randomBat(b.crypto)
        const blk = concatBytes(createRawBlockPrefix(bat), randomBlock(b.crypto, 4000))
        const [cid] = await put(alice, alice.identity.signer, [blk], true)
        await expectRejects(b.storage.get(alice.owner, cid), ['UnauthorisedError'], /Unauthorised/)
        await expectRejects(b.storage.get(alice.owner, cid, batWithId(randomBat(b.crypto), sha256BatId(b.crypto, randomBat(b.crypto)))), ['UnauthorisedError'])
        expect(await b.storage.get(alice.owner, cid, batWithId(bat, sha256BatId(b.crypto, bat)))).toEqual(blk)
        expect(await b.storage.getSize(alice.owner, cid)).toBe(blk.length)
      })

      it('serves a BAT-guarded dag-cbor block only with its BAT, and public blocks to anyone', async () => {
        const bat = randomBat(b.crypto)
        const guarded = cborBlock(b.crypto, { bats: [inlineBatId(bat).bytes] })
        const open = cborBlock(b.crypto)
        const [g, o] = await put(alice, alice.identity.signer, [guarded, open], false)
        await expectRejects(b.storage.get(alice.owner, g), ['UnauthorisedError'])
        expect(await b.storage.get(alice.owner, g, batWithId(bat, sha256BatId(b.crypto, bat)))).toEqual(guarded)
        expect(await b.storage.get(alice.owner, o)).toEqual(open)
      })

      it('opens a block with a mirror BAT: by its sha256 id in the block, or as stored in the BatCave', async () => {
        const inline = randomBat(b.crypto)
        const mirror = randomBat(b.crypto)
        const mirrorId = sha256BatId(b.crypto, mirror)
        const blk = concatBytes(createRawBlockPrefix(inline, mirrorId), randomBlock(b.crypto, 100))
        const [cid] = await put(alice, alice.identity.signer, [blk], true)
        expect(await b.storage.get(alice.owner, cid, batWithId(mirror, mirrorId))).toEqual(blk)

        const stored = randomBat(b.crypto)
        const storedId = calculateBatId(b.crypto, stored) // not sha256(secret): only the BatCave can open it
        const guarded = cborBlock(b.crypto, { bats: [storedId.bytes] })
        const [g] = await put(alice, alice.identity.signer, [guarded], false)
        await expectRejects(b.storage.get(alice.owner, g, batWithId(stored, storedId)), ['UnauthorisedError'])
        if (b.addMirrorBat === undefined) return
        await b.addMirrorBat(alice.username, storedId, stored)
        expect(await b.storage.get(alice.owner, g, batWithId(stored, storedId))).toEqual(guarded)
        await expectRejects(b.storage.get(alice.owner, g, batWithId(randomBat(b.crypto), storedId)), ['UnauthorisedError'])
      })
    })

    describe('CHAMP lookups', () => {
      let root: CID
      const keys: Uint8Array[] = []
      const values: { cid: CID; bytes: Uint8Array; bat: ReturnType<typeof randomBat> }[] = []

      beforeAll(async () => {
        await alice.tx(async (tid) => {
          const store = new SigningBlockStore(b.crypto, b.storage, alice.owner, alice.identity.signer, tid)
          const champ = new Champ({ store, crypto: b.crypto })
          root = await champ.createEmpty()
          for (let i = 0; i < 60; i++) {
            const bat = randomBat(b.crypto)
            const bytes = cborBlock(b.crypto, { bats: [inlineBatId(bat).bytes], i })
            const cid = await store.put(bytes, false)
            const key = b.crypto.randomBytes(32)
            root = await champ.put(root, key, undefined, cid)
            keys.push(key)
            values.push({ cid, bytes, bat })
          }
        })
      })

      it('returns every node on the path and the value block, verifiable by the client', async () => {
        const picks = [0, 17, 42]
        const caps = picks.map((i) => ({ mapKey: keys[i], bat: batWithId(values[i].bat, sha256BatId(b.crypto, values[i].bat)) }))
        const blocks = await b.storage.getChampLookup(alice.owner, root, caps)
        const local = new MemoryBlockStore(b.crypto)
        for (const blk of blocks) await local.put(blk, false)
        const champ = new Champ({ store: local, crypto: b.crypto })
        for (const i of picks) {
          const v = await champ.get(root, keys[i])
          expect(v?.equals(values[i].cid)).toBe(true)
          expect(local.has(values[i].cid)).toBe(true)
        }
        const cids = new Set(blocks.map((x) => cidToString(cidOf(b.crypto, x, false))))
        expect(cids.size).toBe(blocks.length)
      })

      it('returns the path for an absent key', async () => {
        const blocks = await b.storage.getChampLookup(alice.owner, root, [{ mapKey: b.crypto.randomBytes(32) }])
        expect(blocks.length).toBeGreaterThan(0)
        expect(blocks.some((x) => cidOf(b.crypto, x, false).equals(root))).toBe(true)
      })

      it('refuses a value block without its BAT', async () => {
        await expectRejects(b.storage.getChampLookup(alice.owner, root, [{ mapKey: keys[3] }]), ['UnauthorisedError'])
        const wrong = randomBat(b.crypto)
        await expectRejects(b.storage.getChampLookup(alice.owner, root, [{ mapKey: keys[3], bat: batWithId(wrong, sha256BatId(b.crypto, wrong)) }]), ['UnauthorisedError'])
      })

      it(`refuses more than ${MAX_CHAMP_GETS} keys and an absent root`, async () => {
        const caps = keys.slice(0, MAX_CHAMP_GETS + 1).map((mapKey) => ({ mapKey }))
        await expectRejects(b.storage.getChampLookup(alice.owner, root, caps), ['InvalidObjectError', 'BadRequestError'])
        const absent = cidOf(b.crypto, cborBlock(b.crypto), false)
        await expectRejects(b.storage.getChampLookup(alice.owner, absent, [{ mapKey: keys[0] }]), ['MissingBlockError'], /not present/)
      })
    })
  })
}
