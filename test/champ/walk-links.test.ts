// The in-memory walks (getLocal, lookupDecoded) link each parent to the children walked to: the same
// answers and paths as get() and lookup() through caches of every size, many rotations included, and
// no link keeps a node reachable once the decoded-node cache has dropped it.
import { beforeAll, describe, expect, it } from 'vitest'
import { cidToString, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { Champ, MemoryBlockStore } from '../../src/champ/index.ts'
import { build, crypto, valueFor, vectorKey } from './helpers.ts'

let c: CryptoProvider
let store: MemoryBlockStore
let root: CID
const keys: Uint8Array[] = []
beforeAll(async () => {
  c = await crypto()
  store = new MemoryBlockStore(c)
  for (let i = 0; i < 400; i++) keys.push(vectorKey(c, i))
  root = await build(new Champ({ store, crypto: c }), keys.map((k) => [k, valueFor(c, k)]))
})

/** A reader that decodes nodes only through get() (its store hands nothing out synchronously). */
function reader(cacheSize: number): Champ {
  return new Champ({ crypto: c, cacheSize, store: { trusted: true, get: (cid) => store.get(cid), put: () => Promise.reject(new Error('read-only')), getLocal: () => undefined } })
}

describe('walks through linked children', () => {
  for (const cacheSize of [0, 4, 7, 40, 20_000]) {
    it(`answer as get() and lookup() do, pass after pass (cache of ${cacheSize} nodes)`, async () => {
      const walker = reader(cacheSize)
      const reference = new Champ({ store, crypto: c })
      const probes = [...keys.slice(0, 120), vectorKey(c, 5000), vectorKey(c, 5001)]
      for (let pass = 0; pass < 3; pass++) {
        for (const k of probes) {
          const expected = await reference.lookup(root, k)
          await walker.get(root, k) // decodes the path (the store's getLocal hands out nothing)
          const visited: string[] = []
          const decoded = walker.lookupDecoded(root, k, (b) => visited.push(cidToString(b.cid)))
          if (decoded.complete) {
            expect(decoded.value?.toString()).toBe(expected.value?.toString())
            expect(visited).toEqual(expected.path.map((b) => cidToString(b.cid)))
          } else {
            expect(cacheSize).toBeLessThan(20) // only a tiny cache drops a path it just decoded
            expect(visited).toEqual(expected.path.slice(0, visited.length).map((b) => cidToString(b.cid)))
          }
          const local = walker.getLocal(root, k)
          if (local.complete) expect(local.value?.toString()).toBe(expected.value?.toString())
        }
      }
    })
  }

  it('keep no node the cache dropped: a path evicted since is reported incomplete', async () => {
    const reference = new Champ({ store, crypto: c })
    const others = keys.slice(200, 400)
    const onOtherPaths = new Set<string>()
    for (const k of others) for (const b of (await reference.lookup(root, k)).path) onOtherPaths.add(cidToString(b.cid))
    // a key whose deepest node no other walk below passes through
    let deep: Uint8Array | undefined
    let path: { cid: CID }[] = []
    for (const k of keys.slice(0, 200)) {
      path = (await reference.lookup(root, k)).path
      if (path.length > 2 && !onOtherPaths.has(cidToString(path[path.length - 1].cid))) {
        deep = k
        break
      }
    }
    expect(deep).toBeDefined()
    const walker = reader(6) // generations of 3 nodes
    await walker.get(root, deep!)
    expect(walker.lookupDecoded(root, deep!, () => undefined).complete).toBe(true) // linked now, root to leaf
    for (const k of others) await walker.get(root, k) // the cache rotates dozens of times
    expect(walker.lookupDecoded(root, deep!, () => undefined).complete).toBe(false)
    expect(walker.getLocal(root, deep!).complete).toBe(false)
    await walker.get(root, deep!) // and reads it again
    expect(walker.getLocal(root, deep!).value?.toString()).toBe(valueFor(c, deep!).toString())
  })
})
