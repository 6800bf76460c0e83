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
  const fetches: Promise<ReadCryptreeBlock | undefined>[] = []
  let next = first
  const ahead = Math.max(0, range.chunksAhead ?? 2)
  const schedule = (): void => {
    while (next <= last && fetches.length <= ahead) {
      const p = reader.readChunk({ ...cap, mapKey: loc.mapKey, bat: loc.bat }, root)
      p.catch(() => undefined) // awaited in order below
      fetches.push(p)
      loc = calculateNextMapKey(c, secret, loc.mapKey, loc.bat)
      next++
    }
  }
  for (let index = first; index <= last; index++) {
    range.signal?.throwIfAborted()
    schedule()
    const chunk = await fetches.shift()!
    yield sliceChunk(chunk, index, offset, end, name)
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
