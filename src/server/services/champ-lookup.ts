// champ/get(/bulk) (reference §7.3; Peergos getChampLookup): every CHAMP node on each key's path plus its
// value block, in one reply the client verifies; path nodes are read without BAT (as Peergos does), value
// blocks with the cap's BAT; a root that cannot be walked falls back to the committed WriterData's tree.
import { binaryKey } from '../../champ/block-store.ts'
import type { Champ } from '../../champ/champ.ts'
import { cidToString, type CID } from '../../codec/cid.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import { MAX_CHAMP_GETS, type ChunkMirrorCap } from '../../services/content-addressed-storage.ts'
import { MissingBlockError } from '../../services/errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { BlockReadAuthoriser } from './block-read-auth.ts'
import type { WriterDataCache } from './writer-data-cache.ts'

export interface ChampLookupDeps {
  readonly blocks: Pick<ServerBlockStore, 'has' | 'get'>
  readonly champ: Champ
  readonly auth: BlockReadAuthoriser
  readonly writerData: WriterDataCache
}

/** The blocks of the lookups, each once, in the order first needed. */
export async function champLookup(d: ChampLookupDeps, root: CID, caps: readonly ChunkMirrorCap[], committedRoot?: CID): Promise<Uint8Array[]> {
  if (caps.length > MAX_CHAMP_GETS) throw new InvalidObjectError(`Too many caps in bulk champ get call! ${caps.length}`)
  if (!(await d.blocks.has(root))) throw new MissingBlockError(`Champ root not present locally: ${cidToString(root)}`)
  const out = new Map<string, Uint8Array>()
  for (const cap of caps) {
    let value: CID | undefined
    try {
      value = await walk(d, root, cap.mapKey, out)
    } catch (e) {
      if (committedRoot === undefined) throw e
      const tree = (await d.writerData.get(committedRoot)).tree
      if (tree === undefined) throw e
      value = await walk(d, tree, cap.mapKey, out)
    }
    if (value === undefined || out.has(binaryKey(value.bytes))) continue
    const block = await d.blocks.get(value)
    if (block === undefined) continue
    await d.auth.check(value, block, cap.bat)
    out.set(binaryKey(value.bytes), block)
  }
  return [...out.values()]
}

/** Looks the key up, adds the path nodes to `out` (each must be public) and returns the value. */
async function walk(d: ChampLookupDeps, root: CID, key: Uint8Array, out: Map<string, Uint8Array>): Promise<CID | undefined> {
  const { value, path } = await d.champ.lookup(root, key)
  const fresh = path.filter((b) => !out.has(binaryKey(b.cid.bytes)))
  for (const b of fresh) await d.auth.check(b.cid, b.bytes)
  for (const b of fresh) out.set(binaryKey(b.cid.bytes), b.bytes)
  return value
}
