// The CHAMP: Peergos' champ.json vectors (identity and Blake2b key hashes, both crypto providers),
// CAS, lookup paths, mirror BATs, diff and 3-way merge, and property tests of canonical form.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import type { CID } from '../../src/codec/cid.ts'
import { cidToString, parseCid, verifyBlock } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { Champ, MemoryBlockStore, decodeNode, encodeNode, type ChampChange } from '../../src/champ/index.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'
import { build, collect, crypto, hexKey, newChamp, rejectionName, valueFor, vectorKey } from './helpers.ts'

let c: CryptoProvider
beforeAll(async () => {
  c = await crypto()
})

// -------------------------------------------------------------------------------------------
// Vectors

interface VectorNode { cid: string; block: string }
interface VectorCase {
  n: number
  keys: string[]
  values: string[]
  root: string
  nodes: VectorNode[]
  reverseInsertionRoot: string
  afterRemovingEveryThirdRoot: string
  afterRemovalNodes: VectorNode[]
}

async function blockMap(champ: Champ, root: CID): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  for await (const b of champ.blocks(root)) out.set(cidToString(b.cid), toHex(b.bytes))
  return out
}

function expectedMap(nodes: VectorNode[]): Map<string, string> {
  return new Map(nodes.map((n) => [n.cid, n.block]))
}

const V = haveVectors ? loadVector('champ.json') : undefined

for (const provider of ['node', 'portable'] as const) {
  describeVectors(`champ.json (Peergos Champ.put/remove, ${provider} provider)`, () => {
    let pc: CryptoProvider
    beforeAll(async () => {
      pc = provider === 'node' ? await crypto() : await createPortableCrypto()
    })

    for (const kind of ['identity', 'blake2b'] as const) {
      it(`${kind}: the empty root is the stored node ${V?.[kind].emptyNode}`, async () => {
        const champ = newChamp(pc, { keyHash: kind })
        const root = await champ.createEmpty()
        expect(cidToString(root)).toBe(V[kind].emptyRoot)
        expect(toHex((await collect(champ.blocks(root)))[0].bytes)).toBe(V[kind].emptyNode)
      })

      for (const tc of (V?.[kind].cases ?? [{ n: 0 }]) as VectorCase[]) {
        it(`${kind}, n = ${tc.n}: same root and node blocks, order-independent, canonical after removals`, async () => {
          const champ = newChamp(pc, { keyHash: kind })
          const keys = tc.keys.map(hex)
          const values = tc.values.map(parseCid)
          keys.forEach((k, i) => {
            expect(toHex(k)).toBe(toHex(vectorKey(pc, i)))
            expect(values[i].equals(valueFor(pc, k))).toBe(true)
          })
          const root = await build(champ, keys.map((k, i) => [k, values[i]]))
          expect(cidToString(root)).toBe(tc.root)
          expect(await blockMap(champ, root)).toEqual(expectedMap(tc.nodes))

          const reversed = await build(champ, keys.map((k, i) => [k, values[i]] as [Uint8Array, CID]).reverse())
          expect(cidToString(reversed)).toBe(tc.reverseInsertionRoot)

          let removed = root
          for (let i = 0; i < keys.length; i++) if (i % 3 === 0) removed = await champ.remove(removed, keys[i], values[i])
          expect(cidToString(removed)).toBe(tc.afterRemovingEveryThirdRoot)
          expect(await blockMap(champ, removed)).toEqual(expectedMap(tc.afterRemovalNodes))

          for (let i = 0; i < keys.length; i++) expect((await champ.get(removed, keys[i]))?.toString()).toBe(i % 3 === 0 ? undefined : values[i].toString())
        })
      }
    }

    it('every vector node decodes and re-encodes to the same bytes', () => {
      for (const kind of ['identity', 'blake2b'] as const) {
        for (const tc of V[kind].cases as VectorCase[]) {
          for (const n of [...tc.nodes, ...tc.afterRemovalNodes]) {
            expect(toHex(encodeNode(decodeNode(hex(n.block), { bitWidth: 3, maxCollisions: 4 })))).toBe(n.block)
          }
        }
      }
    })
  })
}

// -------------------------------------------------------------------------------------------
// Operations

describe('CHAMP operations', () => {
  it('put with a wrong expected value throws ChampCasError', async () => {
    const champ = newChamp(c)
    const k = vectorKey(c, 1)
    const [a, b] = [valueFor(c, 'a'), valueFor(c, 'b')]
    const root = await champ.put(await champ.createEmpty(), k, undefined, a)
    expect(await rejectionName(champ.put(root, k, undefined, b))).toBe('ChampCasError')
    expect(await rejectionName(champ.put(root, k, b, b))).toBe('ChampCasError')
    expect(await rejectionName(champ.put(root, vectorKey(c, 2), a, b))).toBe('ChampCasError')
    const updated = await champ.put(root, k, a, b)
    expect((await champ.get(updated, k))?.equals(b)).toBe(true)
    // Putting the same value again is a no-op on the root.
    expect((await champ.put(updated, k, b, b)).equals(updated)).toBe(true)
  })

  it('remove with a wrong expected value throws ChampCasError; removing an absent key is a no-op', async () => {
    const champ = newChamp(c)
    const keys = Array.from({ length: 40 }, (_, i) => vectorKey(c, i))
    const root = await build(champ, keys.map((k) => [k, valueFor(c, k)]))
    expect(await rejectionName(champ.remove(root, keys[3], undefined))).toBe('ChampCasError')
    expect(await rejectionName(champ.remove(root, keys[3], valueFor(c, 'other')))).toBe('ChampCasError')
    const absent = vectorKey(c, 1000)
    expect(await rejectionName(champ.remove(root, absent, valueFor(c, 'x')))).toBe('ChampCasError')
    expect((await champ.remove(root, absent, undefined)).equals(root)).toBe(true)
    const err = await champ.remove(root, keys[3], valueFor(c, 'other')).catch((e: unknown) => e)
    expect(err).toMatchObject({ name: 'ChampCasError', key: keys[3] })
  })

  it('lookup returns every node block on the path and the value', async () => {
    const champ = newChamp(c)
    const keys = Array.from({ length: 300 }, (_, i) => vectorKey(c, i))
    const root = await build(champ, keys.map((k) => [k, valueFor(c, k)]))
    let maxPath = 0
    for (const k of keys.slice(0, 50)) {
      const { value, path } = await champ.lookup(root, k)
      expect(value?.equals(valueFor(c, k))).toBe(true)
      expect(path[0].cid.equals(root)).toBe(true)
      for (const b of path) verifyBlock(c, b.cid, b.bytes)
      for (let i = 1; i < path.length; i++) expect(toHex(path[i - 1].bytes)).toContain(toHex(path[i].cid.bytes))
      maxPath = Math.max(maxPath, path.length)
    }
    expect(maxPath).toBeGreaterThan(1)
    const missing = await champ.lookup(root, vectorKey(c, 5000))
    expect(missing.value).toBeUndefined()
    expect(missing.path.length).toBeGreaterThan(0)
  })

  it('getLocal answers as get does through nodes at hand, and says when one is not', async () => {
    const store = new MemoryBlockStore(c)
    const keys = Array.from({ length: 300 }, (_, i) => vectorKey(c, i))
    const root = await build(new Champ({ store, crypto: c }), keys.map((k) => [k, valueFor(c, k)]))
    const blocks = new Map<string, Uint8Array>()
    for await (const b of new Champ({ store, crypto: c }).blocks(root)) blocks.set(cidToString(b.cid), b.bytes)
    // a fresh reader whose store hands out only the blocks in `blocks`, synchronously
    const reader = (have: (cid: CID) => boolean): Champ => new Champ({
      crypto: c,
      store: { trusted: true, get: async (cid) => blocks.get(cidToString(cid)), put: () => Promise.reject(new Error('read-only')), getLocal: (cid) => (have(cid) ? blocks.get(cidToString(cid)) : undefined) },
    })
    const all = reader(() => true)
    for (const k of [...keys.slice(0, 60), vectorKey(c, 5000), vectorKey(c, 5001)]) {
      const local = all.getLocal(root, k)
      expect(local.complete).toBe(true)
      expect(local.value?.toString()).toBe((await all.get(root, k))?.toString())
    }
    const rootOnly = reader((cid) => cid.equals(root))
    expect(keys.some((k) => !rootOnly.getLocal(root, k).complete)).toBe(true)
    expect(reader(() => false).getLocal(root, keys[0])).toEqual({ complete: false })
    // a node decoded by get() is at hand afterwards, whatever getLocal of the store says
    const none = reader(() => false)
    await none.get(root, keys[0])
    expect(none.getLocal(root, keys[0]).value?.equals(valueFor(c, keys[0]))).toBe(true)
  })

  it('lookupDecoded visits the path lookup returns, through decoded nodes only, and says when one is not decoded', async () => {
    const store = new MemoryBlockStore(c)
    const keys = Array.from({ length: 300 }, (_, i) => vectorKey(c, i))
    const root = await build(new Champ({ store, crypto: c }), keys.map((k) => [k, valueFor(c, k)]))
    const reader = new Champ({ store, crypto: c })
    const path = (k: Uint8Array): { complete: boolean; value?: string; cids: string[] } => {
      const cids: string[] = []
      const r = reader.lookupDecoded(root, k, (b) => cids.push(cidToString(b.cid)))
      return { complete: r.complete, value: r.value?.toString(), cids }
    }
    expect(path(keys[0])).toEqual({ complete: false, cids: [] }) // nothing decoded yet
    for (const k of [...keys.slice(0, 40), vectorKey(c, 5000)]) {
      const before = path(k)
      const looked = await reader.lookup(root, k) // decodes the whole path
      const after = path(k)
      expect(after).toEqual({ complete: true, value: looked.value?.toString(), cids: looked.path.map((b) => cidToString(b.cid)) })
      expect(after.cids.slice(0, before.cids.length)).toEqual(before.cids) // an incomplete walk visits the start of the path
    }
  })

  it('writes the mirror BAT on the root only and keeps it through puts and removes (mirrorOnRoot)', async () => {
    const champ = newChamp(c, { bitWidth: 5, maxCollisions: 3 })
    const bat = valueFor(c, 'bat secret')
    const empty = await champ.createEmpty({ mirrorBat: bat })
    const emptyBytes = (await collect(champ.blocks(empty)))[0].bytes
    expect(toHex(emptyBytes)).toBe('a2' + '6164' + '83404080' + '6462617473' + '81' + '5824' + toHex(bat.bytes))
    const plainChamp = newChamp(c, { bitWidth: 5, maxCollisions: 3 })
    for (let n = 0; n < 40; n += 7) {
      let root = empty
      const keys = Array.from({ length: n }, (_, i) => vectorKey(c, i))
      for (const k of keys) root = await champ.put(root, k, undefined, valueFor(c, k), { mirrorBat: bat })
      const extra = vectorKey(c, 999)
      const added = await champ.put(root, extra, undefined, valueFor(c, 'v'), { mirrorBat: bat })
      expect((await champ.readNode(added)).mirrorBat?.equals(bat)).toBe(true)
      const removed = await champ.remove(added, extra, valueFor(c, 'v'), { mirrorBat: bat })
      expect(removed.equals(root)).toBe(true)
      const blocks = await collect(champ.blocks(root))
      for (const b of blocks.slice(1)) expect((await champ.readNode(b.cid)).mirrorBat).toBeUndefined()
      // Same contents without the BAT differ only in the root wrapper.
      const plain = await build(plainChamp, keys.map((k) => [k, valueFor(c, k)]))
      const plainRoot = await plainChamp.readNode(plain)
      expect(toHex(encodeNode({ ...plainRoot, mirrorBat: bat }))).toBe(toHex(blocks[0].bytes))
    }
  })

  it('a bucket that would overflow at the maximum depth is a ChampHashCollisionError', async () => {
    const champ = newChamp(c)
    // Identity hashes read as zero past the end of the key, so these five keys share every hash bit.
    const keys = [[1], [1, 0], [1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0, 0]].map((k) => new Uint8Array(k))
    let root = await champ.createEmpty()
    for (const k of keys.slice(0, 4)) root = await champ.put(root, k, undefined, valueFor(c, k))
    expect(await rejectionName(champ.put(root, keys[4], undefined, valueFor(c, 'x')))).toBe('ChampHashCollisionError')
  })

  it('entries and size list exactly the mappings with a value', async () => {
    const champ = newChamp(c, { keyHash: 'blake2b' })
    const keys = Array.from({ length: 120 }, (_, i) => vectorKey(c, i))
    const root = await build(champ, keys.map((k) => [k, valueFor(c, k)]))
    const entries = await collect(champ.entries(root))
    expect(entries.map((e) => hexKey(e.key)).sort()).toEqual(keys.map(hexKey).sort())
    for (const e of entries) expect(e.value.equals(valueFor(c, e.key))).toBe(true)
    expect(await champ.size(root)).toBe(120)
    // Keys handed out are copies: changing them does not change the tree.
    entries[0].key.fill(0)
    expect((await collect(champ.entries(root))).map((e) => hexKey(e.key)).sort()).toEqual(keys.map(hexKey).sort())
  })
})

// -------------------------------------------------------------------------------------------
// diff and merge

function changeStrings(changes: ChampChange[]): string[] {
  return changes.map((ch) => `${hexKey(ch.key)}:${ch.before?.toString() ?? '-'}>${ch.after?.toString() ?? '-'}`).sort()
}

describe('CHAMP diff and merge', () => {
  it('diff lists exactly the changed keys, across structural changes', async () => {
    for (const kind of ['identity', 'blake2b'] as const) {
      const champ = newChamp(c, { keyHash: kind })
      const keys = Array.from({ length: 200 }, (_, i) => vectorKey(c, i))
      const root = await build(champ, keys.slice(0, 150).map((k) => [k, valueFor(c, k)]))
      expect(await collect(champ.diff(root, root))).toEqual([])
      expect((await collect(champ.diff(undefined, root))).length).toBe(150)
      expect((await collect(champ.diff(root, undefined))).every((ch) => ch.after === undefined)).toBe(true)

      let after = root
      const expected: ChampChange[] = []
      for (let i = 150; i < 200; i++) { // additions (create and split buckets)
        after = await champ.put(after, keys[i], undefined, valueFor(c, keys[i]))
        expected.push({ key: keys[i], before: undefined, after: valueFor(c, keys[i]) })
      }
      for (let i = 0; i < 150; i += 4) { // removals (collapse subtrees)
        after = await champ.remove(after, keys[i], valueFor(c, keys[i]))
        expected.push({ key: keys[i], before: valueFor(c, keys[i]), after: undefined })
      }
      for (let i = 1; i < 150; i += 10) { // updates
        after = await champ.put(after, keys[i], valueFor(c, keys[i]), valueFor(c, 'new' + i))
        expected.push({ key: keys[i], before: valueFor(c, keys[i]), after: valueFor(c, 'new' + i) })
      }
      expect(changeStrings(await collect(champ.diff(root, after)))).toEqual(changeStrings(expected))
      const reverse = expected.map((ch) => ({ key: ch.key, before: ch.after, after: ch.before }))
      expect(changeStrings(await collect(champ.diff(after, root)))).toEqual(changeStrings(reverse))
    }
  })

  it('merges disjoint changes into the canonical root of the combined contents', async () => {
    const champ = newChamp(c, { bitWidth: 5, maxCollisions: 3 })
    const keys = Array.from({ length: 120 }, (_, i) => vectorKey(c, i))
    const state = new Map(keys.slice(0, 80).map((k) => [hexKey(k), [k, valueFor(c, k)] as [Uint8Array, CID]]))
    const original = await build(champ, state.values())
    let ours = original
    let theirs = original
    for (let i = 80; i < 100; i++) ours = await champ.put(ours, keys[i], undefined, valueFor(c, keys[i]))
    for (let i = 100; i < 120; i++) theirs = await champ.put(theirs, keys[i], undefined, valueFor(c, keys[i]))
    for (let i = 0; i < 20; i += 2) ours = await champ.remove(ours, keys[i], valueFor(c, keys[i]))
    for (let i = 1; i < 20; i += 2) theirs = await champ.remove(theirs, keys[i], valueFor(c, keys[i]))
    ours = await champ.put(ours, keys[30], valueFor(c, keys[30]), valueFor(c, 'ours'))
    theirs = await champ.put(theirs, keys[31], valueFor(c, keys[31]), valueFor(c, 'theirs'))
    // The same change on both sides is not a conflict.
    ours = await champ.put(ours, keys[40], valueFor(c, keys[40]), valueFor(c, 'both'))
    theirs = await champ.put(theirs, keys[40], valueFor(c, keys[40]), valueFor(c, 'both'))

    const merged = await champ.merge(original, ours, theirs)
    for (let i = 80; i < 120; i++) state.set(hexKey(keys[i]), [keys[i], valueFor(c, keys[i])])
    for (let i = 0; i < 20; i++) state.delete(hexKey(keys[i]))
    state.set(hexKey(keys[30]), [keys[30], valueFor(c, 'ours')])
    state.set(hexKey(keys[31]), [keys[31], valueFor(c, 'theirs')])
    state.set(hexKey(keys[40]), [keys[40], valueFor(c, 'both')])
    expect(merged.equals(await build(champ, state.values()))).toBe(true)
    expect((await champ.merge(original, ours, original)).equals(ours)).toBe(true)
    expect((await champ.merge(undefined, ours, undefined)).equals(ours)).toBe(true)
  })

  it('a key changed differently on both sides is a ChampMergeConflictError', async () => {
    const champ = newChamp(c)
    const keys = Array.from({ length: 30 }, (_, i) => vectorKey(c, i))
    const original = await build(champ, keys.map((k) => [k, valueFor(c, k)]))
    const ours = await champ.put(original, keys[5], valueFor(c, keys[5]), valueFor(c, 'ours'))
    const theirs = await champ.put(original, keys[5], valueFor(c, keys[5]), valueFor(c, 'theirs'))
    expect(await rejectionName(champ.merge(original, ours, theirs))).toBe('ChampMergeConflictError')
    const theirsRemoved = await champ.remove(original, keys[5], valueFor(c, keys[5]))
    expect(await rejectionName(champ.merge(original, ours, theirsRemoved))).toBe('ChampMergeConflictError')
    const bothAdd = [await champ.put(original, vectorKey(c, 99), undefined, valueFor(c, 'a')), await champ.put(original, vectorKey(c, 99), undefined, valueFor(c, 'b'))]
    expect(await rejectionName(champ.merge(original, bothAdd[0], bothAdd[1]))).toBe('ChampMergeConflictError')
  })
})

// -------------------------------------------------------------------------------------------
// Properties

const RUNS = Number(process.env.CHAMP_RUNS ?? 150)

/** Small keys over a tiny alphabet, so hashes share long prefixes and the trie gets deep. */
const smallKey = fc.uint8Array({ minLength: 3, maxLength: 3, min: 0, max: 3 })

interface Scenario { keys: Uint8Array[]; removed: boolean[]; updated: boolean[]; priorities: number[] }

const scenario = fc.uniqueArray(smallKey, { minLength: 0, maxLength: 40, selector: hexKey }).chain((keys) =>
  fc.record({
    keys: fc.constant(keys),
    removed: fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length }),
    updated: fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length }),
    priorities: fc.array(fc.nat(), { minLength: 3 * keys.length, maxLength: 3 * keys.length }),
  }),
)

const configs = [
  { name: 'bitWidth 3, maxCollisions 4, identity', opts: { bitWidth: 3, maxCollisions: 4, keyHash: 'identity' as const } },
  { name: 'bitWidth 5, maxCollisions 3, blake2b', opts: { bitWidth: 5, maxCollisions: 3, keyHash: 'blake2b' as const } },
  { name: 'bitWidth 2, maxCollisions 1, identity', opts: { bitWidth: 2, maxCollisions: 1, keyHash: 'identity' as const } },
  { name: 'bitWidth 3, maxCollisions 4, identity, 4-node cache', opts: { bitWidth: 3, maxCollisions: 4, keyHash: 'identity' as const, cacheSize: 4 } },
]

describe('CHAMP properties', () => {
  for (const cfg of configs) {
    it(`${cfg.name}: any order of puts, updates and removals gives the root of a direct build; get and entries agree`, async () => {
      const champ = newChamp(c, cfg.opts)
      const fresh = newChamp(c, cfg.opts)
      const empty = await champ.createEmpty()
      await fc.assert(
        fc.asyncProperty(scenario, async ({ keys, removed, updated, priorities }: Scenario) => {
          // Each key has three events (insert < update < remove) placed on a random timeline.
          const events: { t: number; i: number; kind: number }[] = []
          keys.forEach((_, i) => {
            const ts = priorities.slice(3 * i, 3 * i + 3).sort((a, b) => a - b)
            events.push({ t: ts[0], i, kind: 0 }, { t: ts[1], i, kind: 1 }, { t: ts[2], i, kind: 2 })
          })
          events.sort((a, b) => a.t - b.t || a.kind - b.kind || a.i - b.i)
          let root = empty
          const current = new Map<string, CID>()
          for (const e of events) {
            const k = keys[e.i]
            const old = current.get(hexKey(k))
            if (e.kind === 0) {
              root = await champ.put(root, k, undefined, valueFor(c, k))
              current.set(hexKey(k), valueFor(c, k))
            } else if (e.kind === 1 && updated[e.i]) {
              const v = valueFor(c, 'u' + hexKey(k))
              root = await champ.put(root, k, old, v)
              current.set(hexKey(k), v)
            } else if (e.kind === 2 && removed[e.i]) {
              root = await champ.remove(root, k, old)
              current.delete(hexKey(k))
            }
          }
          const direct = await build(fresh, keys.filter((k) => current.has(hexKey(k))).map((k) => [k, current.get(hexKey(k))!]))
          expect(root.equals(direct)).toBe(true)
          for (const k of keys) expect((await champ.get(root, k))?.toString()).toBe(current.get(hexKey(k))?.toString())
          const listed = await collect(champ.entries(root))
          expect(listed.map((e) => `${hexKey(e.key)}=${e.value}`).sort()).toEqual([...current].map(([k, v]) => `${k}=${v}`).sort())
        }),
        { numRuns: RUNS },
      )
    })
  }

  it('a fresh reader (no cache, verifying) sees the same contents as the writer', async () => {
    const store = new MemoryBlockStore(c)
    const writer = new Champ({ store, crypto: c })
    const reader = new Champ({ store, crypto: c, cacheSize: 0, verify: true })
    const keys = Array.from({ length: 200 }, (_, i) => vectorKey(c, i))
    const root = await build(writer, keys.map((k) => [k, valueFor(c, k)]))
    for (const k of keys) expect((await reader.get(root, k))?.equals(valueFor(c, k))).toBe(true)
    expect(await reader.size(root)).toBe(200)
  })
})
