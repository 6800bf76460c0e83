// Shared helpers of the CHAMP tests: providers, deterministic keys and values, direct builds.
import type { CID } from '../../src/codec/cid.ts'
import { blockCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { Champ, MemoryBlockStore, type ChampOptions } from '../../src/champ/index.ts'

let nodeCrypto: CryptoProvider | undefined
export async function crypto(): Promise<CryptoProvider> {
  return (nodeCrypto ??= await createNodeCrypto())
}

/** A fresh CHAMP over a fresh memory store. */
export function newChamp(c: CryptoProvider, opts: Partial<ChampOptions> = {}): Champ {
  return new Champ({ store: new MemoryBlockStore(c), crypto: c, ...opts })
}

/** The vectors' key_i = sha256(4-byte big-endian i). */
export function vectorKey(c: CryptoProvider, i: number): Uint8Array {
  const b = new Uint8Array(4)
  new DataView(b.buffer).setUint32(0, i)
  return c.sha256(b)
}

/** A value CID: the raw-block CID of some bytes. */
export function valueFor(c: CryptoProvider, data: Uint8Array | string): CID {
  return blockCid(c, typeof data === 'string' ? new TextEncoder().encode(data) : data, true)
}

export async function build(champ: Champ, mappings: Iterable<[Uint8Array, CID]>): Promise<CID> {
  let root = await champ.createEmpty()
  for (const [k, v] of mappings) root = await champ.put(root, k, undefined, v)
  return root
}

export function hexKey(b: Uint8Array): string {
  return Buffer.from(b).toString('hex')
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

/** The name of the error `p` rejects with, or 'no error'. */
export async function rejectionName(p: Promise<unknown>): Promise<string> {
  try {
    await p
  } catch (e) {
    return (e as Error).name
  }
  return 'no error'
}
