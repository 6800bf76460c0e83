// CHAMP figures: put and get rates on a 100,000-entry CHAMP in memory (bit width 3, buckets of 4,
// identity key hash as in the filesystem tree, random 32-byte labels).
import { Champ, MemoryBlockStore } from '../src/champ/index.ts'
import { blockCid } from '../src/codec/cid.ts'
import { createNodeCrypto } from '../src/crypto/providers/node.ts'
import type { Figure } from './figures.ts'

const N = 100_000

export async function run(): Promise<Figure[]> {
  const c = await createNodeCrypto()
  const store = new MemoryBlockStore(c)
  const champ = new Champ({ store, crypto: c })
  const keys = Array.from({ length: N }, () => c.randomBytes(32))
  const value = blockCid(c, new Uint8Array([1]), true)

  let root = await champ.createEmpty()
  const t0 = performance.now()
  for (const k of keys) root = await champ.put(root, k, undefined, value)
  const putMs = performance.now() - t0

  const order = keys.map((_, i) => (i * 7919) % N)
  const t1 = performance.now()
  for (const i of order) {
    if ((await champ.get(root, keys[i])) === undefined) throw new Error('missing key')
  }
  const getMs = performance.now() - t1
  return [
    { name: 'champ.put.perSec', value: (N / putMs) * 1000, unit: `puts/s (building ${N} entries in memory)` },
    { name: 'champ.get.perSec', value: (N / getMs) * 1000, unit: `gets/s (${N} entries in memory)` },
  ]
}
