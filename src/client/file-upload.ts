// Uploading a file's contents (reference §2.4; Peergos FileUploader): the bytes are cut into 5 MiB
// chunks; each chunk is sealed under the file's data key, split into ≤ 1 MiB raw fragments behind
// a BAT prefix and stored at once (several chunks in flight), while its label and BAT follow from
// the stream secret (sha256(secret ‖ previous)). The small cryptree node of each chunk is built at
// the end, when the size and the plaintext hash tree are known, and committed with the parent's
// new child entry in one pointer update.
import type { CryptoProvider } from '../crypto/provider.ts'
import type { BatId } from '../model/bat-id.ts'
import { randomBat, type Bat } from '../model/bat.ts'
import { MAP_KEY_BYTES, type WritableAbsoluteCapability } from '../model/capability.ts'
import { createFileNode, type BuiltCryptreeNode } from '../model/cryptree-node.ts'
import { calculateNextMapKey, STREAM_SECRET_BYTES, type FileProperties } from '../model/file-properties.ts'
import { releaseFragments, type FragmentedPaddedCipherText } from '../model/fragmented-cipher-text.ts'
import { subsequentChunkCapability, type RelativeCapability } from '../model/relative-capability.ts'
import { randomSymmetricKey, type SymmetricKey } from '../model/symmetric-key.ts'
import type { TransactionId } from '../services/content-addressed-storage.ts'
import { chunkCryptoOf, inThreadChunkCrypto } from './chunk-crypto.ts'
import { buildHashTree, hashBranch, HASHES_PER_LIST } from './hash-tree.ts'
import { CHUNK_SIZE } from './tree-reader.ts'
import type { WriterSession } from './writer-session.ts'

/** Bytes to upload: one buffer, or a stream of pieces of any size. */
export type ByteSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>

/** Chunks encrypted and being stored at the same time. */
export const DEFAULT_CHUNKS_IN_FLIGHT = 3

/** The keys and first location of a file; later chunk locations derive from the stream secret. */
export interface FileKeys {
  readonly baseKey: SymmetricKey
  readonly dataKey: SymmetricKey
  readonly wBaseKey: SymmetricKey
  readonly streamSecret: Uint8Array
  readonly mapKey: Uint8Array
  readonly bat: Bat
}

export function newFileKeys(c: CryptoProvider): FileKeys {
  return {
    baseKey: randomSymmetricKey(c), dataKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c),
    streamSecret: c.randomBytes(STREAM_SECRET_BYTES), mapKey: c.randomBytes(MAP_KEY_BYTES), bat: randomBat(c),
  }
}

export function fileCap(owner: WritableAbsoluteCapability['owner'], writer: WritableAbsoluteCapability['writer'], k: FileKeys): WritableAbsoluteCapability {
  return { owner, writer, mapKey: k.mapKey, bat: k.bat, rBaseKey: k.baseKey, wBaseKey: k.wBaseKey }
}

/** The label and BAT of chunk `index` (FileProperties.calculateMapKey: `index` local hashes, no I/O). */
export function chunkLocation(c: CryptoProvider, k: { readonly streamSecret: Uint8Array; readonly mapKey: Uint8Array; readonly bat?: Bat }, index: number): { mapKey: Uint8Array; bat?: Bat } {
  let loc: { mapKey: Uint8Array; bat?: Bat } = { mapKey: k.mapKey, bat: k.bat }
  for (let i = 0; i < index; i++) loc = calculateNextMapKey(c, k.streamSecret, loc.mapKey, loc.bat)
  return loc
}

/** Cuts a byte source into pieces of exactly `size` bytes (the last one shorter; one empty piece for empty input). */
export async function* chunked(source: ByteSource, size: number): AsyncGenerator<Uint8Array> {
  if (source instanceof Uint8Array) {
    if (source.length === 0) yield source
    for (let off = 0; off < source.length; off += size) yield source.subarray(off, Math.min(source.length, off + size))
    return
  }
  let buf = new Uint8Array(size)
  let fill = 0
  let any = false
  for await (const piece of source as AsyncIterable<Uint8Array>) {
    let off = 0
    while (off < piece.length) {
      if (fill === 0 && piece.length - off >= size) {
        // a whole chunk within one piece goes on as a view of it, not copied
        yield piece.subarray(off, off + size)
        any = true
        off += size
        continue
      }
      const n = Math.min(size - fill, piece.length - off)
      buf.set(piece.subarray(off, off + n), fill)
      fill += n
      off += n
      if (fill === size) {
        yield buf
        any = true
        buf = new Uint8Array(size)
        fill = 0
      }
    }
  }
  if (fill > 0 || !any) yield buf.subarray(0, fill)
}

/** One stored chunk: where it goes and its sealed data (fragments already on the server). */
export interface StoredChunk {
  readonly index: number
  readonly mapKey: Uint8Array
  readonly bat?: Bat
  readonly data: FragmentedPaddedCipherText
  readonly plainHash: Uint8Array
}

export interface StoredContents {
  readonly size: number
  readonly chunks: StoredChunk[]
  /** The first bytes of the file (for its mime type). */
  readonly head: Uint8Array
}

export interface StoreOptions {
  readonly mirrorBatId?: BatId
  /** Index of the first chunk `source` holds (rewrites of a file's tail start past 0). */
  readonly startChunk?: number
  readonly chunksInFlight?: number
  /** Called with the plaintext bytes stored so far. */
  readonly onProgress?: (bytes: number) => void
  readonly signal?: AbortSignal
}

/** Seals and stores every chunk of `source` (fragments only) inside the open transaction `tid`. */
export async function storeContents(session: WriterSession, tid: TransactionId, keys: FileKeys, source: ByteSource, o: StoreOptions = {}): Promise<StoredContents> {
  const c = session.crypto
  const inFlight = new Set<Promise<void>>()
  const max = o.chunksInFlight ?? DEFAULT_CHUNKS_IN_FLIGHT
  let failure: unknown
  let size = 0
  let done = 0
  let head = new Uint8Array(0)
  let index = o.startChunk ?? 0
  let loc = chunkLocation(c, keys, index)
  const sealer = chunkCryptoOf(c) ?? inThreadChunkCrypto(c) // the web client seals in helper workers
  const stored: Promise<StoredChunk>[] = []
  for await (const plain of chunked(source, CHUNK_SIZE)) {
    o.signal?.throwIfAborted()
    if (failure !== undefined) break
    if (index === (o.startChunk ?? 0)) head = plain.slice(0, 4096)
    const at = { index, mapKey: loc.mapKey, bat: loc.bat }
    const bytes = plain.length
    size += bytes
    const sealed = sealer.seal(keys.dataKey, plain, { mirrorBatId: o.mirrorBatId })
    const chunk = sealed.then((s): StoredChunk => ({ ...at, data: s.fpct, plainHash: s.plainHash }))
    chunk.catch(() => undefined) // a failure is reported by the put below
    stored.push(chunk)
    const put = sealed.then(async (s) => {
      await session.putRaw(s.fragments, tid)
      // stored: their buffers go to the next chunks' fragments (a failed put's may still be in a socket's queue)
      releaseFragments(s.fragments.map((f) => f.data))
    }).then(
      () => { done += bytes; o.onProgress?.(done) },
      (e: unknown) => { failure ??= e },
    )
    inFlight.add(put)
    void put.finally(() => inFlight.delete(put))
    if (inFlight.size >= max) await Promise.race(inFlight)
    index++
    loc = calculateNextMapKey(c, keys.streamSecret, loc.mapKey, loc.bat)
  }
  await Promise.all(inFlight)
  if (failure !== undefined) throw failure
  return { size, chunks: await Promise.all(stored), head }
}

export interface ChunkNode {
  readonly mapKey: Uint8Array
  readonly bat?: Bat
  readonly built: BuiltCryptreeNode
}

/**
 * The cryptree nodes of stored chunks (FileUploader.encryptChunk's createFile): every chunk carries
 * the properties and the parent link; chunks at multiples of 1024 also carry their hash-tree branch.
 * `allChunkHashes` are the plaintext hashes of the whole file (undefined when unknown: no hash tree).
 */
export function chunkNodes(c: CryptoProvider, keys: FileKeys, props: FileProperties, parentLink: RelativeCapability | undefined, chunks: readonly StoredChunk[], allChunkHashes: readonly Uint8Array[] | undefined, mirrorBatId?: BatId): ChunkNode[] {
  const tree = allChunkHashes === undefined ? undefined : buildHashTree(c, allChunkHashes)
  return chunks.map((ch) => {
    const next = calculateNextMapKey(c, keys.streamSecret, ch.mapKey, ch.bat)
    const properties = tree !== undefined && ch.index % HASHES_PER_LIST === 0 ? { ...props, treeHash: hashBranch(tree, ch.index) } : { ...props, treeHash: undefined }
    const node = createFileNode(c, {
      properties, parentLink, nextChunk: subsequentChunkCapability(next.mapKey, next.bat, keys.baseKey),
      inlineBat: ch.bat, mirrorBatId, baseKey: keys.baseKey, dataKey: keys.dataKey,
    }, ch.data)
    return { mapKey: ch.mapKey, bat: ch.bat, built: { node, fragments: [] } }
  })
}
