// The MutablePointers conformance suite (reference §3.3; Peergos UserRepository, isValidUpdate,
// UserTests.maliciousPointerClone): CAS, increasing sequences, signatures, controller check, write
// rights and atomic multi-writer commits, with the hostile cases of checklist B4 (13, 16-18, 26).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { blockCid, cidToString, type CID } from '../../src/codec/cid.ts'
import { MAX_POINTER_SIZE, decodePointerUpdate, nextSequence } from '../../src/model/pointer-update.ts'
import { emptyWriterData, encodeWriterData } from '../../src/model/writer-data.ts'
import { cborBlock, newSigner, signPointer, TestUser, uniqueName, type WriterState } from '../server/services/storage-fixtures.ts'
import { expectRejects, type BundleFactory, type ConformanceBundle } from './bundle.ts'

export function runMutablePointersSuite(name: string, factory: BundleFactory): void {
  describe(`MutablePointers conformance: ${name}`, () => {
    let b: ConformanceBundle
    let mallory: TestUser

    beforeAll(async () => {
      b = await factory()
      mallory = await TestUser.create(b, uniqueName('mallory'))
    })
    afterAll(async () => {
      await b?.close()
    })

    /** Puts a fresh WriterData version of `w` (not committed) and returns its CID. */
    const newVersion = async (u: TestUser, w: WriterState): Promise<CID> => {
      const [cid] = await u.put(w.signer, [encodeWriterData({ ...w.wd, tree: (await u.put(w.signer, [cborBlock(b.crypto)], false))[0] })], false)
      return cid
    }
    const target = async (u: TestUser, w: WriterState): Promise<CID | null> => {
      const signed = await b.pointers.getPointer(u.owner, w.hash)
      return signed === undefined ? null : decodePointerUpdate(signed.subarray(64)).updated
    }

    it('has no pointer for an unknown writer', async () => {
      expect(await b.pointers.getPointer(mallory.owner, newSigner(b.crypto).publicKeyHash)).toBeUndefined()
    })

    it('applies a first update and successive ones, and returns exactly the signed bytes', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      expect(u.identity.sequence).toBe(1)
      const next = await newVersion(u, u.identity)
      const signed = u.nextUpdate(u.identity, next)
      expect(await b.pointers.setPointer(u.owner, u.owner, signed)).toBe(true)
      expect(await b.pointers.getPointer(u.owner, u.owner)).toEqual(signed)
    })

    it('accepts a sequence that jumps ahead', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const next = await newVersion(u, u.identity)
      expect(await b.pointers.setPointer(u.owner, u.owner, signPointer(b.crypto, u.identity.signer, u.identity.target, next, 1000))).toBe(true)
    })

    it('refuses a stale original with Peergos\' PointerCAS error', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const old = u.identity.target
      await u.commit(u.identity, { ...u.identity.wd, tree: (await u.put(u.identity.signer, [cborBlock(b.crypto)], false))[0] })
      const next = await newVersion(u, u.identity)
      const e = await expectRejects(b.pointers.setPointer(u.owner, u.owner, signPointer(b.crypto, u.identity.signer, old, next, 10)), ['CasFailedError'], /^PointerCAS:/)
      expect(e.message).toContain(cidToString(u.identity.target!))
      expect((await target(u, u.identity))?.equals(u.identity.target!)).toBe(true)
    })

    it('refuses a replayed old update', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const first = await newVersion(u, u.identity)
      const replay = u.nextUpdate(u.identity, first)
      expect(await b.pointers.setPointer(u.owner, u.owner, replay)).toBe(true)
      u.identity.target = first
      u.identity.sequence = nextSequence(u.identity.sequence)
      await u.commit(u.identity, { ...u.identity.wd, tree: (await u.put(u.identity.signer, [cborBlock(b.crypto)], false))[0] })
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, replay), ['CasFailedError'])
    })

    it('refuses an equal or lower sequence even when the original matches (A→B→A, then B again)', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const a = u.identity.target!
      const bb = await newVersion(u, u.identity)
      const seq = u.identity.sequence!
      const toB = signPointer(b.crypto, u.identity.signer, a, bb, seq + 1)
      expect(await b.pointers.setPointer(u.owner, u.owner, toB)).toBe(true)
      expect(await b.pointers.setPointer(u.owner, u.owner, signPointer(b.crypto, u.identity.signer, bb, a, seq + 2))).toBe(true)
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, toB), ['InvalidSequenceError'], /sequence/)
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, signPointer(b.crypto, u.identity.signer, a, bb, seq + 2)), ['InvalidSequenceError'])
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, signPointer(b.crypto, u.identity.signer, a, bb)), ['InvalidSequenceError'])
      expect((await target(u, u.identity))?.equals(a)).toBe(true)
    })

    it('answers false to an update signed by another key, and changes nothing', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const next = await newVersion(u, u.identity)
      const forged = signPointer(b.crypto, mallory.identity.signer, u.identity.target, next, 2)
      expect(await b.pointers.setPointer(u.owner, u.owner, forged)).toBe(false)
      expect((await target(u, u.identity))?.equals(u.identity.target!)).toBe(true)
    })

    it('refuses an oversized update', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const big = new Uint8Array(MAX_POINTER_SIZE + 1)
      big.set(u.nextUpdate(u.identity, await newVersion(u, u.identity)))
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, big), ['InvalidObjectError', 'BodyTooLargeError', 'BadRequestError'], /too big|large/i)
    })

    it('refuses a target whose WriterData is not stored here', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const absent = blockCid(b.crypto, encodeWriterData(emptyWriterData(newSigner(b.crypto).publicKeyHash)), false)
      await expectRejects(b.pointers.setPointer(u.owner, u.owner, u.nextUpdate(u.identity, absent)), ['MissingBlockError'], /WriterData/)
    })

    it('answers false to a clone of another user\'s root (maliciousPointerClone)', async () => {
      const victim = await TestUser.create(b, uniqueName('victim'))
      const vw = await victim.addWriter()
      const attacker = await TestUser.create(b, uniqueName('attacker'))
      const aw = await attacker.addWriter()
      const cloned = await b.storage.get(victim.owner, vw.target!)
      const [copy] = await attacker.put(attacker.identity.signer, [cloned!], false) // the victim's root block, now also the attacker's
      expect(copy.equals(vw.target!)).toBe(true)
      const before = aw.target
      expect(await b.pointers.setPointer(attacker.owner, aw.hash, signPointer(b.crypto, aw.signer, aw.target, copy, 1000))).toBe(false)
      expect((await target(attacker, aw))?.equals(before!)).toBe(true)
    })

    it('refuses an update by a writer the owner does not own', async () => {
      const victim = await TestUser.create(b, uniqueName('victim'))
      const mw = await mallory.addWriter()
      const next = await newVersion(mallory, mw)
      await expectRejects(b.pointers.setPointer(victim.owner, mw.hash, mallory.nextUpdate(mw, next)), ['WriterNotAllowedError'])
    })

    it('lets a writer removed from its owner still delete its own pointer', async () => {
      const u = await TestUser.create(b, uniqueName('p'))
      const w = await u.addWriter()
      await u.removeWriter(w)
      expect(await b.pointers.setPointer(u.owner, w.hash, u.nextUpdate(w, null))).toBe(true)
      expect(await target(u, w)).toBeNull()
    })

    it('lets exactly one of concurrent updates from the same original win (CAS race)', async () => {
      const u = await TestUser.create(b, uniqueName('race'))
      const w = await u.addWriter()
      for (const n of [2, 8]) {
        const versions = await Promise.all(Array.from({ length: n }, () => newVersion(u, w)))
        const results = await Promise.allSettled(versions.map((v) => b.pointers.setPointer(u.owner, w.hash, u.nextUpdate(w, v))))
        const winners = results.flatMap((r, i) => (r.status === 'fulfilled' && r.value ? [i] : []))
        expect(winners).toHaveLength(1)
        for (const r of results) {
          if (r.status === 'rejected') expect(['CasFailedError', 'InvalidSequenceError']).toContain((r.reason as Error).name)
        }
        const now = await target(u, w)
        expect(now?.equals(versions[winners[0]])).toBe(true)
        w.target = now
        w.sequence = nextSequence(w.sequence)
      }
    })

    it('answers a retry of an applied update with a CAS error naming the new target (idempotent for clients)', async () => {
      const u = await TestUser.create(b, uniqueName('retry'))
      const next = await newVersion(u, u.identity)
      const signed = u.nextUpdate(u.identity, next)
      expect(await b.pointers.setPointer(u.owner, u.owner, signed)).toBe(true)
      const e = await expectRejects(b.pointers.setPointer(u.owner, u.owner, signed), ['CasFailedError'])
      expect(e.message.split(',')[0]).toBe(`PointerCAS:${cidToString(next)}`)
    })

    describe('setPointers (multi-writer commit)', () => {
      it('applies every update of a valid batch', async () => {
        const u = await TestUser.create(b, uniqueName('multi'))
        const w1 = await u.addWriter()
        const w2 = await u.addWriter()
        const [v1, v2] = [await newVersion(u, w1), await newVersion(u, w2)]
        expect(await b.pointers.setPointers(u.owner, [{ writer: w1.hash, signed: u.nextUpdate(w1, v1) }, { writer: w2.hash, signed: u.nextUpdate(w2, v2) }])).toBe(true)
        expect((await target(u, w1))?.equals(v1)).toBe(true)
        expect((await target(u, w2))?.equals(v2)).toBe(true)
        expect(await b.pointers.setPointers(u.owner, [])).toBe(true)
      })

      const nothingApplied = async (u: TestUser, ws: WriterState[]): Promise<void> => {
        for (const w of ws) expect((await target(u, w))?.equals(w.target!)).toBe(true)
      }

      it('applies nothing when one update is stale', async () => {
        const u = await TestUser.create(b, uniqueName('multi'))
        const w1 = await u.addWriter()
        const w2 = await u.addWriter()
        const stale = signPointer(b.crypto, w2.signer, null, await newVersion(u, w2), 5)
        const p = b.pointers.setPointers(u.owner, [{ writer: w1.hash, signed: u.nextUpdate(w1, await newVersion(u, w1)) }, { writer: w2.hash, signed: stale }])
        await expectRejects(p, ['CasFailedError'])
        await nothingApplied(u, [w1, w2])
      })

      it('applies nothing when one update has a bad signature, a cloned target or a foreign writer', async () => {
        const u = await TestUser.create(b, uniqueName('multi'))
        const w1 = await u.addWriter()
        const w2 = await u.addWriter()
        const good = { writer: w1.hash, signed: u.nextUpdate(w1, await newVersion(u, w1)) }
        const forged = { writer: w2.hash, signed: signPointer(b.crypto, mallory.identity.signer, w2.target, await newVersion(u, w2), 9) }
        await expectRejects(b.pointers.setPointers(u.owner, [good, forged]), ['InvalidSignatureError'])
        const clone = { writer: w2.hash, signed: u.nextUpdate(w2, w1.target!) } // w1's WriterData under w2's pointer
        await expectRejects(b.pointers.setPointers(u.owner, [good, clone]), ['InvalidObjectError'], /controller/)
        const mw = await mallory.addWriter()
        const foreign = { writer: mw.hash, signed: mallory.nextUpdate(mw, await newVersion(mallory, mw)) }
        await expectRejects(b.pointers.setPointers(u.owner, [good, foreign]), ['WriterNotAllowedError'])
        await nothingApplied(u, [w1, w2])
        await nothingApplied(mallory, [mw])
      })

      it('refuses one writer twice in a batch', async () => {
        const u = await TestUser.create(b, uniqueName('multi'))
        const w1 = await u.addWriter()
        const a = u.nextUpdate(w1, await newVersion(u, w1))
        const c = u.nextUpdate(w1, await newVersion(u, w1))
        expect(await b.pointers.setPointers(u.owner, [{ writer: w1.hash, signed: a }, { writer: w1.hash, signed: c }])).toBe(false)
        await nothingApplied(u, [w1])
      })
    })
  })
}
