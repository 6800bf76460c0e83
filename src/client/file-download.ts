// Downloading a file as a stream (reference §2.4, Peergos fast seeking): the chunk holding any
// offset is found with floor(offset / 5 MiB) local hashes of the stream secret and one CHAMP
// lookup; the next chunks are fetched ahead while the caller consumes the current one. Every
// block is verified by the TreeReader; a missing or short chunk is an error, never silent zeros.
import type { CID } from '../codec/cid.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import type { ReadCryptreeBlock } from '../model/cryptree-read.ts'
import { calculateNextMapKey, type FileProperties } from '../model/file-properties.ts'
import { NotFoundError } from './errors.ts'
import { chunkLocation } from './file-upload.ts'
import { CHUNK_SIZE, type TreeReader } from './tree-reader.ts'

export interface ReadRange {
  /** First byte (default 0). */
  readonly offset?: number
  /** Bytes to read (default: to the end). */
  readonly length?: number
  /** Chunks fetched ahead of the one being consumed (default 2). */
  readonly chunksAhead?: number
  readonly signal?: AbortSignal
  /**
   * The caller keeps each piece only until it asks for the next (opt-in): chunks are then opened into
   * a few plaintext buffers this read reuses (chunksAhead + 2 at most, dropped when it ends) instead
   * of a fresh 5 MiB each. By default every piece is the caller's to keep.
   */
  readonly reuse?: boolean
}

/** Streams the bytes [offset, offset + length) of the file `cap` points at. */
export async function* readFileRange(reader: TreeReader, cap: AbsoluteCapability, props: FileProperties, range: ReadRange = {}): AsyncGenerator<Uint8Array> {
  const size = props.size
  const offset = range.offset ?? 0
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) throw new RangeError(`Offset ${offset} is outside the file (${size} bytes)`)
  const end = Math.min(size, range.length === undefined ? size : offset + Math.max(0, range.length))
  if (end <= offset) return
  const first = Math.floor(offset / CHUNK_SIZE)
  const last = Math.floor((end - 1) / CHUNK_SIZE)
  const root = await reader.treeRoot(cap)
  const c = reader.crypto
  const name = props.name

  const secret = props.streamSecret
  // Legacy files without a stream secret can only be walked through each chunk's `n` link.
  if (secret === undefined) {
    yield* readLegacy(reader, cap, root, first, last, offset, end, name)
    return
  }
  let loc = chunkLocation(c, { streamSecret: secret, mapKey: cap.mapKey, bat: cap.bat }, first)
  const fetches: Array<{ chunk: Promise<ReadCryptreeBlock | undefined>; plain: PlainBuffer | undefined }> = []
  let next = first
  const ahead = Math.max(0, range.chunksAhead ?? 2)
  const plains = range.reuse === true ? new PlainBuffers() : undefined
  const schedule = (): void => {
    while (next <= last && fetches.length <= ahead) {
      const plain = plains?.holder()
      const chunk = reader.readChunk({ ...cap, mapKey: loc.mapKey, bat: loc.bat }, root, true, undefined, plain?.into)
      chunk.catch(() => undefined) // awaited in order below
      fetches.push({ chunk, plain })
      loc = calculateNextMapKey(c, secret, loc.mapKey, loc.bat)
      next++
    }
  }
  for (let index = first; index <= last; index++) {
    range.signal?.throwIfAborted()
    schedule()
    const { chunk, plain } = fetches.shift()!
    yield sliceChunk(await chunk, index, offset, end, name)
    // the caller asked for the next piece: this one's plaintext buffer is free again
    if (plain !== undefined) plains!.giveBack(plain)
  }
}

/** The plaintext buffer one chunk was opened into (set once the chunk is opened). */
interface PlainBuffer {
  readonly into: (length: number) => Uint8Array
  buffer?: Uint8Array
}

/**
 * A reused read's plaintext buffers: one per chunk in flight or held by the caller, given back when
 * the caller asks for the next piece. A buffer of a chunk whose read failed is not given back.
 */
class PlainBuffers {
  private readonly free: Uint8Array[] = []

  holder(): PlainBuffer {
    const h: PlainBuffer = {
      into: (length) => {
        let b = this.free.pop()
        if (b === undefined || b.length < length) b = new Uint8Array(length)
        h.buffer = b
        return b
      },
    }
    return h
  }

  giveBack(h: PlainBuffer): void {
    if (h.buffer !== undefined) this.free.push(h.buffer)
    h.buffer = undefined
  }
}

function sliceChunk(chunk: ReadCryptreeBlock | undefined, index: number, offset: number, end: number, name: string): Uint8Array {
  if (chunk?.data === undefined) throw new NotFoundError(`Chunk ${index} of '${name}' is missing`)
  const start = index * CHUNK_SIZE
  const from = Math.max(0, offset - start)
  const to = Math.min(CHUNK_SIZE, end - start)
  if (chunk.data.length < to) throw new NotFoundError(`Chunk ${index} of '${name}' has ${chunk.data.length} bytes, expected at least ${to}`)
  return chunk.data.subarray(from, to)
}

async function* readLegacy(reader: TreeReader, cap: AbsoluteCapability, root: CID | undefined, first: number, last: number, offset: number, end: number, name: string): AsyncGenerator<Uint8Array> {
  let chunkCap = cap
  for (let index = 0; index <= last; index++) {
    const chunk = await reader.readChunk(chunkCap, root)
    if (index >= first) yield sliceChunk(chunk, index, offset, end, name)
    if (index === last) return
    const n = chunk?.view.fromBase?.nextChunk
    if (n === undefined) throw new NotFoundError(`Chunk ${index + 1} of '${name}' is missing`)
    chunkCap = { ...chunkCap, mapKey: n.mapKey, bat: n.bat }
  }
}
