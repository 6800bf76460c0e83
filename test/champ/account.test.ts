// Real CHAMPs written by Peergos 1.32 (the account-alice dump): every tree, owned-keys and
// secret-link CHAMP reachable from the pointers is read through a verifying store, decodes and
// re-encodes byte for byte, answers get/lookup for each entry, and is rebuilt to the same root CID.
import { existsSync, readFileSync } from 'node:fs'
import { beforeAll, expect, it } from 'vitest'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, parseCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { Champ, MemoryBlockStore, encodeNode, type BlockStore, type ChampKeyHash } from '../../src/champ/index.ts'
import { describeVectors, haveVectors, loadVector, toHex, vectorPath } from '../vectors.ts'
import { collect, crypto } from './helpers.ts'

/** Read-only, untrusted store over the dumped blocks. */
const dumpStore: BlockStore = {
  async get(cid: CID) {
    const p = vectorPath('account-alice', 'blocks', `${cidToString(cid)}.bin`)
    return existsSync(p) ? new Uint8Array(readFileSync(p)) : undefined
  },
  async put() {
    throw new Error('read-only')
  },
}

describeVectors('CHAMPs in the Peergos account dump', () => {
  let c: CryptoProvider
  beforeAll(async () => {
    c = await crypto()
  })

  it('reads every CHAMP reachable from the pointers (identity and Blake2b keys, mirror-BAT root)', async () => {
    const pointers = haveVectors ? loadVector('account-alice/pointers.json').pointers : []
    const seen = { trees: 0, entries: 0, blake2b: 0, withBat: 0 }
    for (const p of pointers) {
      const wd = decodeCbor((await dumpStore.get(parseCid(p.decoded.updated)))!) as Map<string, unknown>
      for (const field of ['tree', 'owned', 'links']) {
        const root = wd.get(field) as CID | undefined
        if (root === undefined) continue
        let ok: ChampKeyHash | undefined
        for (const keyHash of ['identity', 'blake2b'] as const) {
          const champ = new Champ({ store: dumpStore, crypto: c, keyHash })
          const entries = await collect(champ.entries(root))
          let found = 0
          for (const e of entries) if ((await champ.get(root, e.key))?.equals(e.value)) found++
          if (found !== entries.length) continue
          ok = keyHash
          for (const b of await collect(champ.blocks(root))) expect(toHex(encodeNode(await champ.readNode(b.cid)))).toBe(toHex(b.bytes))
          if (entries.length > 0) {
            const { value, path } = await champ.lookup(root, entries[0].key)
            expect(value?.equals(entries[0].value)).toBe(true)
            expect(path[0].cid.equals(root)).toBe(true)
          }
          // Peergos' real trees are canonical: a fresh build from the entries gives the same root.
          const mirrorBat = (await champ.readNode(root)).mirrorBat
          const fresh = new Champ({ store: new MemoryBlockStore(c), crypto: c, keyHash })
          let rebuilt = await fresh.createEmpty({ mirrorBat })
          for (const e of [...entries].reverse()) rebuilt = await fresh.put(rebuilt, e.key, undefined, e.value, { mirrorBat })
          expect(cidToString(rebuilt)).toBe(cidToString(root))
          if (mirrorBat !== undefined) seen.withBat++
          seen.entries += entries.length
          break
        }
        expect([field, ok]).not.toEqual([field, undefined])
        seen.trees++
        if (ok === 'blake2b') seen.blake2b++
      }
    }
    expect(seen.trees).toBeGreaterThan(5)
    expect(seen.entries).toBeGreaterThan(500)
    expect(seen.blake2b).toBeGreaterThanOrEqual(1) // the PKI
    expect(seen.withBat).toBeGreaterThanOrEqual(1) // alice's secret links
  })
})
