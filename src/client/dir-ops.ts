// Directory changes inside a writer transaction (reference §2.4-§2.5; Peergos
// CryptreeNode.addChildrenAndCommit, updateChildLinks, removeChildren): a directory is a chain of
// chunks of at most 500 children each; only the child list (`d`) of a changed chunk is resealed,
// keeping its keys, metadata and BATs; a full chain grows a continuation chunk at the location
// the last chunk's next link names.
import type { CryptoProvider } from '../crypto/provider.ts'
import type { WritableAbsoluteCapability } from '../model/capability.ts'
import { encodeCbor } from '../codec/cbor.ts'
import { createDir, decodeCryptreeNode, MAX_CHILD_LINKS_PER_BLOB, nodeMirrorBatId, type BuiltCryptreeNode, type CryptreeNode } from '../model/cryptree-node.ts'
import { readCryptreeNode, readDirectoryChildren, type CryptreeNodeView } from '../model/cryptree-read.ts'
import { EMPTY_FILE_PROPERTIES } from '../model/file-properties.ts'
import { buildFpct, type FragmentFetcher } from '../model/fragmented-cipher-text.ts'
import { randomBat } from '../model/bat.ts'
import { MAP_KEY_BYTES } from '../model/capability.ts'
import { childrenLinks, namedRelativeCapabilityToCbor, subsequentChunkCapability, type NamedRelativeCapability } from '../model/relative-capability.ts'
import { cidToString, equalBytes, verifyBlock, type CID } from '../codec/cid.ts'
import { cidKey } from '../champ/index.ts'
import type { SymmetricKey } from '../model/symmetric-key.ts'
import { PeergosError } from '../errors.ts'
import { NotFoundError } from './errors.ts'
import type { WriterTx } from './writer-tx.ts'

/** A name already present in the target directory. */
export class FileExistsError extends PeergosError {}
/** A directory written in a form this client does not rewrite (legacy unnamed child links). */
export class UnsupportedDirectoryError extends PeergosError {}
/** The operation needs a directory and found a file, or the reverse. */
export class NotADirectoryError extends PeergosError {}

/** Bound on continuation chunks followed (a hostile cycle cannot loop forever). */
export const MAX_DIR_CHUNKS = 100_000

export interface DirChunk {
  readonly cap: WritableAbsoluteCapability
  readonly node: CryptreeNode
  readonly view: CryptreeNodeView
  readonly children: NamedRelativeCapability[]
}

/** Fetches (and verifies, in decryptFpct) the raw fragments of large child lists and file chunks. */
export function fragmentFetcher(tx: WriterTx): FragmentFetcher {
  const s = tx.session
  return async (cid, bat) => {
    const cached = s.cache.get(cid)
    if (cached !== undefined) return cached
    const bytes = await s.storage.get(s.owner, cid, bat)
    if (bytes === undefined) throw new NotFoundError(`Fragment ${cidToString(cid)} is missing`)
    verifyBlock(s.crypto, cid, bytes)
    s.cache.set(cid, bytes) // a directory's child list is read by every change to it
    return bytes
  }
}

/** A directory chunk as decoded from its block under one pair of keys. */
interface DecodedChunk {
  readonly rBaseKey: SymmetricKey
  readonly wBaseKey: SymmetricKey
  readonly node: CryptreeNode
  readonly view: CryptreeNodeView
  readonly children: readonly NamedRelativeCapability[]
}

/** Decoded chunks kept per writer session (each write to a directory reads its chunk again). */
const DECODED_CHUNKS = 64
const decodedChunks = new WeakMap<object, Map<string, DecodedChunk>>()

function decodedCache(tx: WriterTx): Map<string, DecodedChunk> {
  let m = decodedChunks.get(tx.session)
  if (m === undefined) decodedChunks.set(tx.session, (m = new Map()))
  return m
}

function sameKey(a: SymmetricKey, b: SymmetricKey): boolean {
  return a === b || (a.dirty === b.dirty && equalBytes(a.key, b.key))
}

/**
 * A chunk block decodes to the same node, view and children every time (content addressing): the
 * decoded form is kept under the block's CID and the keys that opened it, so a run of writes into one
 * directory decodes its child list once, not once per write.
 */
function remember(tx: WriterTx, cid: CID, chunk: DecodedChunk): void {
  const m = decodedCache(tx)
  const k = cidKey(cid)
  m.delete(k)
  m.set(k, chunk)
  if (m.size > DECODED_CHUNKS) m.delete(m.keys().next().value!)
}

/** Reads one directory chunk under the transaction, or undefined when nothing is stored there. */
export async function readDirChunk(tx: WriterTx, cap: WritableAbsoluteCapability): Promise<DirChunk | undefined> {
  const found = await tx.getNode(cap.mapKey, cap.bat)
  if (found === undefined) return undefined
  const hit = decodedCache(tx).get(cidKey(found.cid))
  if (hit !== undefined && sameKey(hit.rBaseKey, cap.rBaseKey) && sameKey(hit.wBaseKey, cap.wBaseKey)) {
    return { cap, node: hit.node, view: hit.view, children: [...hit.children] }
  }
  const c = tx.session.crypto
  const node = decodeCryptreeNode(found.block)
  const view = readCryptreeNode(c, node, cap.rBaseKey, cap.wBaseKey, true) // read as the folder it should be (no trial opening as a file)
  if (!view.isDirectory) throw new NotADirectoryError(`'${view.properties.name}' is not a directory`)
  const links = await readDirectoryChildren(c, node, cap.rBaseKey, fragmentFetcher(tx))
  if (links.kind !== 'named') throw new UnsupportedDirectoryError(`'${view.properties.name}' uses legacy child links`)
  remember(tx, found.cid, { rBaseKey: cap.rBaseKey, wBaseKey: cap.wBaseKey, node, view, children: [...links.children] })
  return { cap, node, view, children: [...links.children] }
}

/** The next chunk's write capability (same keys and writer, the label and BAT of the `n` link). */
export function nextChunkCap(chunk: DirChunk): WritableAbsoluteCapability {
  const next = chunk.view.fromBase!.nextChunk
  return { ...chunk.cap, mapKey: next.mapKey, bat: next.bat }
}

/** Every chunk of a directory, first to last. */
export async function readDirChunks(tx: WriterTx, cap: WritableAbsoluteCapability): Promise<DirChunk[]> {
  const first = await readDirChunk(tx, cap)
  if (first === undefined) throw new NotFoundError('No directory under this capability')
  const chunks = [first]
  for (;;) {
    if (chunks.length >= MAX_DIR_CHUNKS) throw new NotFoundError('Directory has too many continuation chunks')
    const next = await readDirChunk(tx, nextChunkCap(chunks[chunks.length - 1]))
    if (next === undefined) return chunks
    chunks.push(next)
  }
}

/** Each child link's CBOR, kept per (immutable) link object: a directory's unchanged children are encoded once, not at every write. */
const encodedLinks = new WeakMap<NamedRelativeCapability, Uint8Array>()

function encodedLink(child: NamedRelativeCapability): Uint8Array {
  let e = encodedLinks.get(child)
  if (e === undefined) encodedLinks.set(child, (e = encodeCbor(namedRelativeCapabilityToCbor(child))))
  return e
}

/**
 * The CBOR of a named child list, the bytes encodeCbor(childrenLinksToCbor(...)) writes: an array
 * head, then each link's own encoding (a definite-length array's items are encoded independently).
 */
export function encodeChildList(children: readonly NamedRelativeCapability[]): Uint8Array {
  const items = children.map(encodedLink)
  const n = items.length
  const head = n < 24 ? [0x80 | n] : n < 0x100 ? [0x98, n] : n < 0x10000 ? [0x99, n >>> 8, n & 0xff] : [0x9a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]
  let size = head.length
  for (const it of items) size += it.length
  const out = new Uint8Array(size)
  out.set(head)
  let at = head.length
  for (const it of items) {
    out.set(it, at)
    at += it.length
  }
  return out
}

/** cryptree-node's withChildren (the node with its child list resealed, nothing else changed), from the cached link encodings. */
function withChildList(c: CryptoProvider, node: CryptreeNode, rBaseKey: SymmetricKey, children: readonly NamedRelativeCapability[]): BuiltCryptreeNode {
  const { fpct, fragments } = buildFpct(c, rBaseKey, encodeChildList(children), { mirrorBatId: nodeMirrorBatId(node) })
  return { node: { ...node, data: fpct }, fragments }
}

async function writeChunk(tx: WriterTx, chunk: DirChunk, children: NamedRelativeCapability[]): Promise<void> {
  const c = tx.session.crypto
  const built = withChildList(c, chunk.node, chunk.cap.rBaseKey, children)
  const cid = await tx.setBuiltNode(chunk.cap.mapKey, built, chunk.cap.bat)
  // only the child list changed (the node's keys, metadata and links are the chunk's): the next
  // write to this directory reads the new chunk without decoding it
  remember(tx, cid, { rBaseKey: chunk.cap.rBaseKey, wBaseKey: chunk.cap.wBaseKey, node: built.node, view: chunk.view, children: [...children] })
}

function newContinuationChunk(c: CryptoProvider, first: DirChunk, last: DirChunk, children: NamedRelativeCapability[]): { cap: WritableAbsoluteCapability; built: ReturnType<typeof createDir> } {
  const cap = nextChunkCap(last)
  const built = createDir(c, {
    properties: EMPTY_FILE_PROPERTIES, parentLink: first.view.parentLink,
    nextChunk: subsequentChunkCapability(c.randomBytes(MAP_KEY_BYTES), randomBat(c), cap.rBaseKey),
    inlineBat: cap.bat, mirrorBatId: nodeMirrorBatId(first.node), rBaseKey: cap.rBaseKey, parentKey: first.view.parentKey,
    children: childrenLinks(children),
  })
  return { cap, built }
}

/** Adds children, refusing names already present; fills chunks as Peergos does and grows the chain when full. */
export async function addChildren(tx: WriterTx, chunks: DirChunk[], added: readonly NamedRelativeCapability[]): Promise<void> {
  if (added.length === 0) return
  const names = new Set<string>()
  for (const ch of chunks) for (const child of ch.children) names.add(child.name)
  for (const a of added) {
    if (names.has(a.name)) throw new FileExistsError(`'${a.name}' already exists in '${chunks[0].view.properties.name}'`)
    names.add(a.name)
  }
  const fits = chunks.find((ch) => ch.children.length + added.length <= MAX_CHILD_LINKS_PER_BLOB)
  if (fits !== undefined) {
    await writeChunk(tx, fits, [...fits.children, ...added])
    return
  }
  let last = chunks[chunks.length - 1]
  const free = Math.max(0, MAX_CHILD_LINKS_PER_BLOB - last.children.length)
  if (free > 0) await writeChunk(tx, last, [...last.children, ...added.slice(0, free)])
  const c = tx.session.crypto
  for (let i = free; i < added.length; i += MAX_CHILD_LINKS_PER_BLOB) {
    const part = added.slice(i, i + MAX_CHILD_LINKS_PER_BLOB)
    const next = newContinuationChunk(c, chunks[0], last, part)
    await tx.setBuiltNode(next.cap.mapKey, next.built, next.cap.bat)
    const node = next.built.node
    last = { cap: next.cap, node, view: readCryptreeNode(c, node, next.cap.rBaseKey, next.cap.wBaseKey), children: part }
  }
}

/** Removes and/or replaces children (matched by label) in whichever chunks hold them; returns how many matched. */
export async function updateChildren(tx: WriterTx, chunks: DirChunk[], change: (child: NamedRelativeCapability) => NamedRelativeCapability | null | undefined): Promise<number> {
  let matched = 0
  for (const ch of chunks) {
    let changed = false
    const next: NamedRelativeCapability[] = []
    for (const child of ch.children) {
      const r = change(child)
      if (r === undefined) {
        next.push(child)
        continue
      }
      matched++
      changed = true
      if (r !== null) next.push(r)
    }
    if (changed) await writeChunk(tx, ch, next)
  }
  return matched
}

/** The child of that name, or undefined. */
export function findChild(chunks: readonly DirChunk[], name: string): NamedRelativeCapability | undefined {
  for (const ch of chunks) for (const child of ch.children) if (child.name === name) return child
  return undefined
}
