// SharedWithCache.getAllDescendantShares (reference §6.2, §6.4): every sharing record of an item and
// of everything below it, read from the outbound mirror tree (/<me>/.capabilitycache/outbound/<owner>/
// <dir path>/sharedWith.cbor, one file per directory, keyed by child name). After a key rotation
// these are the shares and secret links to send again with the new capabilities.
import { decodeSharedWithState, sharedWithOf, type FileSharedWith } from '../../model/shared-with-state.ts'
import { joinPath, parsePath } from '../paths.ts'
import type { SocialContext } from './context.ts'
import { capCacheDirOf, OUTBOUND_DIR, SHARED_WITH_FILE } from './names.ts'
import { sharedWith } from './shared-with.ts'

export interface ItemShares {
  /** The item's path in our tree. */
  readonly path: string
  readonly shares: FileSharedWith
}

/** Whether an item has no reader, writer or link recorded. */
export function isUnshared(s: FileSharedWith): boolean {
  return s.read.length === 0 && s.write.length === 0 && s.links.length === 0
}

/** The records of the item at `path` and of all its descendants (items without any are left out). */
export async function descendantShares(x: SocialContext, path: string): Promise<ItemShares[]> {
  const out: ItemShares[] = []
  const own = await sharedWith(x, path)
  if (!isUnshared(own)) out.push({ path, shares: own })
  const { owner, names } = parsePath(path)
  const mirror = [capCacheDirOf(x.username), OUTBOUND_DIR, owner, ...names].join('/')
  if (await x.fs.exists(mirror)) await walk(x, mirror, '/' + [owner, ...names].join('/'), out)
  return out
}

async function walk(x: SocialContext, mirrorDir: string, ourDir: string, out: ItemShares[]): Promise<void> {
  for (const e of await x.fs.list(mirrorDir)) {
    if (e.isDirectory) {
      await walk(x, e.path, joinPath(ourDir, e.name), out)
    } else if (e.name === SHARED_WITH_FILE) {
      const state = decodeSharedWithState(await x.fs.readFileBytes(e.path))
      const names = new Set([...state.read.keys(), ...state.write.keys(), ...state.links.keys()])
      for (const name of [...names].sort()) {
        const shares = sharedWithOf(state, name)
        if (!isUnshared(shares)) out.push({ path: joinPath(ourDir, name), shares })
      }
    }
  }
}
