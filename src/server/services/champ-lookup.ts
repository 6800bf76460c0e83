// champ/get(/bulk) (reference §7.3; Peergos getChampLookup): every CHAMP node on each key's path plus its
// value block, in one reply the client verifies; path nodes are read without BAT (as Peergos does), value
// blocks with the cap's BAT; a root that cannot be walked falls back to the committed WriterData's tree.
// Paths through decoded nodes and blocks in memory are walked and checked without waiting.
import { cidKey } from '../../champ/block-store.ts'
import type { Champ, ChampBlock } from '../../champ/champ.ts'
import { cidToString, type CID } from '../../codec/cid.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import { MAX_CHAMP_GETS, type ChunkMirrorCap } from '../../services/content-addressed-storage.ts'
import { MissingBlockError } from '../../services/errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { BlockReadAuthoriser } from './block-read-auth.ts'
import type { WriterDataCache } from './writer-data-cache.ts'

export interface ChampLookupDeps {
  readonly blocks: Pick<ServerBlockStore, 'has' | 'get'> & {
    /** The block when it is in memory, else undefined (then get() reads it). */
    getCached?(cid: CID): Uint8Array | undefined
  }
  readonly champ: Champ
  readonly auth: BlockReadAuthoriser
  readonly writerData: WriterDataCache
}

/** The reply's blocks, each once, in the order first needed. */
class ReplyBlocks {
  readonly blocks: Uint8Array[] = []
  private readonly seen = new Set<string>()

  has(cid: CID): boolean {
    return this.seen.has(cidKey(cid))
  }

  add(cid: CID, block: Uint8Array): void {
    const k = cidKey(cid)
    if (this.seen.has(k)) return
    this.seen.add(k)
    this.blocks.push(block)
  }
}

/** The blocks of the lookups, each once, in the order first needed. */
export async function champLookup(d: ChampLookupDeps, root: CID, caps: readonly ChunkMirrorCap[], committedRoot?: CID): Promise<Uint8Array[]> {
  if (caps.length > MAX_CHAMP_GETS) throw new InvalidObjectError(`Too many caps in bulk champ get call! ${caps.length}`)
  if (!(await d.blocks.has(root))) throw new MissingBlockError(`Champ root not present locally: ${cidToString(root)}`)
  const out = new ReplyBlocks()
  // Set at the first lookup that has to wait: the later lookups' reads, started together.
  let ahead: Promise<ReadAhead | undefined>[] | undefined
  for (let i = 0; i < caps.length; i++) {
    const cap = caps[i]
    // Read ahead: its path's nodes are decoded and its value block read, or it failed and is walked again here.
    const pending = ahead?.[i]
    const early = pending === undefined ? undefined : await pending
    let value = walkNow(d, root, cap.mapKey, out)
    if (value === NOT_NOW) {
      value = await walkOrCommitted(d, root, cap.mapKey, out, committedRoot)
      ahead ??= readAhead(d, root, caps, i + 1)
    }
    if (value === undefined || out.has(value)) continue
    let block = d.blocks.getCached?.(value)
    if (block === undefined) {
      ahead ??= readAhead(d, root, caps, i + 1)
      block = (early !== undefined && early.value.equals(value) ? early.block : undefined) ?? (await d.blocks.get(value))
    }
    if (block === undefined) continue
    if (!d.auth.readableNow(value, block, cap.bat)) await d.auth.check(value, block, cap.bat)
    out.add(value, block)
  }
  return out.blocks
}

/** A value block read ahead, for the lookup that finds the same value. */
interface ReadAhead {
  readonly value: CID
  readonly block: Uint8Array
}

/**
 * Starts, all at once, the reads of the lookups from caps[from] on: each path's nodes not decoded yet
 * (left decoded in the CHAMP's cache) and its value block (kept here: only small ones are cached). They
 * are checked when their turn comes, as before; a failure is met again then, so it is dropped here.
 * Together the reads go to the disk in few batches (blocks/small-reads.ts) instead of one after another.
 */
function readAhead(d: ChampLookupDeps, root: CID, caps: readonly ChunkMirrorCap[], from: number): Promise<ReadAhead | undefined>[] {
  const reads: Promise<ReadAhead | undefined>[] = new Array(caps.length)
  for (let j = from; j < caps.length; j++) reads[j] = readOne(d, root, caps[j].mapKey).catch(() => undefined)
  return reads
}

async function readOne(d: ChampLookupDeps, root: CID, key: Uint8Array): Promise<ReadAhead | undefined> {
  const local = d.champ.lookupDecoded(root, key, () => undefined)
  const value = local.complete ? local.value : (await d.champ.lookup(root, key)).value
  if (value === undefined || d.blocks.getCached?.(value) !== undefined) return undefined
  const block = await d.blocks.get(value)
  return block === undefined ? undefined : { value, block }
}

/** walk() from `root`, or from the committed WriterData's tree when `root` cannot be walked. */
async function walkOrCommitted(d: ChampLookupDeps, root: CID, key: Uint8Array, out: ReplyBlocks, committedRoot: CID | undefined): Promise<CID | undefined> {
  try {
    return await walk(d, root, key, out)
  } catch (e) {
    if (committedRoot === undefined) throw e
    const tree = (await d.writerData.get(committedRoot)).tree
    if (tree === undefined) throw e
    return walk(d, tree, key, out)
  }
}

/** walkNow's answer when the path needs a wait (a node not decoded, a BAT to look up) or a walk fails. */
const NOT_NOW = Symbol('not now')

/**
 * walk() without a promise, for a path through decoded nodes that are all readable at once (a
 * listing's usual case: 20 lookups per call, 500 calls); NOT_NOW, with `out` untouched, otherwise.
 */
function walkNow(d: ChampLookupDeps, root: CID, key: Uint8Array, out: ReplyBlocks): CID | undefined | typeof NOT_NOW {
  const fresh: ChampBlock[] = []
  let local: { complete: boolean; value?: CID }
  try {
    local = d.champ.lookupDecoded(root, key, (b) => {
      if (!out.has(b.cid)) fresh.push(b)
    })
  } catch {
    return NOT_NOW // walk() meets the same error and decides
  }
  if (!local.complete) return NOT_NOW
  for (const b of fresh) if (!d.auth.readableNow(b.cid, b.bytes)) return NOT_NOW
  for (const b of fresh) out.add(b.cid, b.bytes)
  return local.value
}

/** Looks the key up, adds the path nodes to `out` (each must be public) and returns the value. */
async function walk(d: ChampLookupDeps, root: CID, key: Uint8Array, out: ReplyBlocks): Promise<CID | undefined> {
  const fresh: ChampBlock[] = []
  const local = d.champ.lookupDecoded(root, key, (b) => {
    if (!out.has(b.cid)) fresh.push(b)
  })
  let value = local.value
  if (!local.complete) {
    const { value: v, path } = await d.champ.lookup(root, key)
    value = v
    fresh.length = 0
    for (const b of path) if (!out.has(b.cid)) fresh.push(b)
  }
  for (const b of fresh) if (!d.auth.readableNow(b.cid, b.bytes)) await d.auth.check(b.cid, b.bytes)
  for (const b of fresh) out.add(b.cid, b.bytes)
  return value
}
