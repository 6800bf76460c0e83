// The size diff on its own (Peergos getChangeInContainedSize): on random DAGs edited at random, the change
// between two roots equals the difference of their full tree sizes; unchanged subtrees are not read; a DAG
// that links blocks many times is counted as a tree but computed in linear time, saturating.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor, type CborValue } from '../../../src/codec/cbor.ts'
import { cborMap } from '../../../src/codec/cbor-read.ts'
import { identityCid, type CID } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { BlockSizes } from '../../../src/server/space/block-sizes.ts'
import { MAX_COUNTED_SIZE, SizeDiff } from '../../../src/server/space/size-diff.ts'

/** A deterministic generator (mulberry32), so a failure replays. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('SizeDiff', () => {
  let c: CryptoProvider
  let root: string
  let blocks: FileBlockStore
  beforeAll(async () => {
    c = await createNodeCrypto()
    root = await mkdtemp(join(tmpdir(), 'pts-sizediff-'))
    blocks = await FileBlockStore.open({ root, crypto: c })
  })
  afterAll(async () => {
    await blocks.close()
    await rm(root, { recursive: true, force: true })
  })

  const node = (links: CID[], pad: number): Promise<CID> =>
    blocks.putBlock('u', encodeCbor(cborMap({ l: links as CborValue[], p: c.randomBytes(pad), k: identityCid(0x71, Uint8Array.of(1, 2, 3)) })), false)
  const leaf = (size: number): Promise<CID> => blocks.putBlock('u', c.randomBytes(size), true)

  /** A tree of `depth` levels with up to `fan` children per node, leaves raw. */
  async function tree(r: () => number, depth: number, fan: number): Promise<CID> {
    if (depth === 0) return leaf(1 + Math.floor(r() * 300))
    const n = Math.floor(r() * (fan + 1))
    const kids: CID[] = []
    for (let i = 0; i < n; i++) kids.push(await tree(r, depth - 1, fan))
    return node(kids, Math.floor(r() * 50))
  }

  /** A copy of `t` with one random subtree replaced, removed or added (shared parts keep their CIDs). */
  async function edit(r: () => number, t: CID, depth: number): Promise<CID> {
    const bytes = (await blocks.get(t))!
    if (t.code !== 0x71 || depth === 0) return tree(r, depth, 3)
    const { cborLinks } = await import('../../../src/server/services/cbor-links.ts')
    const links = cborLinks(bytes).filter((l) => l.multihash.code !== 0)
    const roll = r()
    if (links.length > 0 && roll < 0.5) {
      const i = Math.floor(r() * links.length)
      links[i] = await edit(r, links[i], depth - 1)
    } else if (links.length > 0 && roll < 0.75) links.splice(Math.floor(r() * links.length), 1)
    else links.push(await tree(r, depth - 1, 3))
    return node(links, Math.floor(r() * 50))
  }

  it('change(a, b) = treeSize(b) - treeSize(a) along random edit sequences', async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = rng(seed)
      const diff = new SizeDiff(new BlockSizes(blocks))
      let current = await tree(r, 4, 3)
      let sizeNow = await new SizeDiff(new BlockSizes(blocks)).treeSize(current)
      expect(await diff.change(undefined, current)).toBe(sizeNow)
      for (let step = 0; step < 12; step++) {
        const next = await edit(r, current, 4)
        const expected = (await new SizeDiff(new BlockSizes(blocks)).treeSize(next)) - sizeNow
        expect(await diff.change(current, next)).toBe(expected)
        sizeNow += expected
        current = next
      }
      expect(await diff.change(current, undefined)).toBe(-sizeNow)
    }
  })

  it('reads only the changed path when one leaf of a big tree changes', async () => {
    const leaves = await Promise.all(Array.from({ length: 64 }, () => leaf(1000)))
    const mids = await Promise.all(Array.from({ length: 8 }, (_, i) => node(leaves.slice(i * 8, i * 8 + 8), 10)))
    const top = await node(mids, 10)
    const changedLeaves = [...leaves.slice(0, 8)]
    changedLeaves[3] = await leaf(1500)
    const top2 = await node([await node(changedLeaves, 10), ...mids.slice(1)], 10)
    const sizes = new BlockSizes(blocks)
    const diff = new SizeDiff(sizes)
    expect(await diff.change(top, top2)).toBe(500)
    expect(sizes.reads).toBe(6) // both roots, both changed mids, both changed leaves
  })

  it('counts a block linked twice twice, in linear time, and saturates', async () => {
    let cid = await leaf(1000)
    for (let i = 0; i < 70; i++) cid = await node([cid, cid], 0)
    const sizes = new BlockSizes(blocks)
    const size = await new SizeDiff(sizes).treeSize(cid)
    expect(size).toBe(MAX_COUNTED_SIZE)
    expect(sizes.reads).toBe(71)
    const two = await node([await leaf(10), await leaf(10)], 0)
    const twice = await node([two, two], 0)
    const oneBlock = (await blocks.size(two))!
    const top = (await blocks.size(twice))!
    expect(await new SizeDiff(new BlockSizes(blocks)).treeSize(twice)).toBe(top + 2 * (oneBlock + 20))
    // dropping one of two equal links takes one copy off (multiset difference, not set difference)
    const x = await leaf(100)
    const y = await leaf(50)
    const a = await node([x, x, y], 0)
    const b = await node([x, y], 0)
    const diff = await new SizeDiff(new BlockSizes(blocks)).change(a, b)
    expect(diff).toBe((await blocks.size(b))! - (await blocks.size(a))! - 100)
  })
})
