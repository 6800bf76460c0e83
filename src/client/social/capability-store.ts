// CapabilityStore (reference §6.2): what a user shares with a follower is appended, as the CBOR of the
// AbsoluteCapability, to /<user>/shared/<follower>/sharing.r (read-only) or sharing.w (writable). The
// follower reads those files from the byte offset it reached last time, and finds each item's path by
// walking its parent links up to the owner's home directory (FileWrapper.getPath: link nodes of
// write-shared folders are skipped, as they carry the same name as their target).
import { encodeCbor } from '../../codec/cbor.ts'
import { capabilityFromCbor, capabilityToCbor, readOnly, type AbsoluteCapability } from '../../model/capability.ts'
import { toAbsolute } from '../../model/relative-capability.ts'
import { NotFoundError } from '../errors.ts'
import { readFileRange } from '../file-download.ts'
import { joinPath } from '../paths.ts'
import type { TreeReader } from '../tree-reader.ts'
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

/**
 * FileWrapper.getPath: '/owner/a/b' from the item's parent links (each opens only its parent's
 * metadata). `known` remembers the paths of ancestors met, so items of one folder cost one lookup each.
 */
export async function pathOf(reader: TreeReader, cap: AbsoluteCapability, known: Map<string, string> = new Map()): Promise<string> {
  const chain: { key?: string; name?: string }[] = [] // from the item upwards; link nodes have no name
  let cur: AbsoluteCapability = cap
  let prefix = ''
  for (let depth = 0; ; depth++) {
    if (depth >= MAX_PATH_DEPTH) throw new NotFoundError('Path of a shared item is too deep')
    const key = depth === 0 ? undefined : cur.writer.toString() + '/' + bytesToHex(cur.mapKey)
    const hit = key === undefined ? undefined : known.get(key)
    if (hit !== undefined) {
      prefix = hit
      break
    }
    const chunk = await reader.readChunk(cur, undefined, false)
    if (chunk === undefined) throw new NotFoundError('An ancestor of a shared item is missing')
    const { properties, parentLink } = chunk.view
    chain.push(!properties.isLink || depth === 0 ? { key, name: properties.name } : {})
    if (parentLink === undefined) break
    cur = toAbsolute(reader.crypto, parentLink, cur)
  }
  let path = prefix
  for (const step of chain.reverse()) {
    if (step.name === undefined) continue
    path += '/' + step.name
    if (step.key !== undefined) known.set(step.key, path)
  }
  return path
}

/**
 * Reads a friend's sharing file (in the folder `dirCap`) from `offset`: the new capabilities with their
 * paths. `inSnapshot`: `reader` is a snapshot already (several reads share its pointer reads).
 */
export async function readSharingFile(reader: TreeReader, dirCap: AbsoluteCapability, access: SharingAccess, offset: number, inSnapshot = false): Promise<SharingFileRead> {
  const r = inSnapshot ? reader : reader.snapshot()
  const fileCap = await r.findChild(dirCap, sharingFileName(access))
  if (fileCap === undefined) return { bytesRead: 0, caps: [] }
  const { properties } = await r.stat(fileCap)
  if (properties.size <= offset) return { bytesRead: 0, caps: [] }
  const parts: Uint8Array[] = []
  for await (const p of readFileRange(r, fileCap, properties, { offset })) parts.push(p)
  const bytes = concatAll(parts)
  const { items, bytesRead } = parseCborStream(bytes, capabilityFromCbor)
  const caps: CapabilityWithPath[] = []
  const known = new Map<string, string>()
  for (const cap of items) {
    try {
      caps.push({ path: await pathOf(r, cap, known), cap })
    } catch {
      // an item since deleted or re-keyed (the owner rotated it and shared the new capability later)
    }
  }
  return { bytesRead, caps }
}

