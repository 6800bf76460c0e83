// champ/get/bulk on the server: the same blocks and the same refusals whether a lookup walks nodes
// read from disk or nodes already decoded and blocks already in memory (the second call of each
// pair), for value blocks guarded by an inline BAT, a hashed BAT id, or nothing; and a call whose lookups
// are read ahead together answers as its lookups one by one would (absent keys, shared values).
import { afterEach, describe, expect, it } from 'vitest'
import { Champ } from '../../../src/champ/champ.ts'
import { blockCid, cidToString } from '../../../src/codec/cid.ts'
import { randomBat } from '../../../src/model/bat.ts'
import { batWithId, inlineBatId, sha256BatId } from '../../../src/model/bat-id.ts'
import { openLocalBundle, type LocalBundle } from './local-bundle.ts'
import { cborBlock, SigningBlockStore, TestUser, uniqueName } from './storage-fixtures.ts'

describe('champ/get/bulk lookups', () => {
  let b: LocalBundle | undefined
  afterEach(async () => {
    await b?.close()
    b = undefined
  })

  it('answers and refuses alike through decoded nodes and blocks in memory as through the disk', async () => {
    b = await openLocalBundle()
    const c = b.crypto
    const u = await TestUser.create(b, uniqueName('lookup'))
    const inline = randomBat(c)
    const hashed = randomBat(c)
    const wrong = randomBat(c)
    const keys = Array.from({ length: 60 }, () => c.randomBytes(32))
    const kinds = keys.map((_, i) => (['open', 'inline', 'hashed'] as const)[i % 3])
    const blocks = kinds.map((k) => cborBlock(c, k === 'open' ? {} : { bats: [(k === 'inline' ? inlineBatId(inline) : sha256BatId(c, hashed)).bytes] }))
    const root = await u.tx(async (tid) => {
      const store = new SigningBlockStore(c, b!.storage, u.owner, u.identity.signer, tid)
      const champ = new Champ({ store, crypto: c })
      let r = await champ.createEmpty()
      for (let i = 0; i < keys.length; i++) r = await champ.put(r, keys[i], undefined, await store.put(blocks[i], false))
      return r
    })
    const cidOf = (x: Uint8Array): string => cidToString(blockCid(c, x, false))
    const batFor = (k: string) => (k === 'inline' ? batWithId(inline, sha256BatId(c, inline)) : k === 'hashed' ? batWithId(hashed, sha256BatId(c, hashed)) : undefined)
    for (let i = 0; i < keys.length; i += 20) {
      const caps = keys.slice(i, i + 20).map((mapKey, j) => ({ mapKey, bat: batFor(kinds[i + j]) }))
      const answers: string[][] = []
      for (let pass = 0; pass < 2; pass++) answers.push((await b.storage.getChampLookup(u.owner, root, caps)).map(cidOf))
      expect(answers[1]).toEqual(answers[0])
      for (let j = 0; j < caps.length; j++) expect(answers[0]).toContain(cidOf(blocks[i + j]))
      expect(new Set(answers[0]).size).toBe(answers[0].length) // each block once
    }
    for (let pass = 0; pass < 2; pass++) {
      for (const i of [1, 2]) {
        const withWrong = [{ mapKey: keys[0] }, { mapKey: keys[i], bat: batWithId(wrong, sha256BatId(c, wrong)) }]
        await expect(b.storage.getChampLookup(u.owner, root, withWrong)).rejects.toMatchObject({ name: 'UnauthorisedError' })
        await expect(b.storage.getChampLookup(u.owner, root, [{ mapKey: keys[i] }])).rejects.toMatchObject({ name: 'UnauthorisedError' })
      }
    }
  })

  it('reads ahead without changing the answer: absent keys, values shared by several keys, each block once', async () => {
    b = await openLocalBundle()
    const c = b.crypto
    const u = await TestUser.create(b, uniqueName('ahead'))
    const keys = Array.from({ length: 120 }, () => c.randomBytes(32))
    const values = Array.from({ length: 40 }, () => cborBlock(c, {}))
    const root = await u.tx(async (tid) => {
      const store = new SigningBlockStore(c, b!.storage, u.owner, u.identity.signer, tid)
      const champ = new Champ({ store, crypto: c })
      let r = await champ.createEmpty()
      for (let i = 0; i < keys.length; i++) r = await champ.put(r, keys[i], undefined, await store.put(values[i % values.length], false))
      return r
    })
    const cidOf = (x: Uint8Array): string => cidToString(blockCid(c, x, false))
    // Each call: 15 stored keys, 4 absent ones between them, and a last key whose value is the first key's.
    const calls = [0, 40, 80].map((start) => {
      const caps = keys.slice(start, start + 15).map((mapKey) => ({ mapKey }))
      caps.splice(3, 0, { mapKey: c.randomBytes(32) })
      caps.splice(9, 0, { mapKey: c.randomBytes(32) }, { mapKey: c.randomBytes(32) })
      caps.push({ mapKey: keys[start + 40 < keys.length ? start + 40 : start - 40] }) // same value as caps' first key
      caps.push({ mapKey: c.randomBytes(32) })
      return caps
    })
    for (const caps of calls) {
      const cold = (await b.storage.getChampLookup(u.owner, root, caps)).map(cidOf)
      const warm = (await b.storage.getChampLookup(u.owner, root, caps)).map(cidOf)
      expect(warm).toEqual(cold)
      expect(new Set(cold).size).toBe(cold.length)
      // One at a time, in order, through the warm caches: the same blocks in the same order.
      const one: string[] = []
      for (const cap of caps) for (const x of (await b.storage.getChampLookup(u.owner, root, [cap])).map(cidOf)) if (!one.includes(x)) one.push(x)
      expect(cold).toEqual(one)
    }
  })
})
