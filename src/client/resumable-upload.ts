// Resumable uploads through /.transactions (Peergos FileUploadTransaction, TransactionService,
// FileChunkBinarySearch): before a large new file is stored, its keys and properties are written
// as a transaction record in the hidden .transactions folder; its chunk nodes are committed as the
// upload goes (reachable from the writer's tree, so kept, but not yet linked from any folder). If
// the upload dies, the next upload of the same path and size finds the record, skips the chunks
// already stored (found by binary search on their derived labels) and goes on. The last commit
// links the file into its folder and deletes the record, atomically.
import type { CryptoProvider } from '../crypto/provider.ts'
import type { BatId } from '../model/bat-id.ts'
import type { WritableAbsoluteCapability } from '../model/capability.ts'
import { decodeCryptreeNode, encodeCryptreeNode, encryptFileChunk, withFromParent } from '../model/cryptree-node.ts'
import { readCryptreeNode } from '../model/cryptree-read.ts'
import { timestampFromMillis, type FileProperties } from '../model/file-properties.ts'
import { decodeFileUploadTransaction, encodeFileUploadTransaction, transactionName, type FileUploadTransaction } from '../model/file-upload-transaction.ts'
import { toAbsolute, type NamedRelativeCapability } from '../model/relative-capability.ts'
import { childLink, parentLinkOf, type ParentDir } from './cryptree-build.ts'
import { addChildren, findChild, FileExistsError, updateChildren, type DirChunk } from './dir-ops.ts'
import { buildHashTree, hashBranch, HASHES_PER_LIST } from './hash-tree.ts'
import { chunked, chunkLocation, chunkNodes, DEFAULT_CHUNKS_IN_FLIGHT, fileCap, newFileKeys, storeContents, type ByteSource, type FileKeys, type StoredChunk } from './file-upload.ts'
import { mimeTypeOf } from './mime-types.ts'
import { CHUNK_SIZE } from './tree-reader.ts'
import type { WriterSession } from './writer-session.ts'
import type { WriterTx } from './writer-tx.ts'

/** Chunk nodes committed together while a resumable upload runs (20 MiB of file per commit). */
export const CHUNKS_PER_COMMIT = 4

export interface TxParentDir extends ParentDir {
  readonly chunks: DirChunk[]
}

export interface ResumablePlan {
  readonly crypto: CryptoProvider
  /** The session of the writer holding both the target folder and .transactions. */
  readonly session: WriterSession
  readonly mirrorBatId?: BatId
  /** The full path of the file, its folder's view in a transaction, and its name. */
  readonly path: string
  readonly name: string
  readonly parentDir: (tx: WriterTx) => Promise<TxParentDir>
  readonly transactionsDir: (tx: WriterTx) => Promise<TxParentDir>
  /** Removes an item's nodes (files: all chunks; folders: everything below). */
  readonly removeItem: (tx: WriterTx, cap: WritableAbsoluteCapability, path: string) => Promise<void>
  /** The bytes of a record in .transactions, or undefined. */
  readonly readRecord: (name: string) => Promise<Uint8Array | undefined>
  readonly size: number
  readonly hidden?: boolean
  readonly mimeType?: string
  readonly modified?: number
  readonly onProgress?: (bytes: number) => void
  readonly signal?: AbortSignal
}

function keysOf(t: FileUploadTransaction): FileKeys {
  return { baseKey: t.baseKey, dataKey: t.dataKey, wBaseKey: t.writeKey, streamSecret: t.streamSecret, mapKey: t.mapKey, bat: t.firstBat! }
}

/** The record to continue from, if one for this path, size and writer exists and can be read. */
async function previousRecord(p: ResumablePlan, name: string): Promise<FileUploadTransaction | undefined> {
  const bytes = await p.readRecord(name)
  if (bytes === undefined) return undefined
  try {
    const t = decodeFileUploadTransaction(bytes)
    const ok = t.path === p.path && t.size === p.size && t.writer.publicKeyHash.equals(p.session.writer) && t.firstBat !== undefined
    return ok ? t : undefined
  } catch {
    return undefined
  }
}

/** Removes a record (and, when it is for a different upload, the chunks that upload had stored). */
async function dropRecord(tx: WriterTx, p: ResumablePlan, name: string, clearChunksOf?: FileUploadTransaction): Promise<void> {
  const tdir = await p.transactionsDir(tx)
  const link = findChild(tdir.chunks, name)
  if (link === undefined) return
  const cap = toAbsolute(p.crypto, link.cap, tdir.cap) as WritableAbsoluteCapability
  await p.removeItem(tx, cap, name)
  await updateChildren(tx, tdir.chunks, (ch) => (ch.name === name ? null : undefined))
  if (clearChunksOf !== undefined) {
    const keys = keysOf(clearChunksOf)
    const n = Math.max(1, Math.ceil(clearChunksOf.size / CHUNK_SIZE))
    let loc: { mapKey: Uint8Array; bat?: typeof keys.bat } = { mapKey: keys.mapKey, bat: keys.bat }
    for (let i = 0; i < n; i++) {
      await tx.removeNode(loc.mapKey, loc.bat)
      loc = chunkLocation(p.crypto, { streamSecret: keys.streamSecret, mapKey: loc.mapKey, bat: loc.bat }, 1)
    }
  }
}

/** FileChunkBinarySearch: chunks are committed in order, so the stored ones are a prefix. */
async function storedPrefix(p: ResumablePlan, keys: FileKeys, n: number): Promise<number> {
  return p.session.view(async (tx) => {
    const has = async (i: number): Promise<boolean> => {
      const loc = chunkLocation(p.crypto, keys, i)
      return (await tx.nodeCid(loc.mapKey, loc.bat)) !== undefined
    }
    let lo = 0
    let hi = n
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (await has(mid)) lo = mid + 1
      else hi = mid
    }
    return lo
  })
}

/** Uploads a new file of known size through a transaction record; continues an earlier attempt when one exists. */
export async function resumableWrite(p: ResumablePlan, source: ByteSource): Promise<void> {
  const c = p.crypto
  const s = p.session
  const recordName = transactionName(c, p.path)
  const previous = await previousRecord(p, recordName)
  const n = Math.max(1, Math.ceil(p.size / CHUNK_SIZE))
  const pieces = chunked(source, CHUNK_SIZE)
  const first = await pieces.next()
  const head = first.done === true ? new Uint8Array(0) : first.value
  let keys: FileKeys
  let props: FileProperties
  let done = 0
  if (previous !== undefined) {
    keys = keysOf(previous)
    props = previous.props
    done = await storedPrefix(p, keys, n)
  } else {
    keys = newFileKeys(c)
    const time = timestampFromMillis(p.modified ?? Date.now())
    props = {
      name: p.name, isDirectory: false, isLink: false, mimeType: p.mimeType ?? mimeTypeOf(p.name, head.subarray(0, 4096)), size: p.size,
      modified: time, created: time, isHidden: p.hidden ?? false, streamSecret: keys.streamSecret,
    }
    const record: FileUploadTransaction = {
      path: p.path, startTimeEpochMs: Date.now(), owner: s.owner, writer: s.signer, baseKey: keys.baseKey, dataKey: keys.dataKey,
      writeKey: keys.wBaseKey, props, firstBat: keys.bat, mapKey: keys.mapKey, streamSecret: keys.streamSecret, size: p.size,
    }
    await s.apply(async (tx) => {
      const parent = await p.parentDir(tx)
      if (findChild(parent.chunks, p.name) !== undefined) throw new FileExistsError(`${p.path} already exists`)
      const stale = await previousRecordInTx(p, recordName)
      await dropRecord(tx, p, recordName, stale)
      await stageRecord(tx, p, recordName, encodeFileUploadTransaction(record))
    })
  }

  await s.withTransaction(async (tid) => {
    const hashes: Uint8Array[] = []
    let pending: StoredChunk[] = []
    const inFlight: Promise<StoredChunk[]>[] = []
    let index = 0
    let uploaded = 0
    let parentLinkOfPlan = await s.view((tx) => p.parentDir(tx).then(parentLinkOf))
    // Commits run behind the uploads (one at a time, in chunk order, so the stored chunks stay a
    // prefix): the next chunks' fragments go out while a commit's round trips are under way.
    let committing: Promise<void> = Promise.resolve()
    const commitPending = async (): Promise<void> => {
      const nodes = chunkNodes(c, keys, props, parentLinkOfPlan, pending, undefined, p.mirrorBatId)
      pending = []
      await committing // the previous commit (its failure stops the upload here)
      committing = s.apply(async (tx) => {
        for (const node of nodes) await tx.setBuiltNode(node.mapKey, node.built, node.bat)
      }, tid)
      committing.catch(() => undefined) // awaited by the next commit or before the last one
    }
    const settleOne = async (): Promise<void> => {
      const chunks = await inFlight.shift()!
      for (const ch of chunks) hashes[ch.index] = ch.plainHash
      pending.push(...chunks)
      if (pending.length >= CHUNKS_PER_COMMIT && pending[pending.length - 1].index < n - 1) await commitPending()
    }
    const rest = async function* (): AsyncGenerator<Uint8Array> {
      if (first.done !== true) yield head
      yield* { [Symbol.asyncIterator]: () => pieces }
    }
    try {
      for await (const plain of rest()) {
        p.signal?.throwIfAborted()
        if (index < done) {
          hashes[index++] = c.sha256(plain) // already stored by the earlier attempt: only its hash is needed
          continue
        }
        const bytes = plain.length
        const stored = storeContents(s, tid, keys, plain, { mirrorBatId: p.mirrorBatId, startChunk: index, chunksInFlight: 1 }).then((r) => {
          uploaded += bytes
          p.onProgress?.(uploaded)
          return r.chunks
        })
        stored.catch(() => undefined) // awaited in order by settleOne
        inFlight.push(stored)
        index++
        if (inFlight.length >= DEFAULT_CHUNKS_IN_FLIGHT) await settleOne()
      }
      while (inFlight.length > 0) await settleOne()
    } finally {
      await committing.catch(() => undefined) // a failed upload leaves no commit running past its transaction
    }
    await committing
    if (index !== n || hashes.length !== n) throw new RangeError(`The upload of ${p.path} was announced as ${p.size} bytes but had ${index} chunks`)
    const tree = buildHashTree(c, hashes)
    const last = pending
    await s.apply(async (tx) => {
      const parent = await p.parentDir(tx)
      if (findChild(parent.chunks, p.name) !== undefined) throw new FileExistsError(`${p.path} already exists`)
      parentLinkOfPlan = parentLinkOf(parent)
      for (const node of chunkNodes(c, keys, props, parentLinkOfPlan, last, hashes, p.mirrorBatId)) await tx.setBuiltNode(node.mapKey, node.built, node.bat)
      // chunks committed earlier get their hash-tree branch now (the tree needed every chunk)
      for (let i = 0; i < n; i += HASHES_PER_LIST) {
        if (last.some((ch) => ch.index === i)) continue
        const loc = chunkLocation(c, keys, i)
        const found = await tx.getNode(loc.mapKey, loc.bat)
        if (found === undefined) throw new RangeError(`Chunk ${i} of ${p.path} is missing`)
        const node = decodeCryptreeNode(found.block)
        const view = readCryptreeNode(c, node, keys.baseKey)
        const stamped = withFromParent(c, node, keys.baseKey, { parentLink: parentLinkOfPlan, properties: { ...view.properties, treeHash: hashBranch(tree, i) } })
        await tx.setNode(loc.mapKey, encodeCryptreeNode(stamped), loc.bat)
      }
      const link: NamedRelativeCapability = childLink(c, parent, fileCap(s.owner, s.writer, keys), p.name, false, props.mimeType, props.created)
      await addChildren(tx, (await p.parentDir(tx)).chunks, [link])
      await dropRecord(tx, p, recordName)
    }, tid)
  })

  async function previousRecordInTx(plan: ResumablePlan, name: string): Promise<FileUploadTransaction | undefined> {
    const bytes = await plan.readRecord(name)
    if (bytes === undefined) return undefined
    try {
      return decodeFileUploadTransaction(bytes)
    } catch {
      return undefined
    }
  }
}

/** Writes a record as a small file in .transactions (hidden). */
async function stageRecord(tx: WriterTx, p: ResumablePlan, name: string, bytes: Uint8Array): Promise<void> {
  const c = p.crypto
  const tdir = await p.transactionsDir(tx)
  const keys = newFileKeys(c)
  const stored = storeContentsInline(c, keys, bytes, p.mirrorBatId)
  const time = timestampFromMillis(Date.now())
  const props: FileProperties = { name, isDirectory: false, isLink: false, mimeType: 'application/cbor', size: bytes.length, modified: time, created: time, isHidden: true, streamSecret: keys.streamSecret }
  for (const node of chunkNodes(c, keys, props, parentLinkOf(tdir), [stored], [c.sha256(bytes)], p.mirrorBatId)) await tx.setBuiltNode(node.mapKey, node.built, node.bat)
  await addChildren(tx, tdir.chunks, [childLink(c, tdir, fileCap(tdir.cap.owner, tdir.cap.writer, keys), name, false, props.mimeType, time)])
}

/** A record is a few hundred bytes: its data is inlined in its node (no fragments to store). */
function storeContentsInline(c: CryptoProvider, keys: FileKeys, bytes: Uint8Array, mirrorBatId?: BatId): StoredChunk {
  const { fpct, fragments } = encryptFileChunk(c, keys.dataKey, bytes, { mirrorBatId })
  if (fragments.length > 0) throw new RangeError('Transaction records must be small')
  return { index: 0, mapKey: keys.mapKey, bat: keys.bat, data: fpct, plainHash: c.sha256(bytes) }
}
