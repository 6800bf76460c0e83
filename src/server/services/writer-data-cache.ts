// Decoded WriterData blocks by CID (reference §3.2), decoded once and cached (they never change); small
// dag-cbor blocks just written are kept too, since a commit puts its WriterData and then sets the
// pointer, whose check then needs no disk read.
import { binaryKey } from '../../champ/block-store.ts'
import { CODEC_DAG_CBOR, cidToString, type CID } from '../../codec/cid.ts'
import { decodeWriterData, type WriterData } from '../../model/writer-data.ts'
import { MissingBlockError } from '../../services/errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import { Lru } from './lru.ts'

/** Blocks up to this size are remembered when written (WriterData blocks are a few hundred bytes). */
const RECENT_MAX_BYTES = 4096

export class WriterDataCache {
  private readonly decoded: Lru<string, WriterData>
  private readonly recent: Lru<string, Uint8Array>

  constructor(private readonly blocks: ServerBlockStore, cacheSize = 10_000) {
    this.decoded = new Lru(cacheSize)
    this.recent = new Lru(Math.min(cacheSize, 4096))
  }

  /** Remembers a dag-cbor block the store has just accepted (hash-checked) for a likely WriterData read. */
  written(cid: CID, block: Uint8Array): void {
    // a copy: the block may be a view into a whole request body
    if (cid.code === CODEC_DAG_CBOR && block.length <= RECENT_MAX_BYTES) this.recent.set(binaryKey(cid.bytes), block.slice())
  }

  /**
   * The WriterData stored under `cid`: MissingBlockError when absent (with `requirePresent`, also when
   * only a cache still knows it, e.g. after GC), a CborDecodeError when malformed.
   */
  async get(cid: CID, requirePresent = false): Promise<WriterData> {
    const k = binaryKey(cid.bytes)
    const hit = this.decoded.get(k)
    if (hit !== undefined) {
      if (requirePresent && !(await this.blocks.has(cid))) throw missing(cid)
      return hit
    }
    let block = this.recent.get(k)
    if (block !== undefined && requirePresent && !(await this.blocks.has(cid))) block = undefined
    block ??= await this.blocks.get(cid)
    if (block === undefined) throw missing(cid)
    const wd = decodeWriterData(block)
    this.decoded.set(k, wd)
    this.recent.delete(k)
    return wd
  }
}

function missing(cid: CID): MissingBlockError {
  return new MissingBlockError(`Couldn't retrieve WriterData from dht! ${cidToString(cid)}`)
}
