// CapabilityStore (reference §6.2): what a user shares with a follower is appended, as the CBOR of the
// AbsoluteCapability, to /<user>/shared/<follower>/sharing.r (read-only) or sharing.w (writable). The
// follower reads those files from the byte offset it reached last time, and finds each item's path by
// walking its parent links up to the owner's home directory (FileWrapper.getPath: link nodes of
// write-shared folders are skipped, as they carry the same name as their target), all the new items
// walked up together.
import { encodeCbor } from '../../codec/cbor.ts'
import { capabilityFromCbor, capabilityToCbor, readOnly, type AbsoluteCapability } from '../../model/capability.ts'
import { toAbsolute } from '../../model/relative-capability.ts'
import { NotFoundError } from '../errors.ts'
import { readFileRange } from '../file-download.ts'
import { joinPath } from '../paths.ts'
import type { TreeReader } from '../tree-reader.ts'
import type { ReadCryptreeBlock } from '../../model/cryptree-read.ts'
import type { SocialContext } from './context.ts'
import { parseCborStream } from './cbor-stream.ts'
import { READ_SHARING_FILE, sharedDirOf, WRITE_SHARING_FILE } from './names.ts'
import { appendToFile } from './user-files.ts'
import { concatAll, bytesToHex } from '../../model/bytes.ts'

export type SharingAccess = 'read' | 'write'

export function sharingFileName(access: SharingAccess): string {
  return access === 'read' ? READ_SHARING_FILE : WRITE_SHARING_FILE
}

/** CapabilityStore.addReadOnlySharingLinkTo / addEditSharingLinkTo: appends to /<me>/shared/<recipient>/sharing.r|w. */
export async function appendCapability(x: SocialContext, recipient: string, cap: AbsoluteCapability, access: SharingAccess): Promise<void> {
  const stored = access === 'read' ? readOnly(cap) : cap
  await appendToFile(x.fs, joinPath(sharedDirOf(x.username, recipient), sharingFileName(access)), encodeCbor(capabilityToCbor(stored)), false)
}

export interface CapabilityWithPath {
  readonly path: string
  readonly cap: AbsoluteCapability
}

export interface SharingFileRead {
  /** Bytes consumed from the offset (whole capabilities only). */
  readonly bytesRead: number
  /** The capabilities that still resolve, with their paths. */
  readonly caps: CapabilityWithPath[]
}

/** Deepest path walked up from a shared item (a hostile cycle of parent links cannot loop forever). */
export const MAX_PATH_DEPTH = 256

/** FileWrapper.getPath: '/owner/a/b' from the item's parent links (each opens only its parent's metadata); `reader`: a snapshot. */
export async function pathOf(reader: TreeReader, cap: AbsoluteCapability): Promise<string> {
  const [path] = await pathsOf(reader, [cap])
  if (path instanceof Error) throw path
  return path
}

interface Walk {
  cur: AbsoluteCapability
  /** Names from the item upwards (link nodes above the item have none). */
  readonly names: (string | undefined)[]
  /** The walk reached a home directory (a node without a parent link). */
  done: boolean
  failed?: Error
}

/**
 * pathOf for many items, walked up together a level at a time: the nodes a level needs are read at
 * once, and a folder above several items is read once for all of them. An item whose walk fails
 * (an ancestor missing, or not opening) gives its error at its index. `reader` is a snapshot: the
 * nodes read are kept with it for later walks through it. Parents are folders, and read as such (no
 * trial opening as a file first); so are the items when `areDirectories`.
 */
export async function pathsOf(reader: TreeReader, caps: readonly AbsoluteCapability[], areDirectories = false): Promise<(string | Error)[]> {
  const nodes = nodesOf(reader)
  const walks: Walk[] = caps.map((cap) => ({ cur: cap, names: [], done: false }))
  for (let depth = 0; ; depth++) {
    const active = walks.filter((w) => !w.done && w.failed === undefined)
    if (active.length === 0) break
    if (depth >= MAX_PATH_DEPTH) {
      for (const w of active) w.failed = new NotFoundError('Path of a shared item is too deep')
      break
    }
    const wanted = new Map<string, AbsoluteCapability>()
    for (const w of active) {
      const k = nodeKey(w.cur)
      if (!nodes.has(k)) wanted.set(k, w.cur)
    }
    const keys = [...wanted.keys()]
    const reading = readNodes(reader, [...wanted.values()], depth > 0 || areDirectories)
    keys.forEach((k, i) => nodes.set(k, reading.then((found) => found[i])))
    const level = await Promise.all(active.map((w) => nodes.get(nodeKey(w.cur))!))
    active.forEach((w, i) => {
      const chunk = level[i]
      if (chunk === undefined || chunk instanceof Error) {
        w.failed = chunk ?? new NotFoundError('An ancestor of a shared item is missing')
        return
      }
      const { properties, parentLink } = chunk.view
      w.names.push(!properties.isLink || depth === 0 ? properties.name : undefined)
      if (parentLink === undefined) w.done = true
      else w.cur = toAbsolute(reader.crypto, parentLink, w.cur)
    })
  }
  return walks.map((w) => w.failed ?? w.names.filter((n) => n !== undefined).reverse().map((n) => '/' + n).join(''))
}

type NodeRead = ReadCryptreeBlock | undefined | Error

/** The nodes pathsOf read (or is reading) through a snapshot: walks of one snapshot share them. */
const nodesRead = new WeakMap<TreeReader, Map<string, Promise<NodeRead>>>()

function nodesOf(reader: TreeReader): Map<string, Promise<NodeRead>> {
  let m = nodesRead.get(reader)
  if (m === undefined) nodesRead.set(reader, (m = new Map()))
  return m
}

function nodeKey(cap: AbsoluteCapability): string {
  return cap.owner.toString() + '/' + cap.writer.toString() + '/' + bytesToHex(cap.mapKey)
}

/** First chunks of several nodes (metadata only), batched; a node that fails to read gives its error alone. */
async function readNodes(reader: TreeReader, caps: readonly AbsoluteCapability[], directories: boolean): Promise<NodeRead[]> {
  if (caps.length === 0) return []
  const all = await reader.readChunks(caps, false, directories ? caps.map(() => true) : undefined).catch(() => undefined)
  if (all !== undefined) return all
  return Promise.all(caps.map((cap) => reader.readChunk(cap, undefined, false).catch((e: unknown) => (e instanceof Error ? e : new NotFoundError(String(e))))))
}

/**
 * A sharing file read from its start (a new friend, most often) holds items whose paths all walk up
 * through the folders above the sharing folder (the sharer's home at least): those are read now, while
 * the file is, and the items' walks through the same snapshot wait for them instead of reading again.
 */
function warmAncestors(r: TreeReader, dirCap: AbsoluteCapability): void {
  if (nodesOf(r).has(nodeKey(dirCap))) return
  void pathsOf(r, [dirCap], true).catch(() => undefined)
}

/**
 * Reads a friend's sharing file (in the folder `dirCap`) from `offset`: the new capabilities with their
 * paths. `inSnapshot`: `reader` is a snapshot already (several reads share its pointer reads).
 */
export async function readSharingFile(reader: TreeReader, dirCap: AbsoluteCapability, access: SharingAccess, offset: number, inSnapshot = false): Promise<SharingFileRead> {
  const r = inSnapshot ? reader : reader.snapshot()
  const fileCap = await r.findChild(dirCap, sharingFileName(access))
  if (fileCap === undefined) return { bytesRead: 0, caps: [] }
  if (offset === 0) warmAncestors(r, dirCap)
  const { properties } = await r.stat(fileCap)
  if (properties.size <= offset) return { bytesRead: 0, caps: [] }
  const parts: Uint8Array[] = []
  for await (const p of readFileRange(r, fileCap, properties, { offset })) parts.push(p)
  const bytes = concatAll(parts)
  const { items, bytesRead } = parseCborStream(bytes, capabilityFromCbor)
  // an item since deleted or re-keyed (the owner rotated it and shared the new capability later) is left out
  const paths = await pathsOf(r, items)
  const caps: CapabilityWithPath[] = items.flatMap((cap, i) => {
    const path = paths[i]
    return path instanceof Error ? [] : [{ path, cap }]
  })
  return { bytesRead, caps }
}

