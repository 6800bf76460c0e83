// The plaintext hash tree of a file (reference §2.6; Peergos HashTree, ChunkHashList, RootHash):
// level 1 is the sha256 of each 5 MiB chunk, grouped 1024 per list; higher levels hash the CBOR of
// each list below; the root is sha256 of the CBOR list of the top level. Each chunk whose index is a
// multiple of 1024 carries the branch (root plus its lists) in its FileProperties.
import { encodeCbor, type CborValue } from '../codec/cbor.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { HashBranch } from '../model/file-properties.ts'
import { concatBytes } from '../model/bytes.ts'

export const HASHES_PER_LIST = 1024

export interface HashTree {
  readonly rootHash: Uint8Array
  readonly level1: Uint8Array[]
  readonly level2: Uint8Array[]
  readonly level3: Uint8Array[]
}

function listCbor(hashes: Uint8Array): CborValue {
  return new Map<string, CborValue>([['h', hashes]])
}

function group(hashes: readonly Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < hashes.length; i += HASHES_PER_LIST) out.push(concatBytes(...hashes.slice(i, i + HASHES_PER_LIST)))
  return out
}

function rootOf(c: CryptoProvider, level: readonly Uint8Array[]): Uint8Array {
  return c.sha256(encodeCbor(level.map(listCbor)))
}

/** HashTree.build from the sha256 of every chunk, in order. */
export function buildHashTree(c: CryptoProvider, chunkHashes: readonly Uint8Array[]): HashTree {
  if (chunkHashes.length === 0) throw new RangeError('A file cannot have no chunk hashes')
  const level1 = group(chunkHashes)
  if (level1.length === 1) return { rootHash: rootOf(c, level1), level1, level2: [], level3: [] }
  const level2 = group(level1.map((l) => c.sha256(encodeCbor(listCbor(l)))))
  if (level2.length === 1) return { rootHash: rootOf(c, level2), level1, level2, level3: [] }
  const level3 = group(level2.map((l) => c.sha256(encodeCbor(listCbor(l)))))
  if (level3.length === 1) return { rootHash: rootOf(c, level3), level1, level2, level3 }
  throw new RangeError('Files bigger than 5 PiB are not supported in HashTree')
}

/** HashTree.branch: the root and the lists covering chunk `index` (written on chunks whose index is a multiple of 1024). */
export function hashBranch(tree: HashTree, index: number): HashBranch {
  const at = (level: Uint8Array[], per: number): Uint8Array | undefined => level[Math.floor(index / per)]
  return {
    rootHash: tree.rootHash,
    level1: at(tree.level1, HASHES_PER_LIST),
    level2: at(tree.level2, HASHES_PER_LIST ** 2),
    level3: at(tree.level3, HASHES_PER_LIST ** 3),
  }
}
