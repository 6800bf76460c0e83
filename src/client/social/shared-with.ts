// SharedWithCache (reference §6.2): who each of our items is shared with, kept as a mirror tree of
// our own paths under /<me>/.capabilitycache/outbound: the SharedWithState of a directory's children
// is /<me>/.capabilitycache/outbound/<dir path>/sharedWith.cbor, keyed by child name.
import { equalBytes } from '../../codec/cid.ts'
import {
  decodeSharedWithState, EMPTY_SHARED_WITH, encodeSharedWithState, sharedWithOf, type FileSharedWith, type SharedWithState,
} from '../../model/shared-with-state.ts'
import { joinPath, parsePath, splitParent } from '../paths.ts'
import type { SocialContext } from './context.ts'
import { capCacheDirOf, OUTBOUND_DIR, SHARED_WITH_FILE } from './names.ts'
import { readIfExists, writeSmallFile } from './user-files.ts'

/** The outbound cache folder of the directory holding `itemPath`, and the item's name. */
export function locate(x: SocialContext, itemPath: string): { dir: string; name: string } {
  const { parent, name } = splitParent(itemPath)
  const { owner, names } = parsePath(parent)
  return { dir: [capCacheDirOf(x.username), OUTBOUND_DIR, owner, ...names].join('/'), name }
}

async function readState(x: SocialContext, dir: string): Promise<SharedWithState> {
  return (await readStoredState(x, dir)) ?? EMPTY_SHARED_WITH
}

async function readStoredState(x: SocialContext, dir: string): Promise<SharedWithState | undefined> {
  const bytes = await readIfExists(x.fs, joinPath(dir, SHARED_WITH_FILE))
  return bytes === undefined ? undefined : decodeSharedWithState(bytes)
}

/** SharedWithCache.getSharedWith: who can read and write the item at `itemPath`, and its secret links. */
export async function sharedWith(x: SocialContext, itemPath: string): Promise<FileSharedWith> {
  const { dir, name } = locate(x, itemPath)
  return sharedWithOf(await readState(x, dir), name)
}

/** The sharing state of all the children of a directory (SharedWithCache.getDirSharingState). */
export async function directorySharing(x: SocialContext, dirPath: string): Promise<SharedWithState> {
  const { owner, names } = parsePath(dirPath)
  return readState(x, [capCacheDirOf(x.username), OUTBOUND_DIR, owner, ...names].join('/'))
}

/** SharedWithCache.applyAndCommit: changes the item's entry and rewrites the file when it changed. */
export async function updateSharedWith(x: SocialContext, itemPath: string, change: (s: SharedWithState, name: string) => SharedWithState): Promise<void> {
  const { dir, name } = locate(x, itemPath)
  const stored = await readStoredState(x, dir)
  const current = stored ?? EMPTY_SHARED_WITH
  const bytes = encodeSharedWithState(change(current, name))
  if (equalBytes(bytes, encodeSharedWithState(current))) return
  if (stored === undefined) await x.fs.mkdir(dir, { parents: true, hidden: true })
  await writeSmallFile(x.fs, joinPath(dir, SHARED_WITH_FILE), bytes, false)
}
