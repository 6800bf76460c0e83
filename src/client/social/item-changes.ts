// Renaming, moving and deleting items that may be shared (Peergos FileWrapper.rename →
// SharedWithCache.rename, FileWrapper.moveTo → clearSharedWith + addAllSharedWith, FileWrapper.remove →
// deleteSecretLink of every link at or below the item + clearSharedWith): the owner's sharing records
// follow the item. A rename or a move inside one writing space keeps the item's keys, so readers keep
// their access and its secret links keep opening; the records (readers, writers, links) move to the new
// path, those of everything below a folder too. A move into another writing space is a copy under new
// keys and a removal: like a removal, the old item's links are revoked and its records dropped, and the
// copy is shared with no one. Readers' sharing files are left as they are (what they hold of a removed
// item finds nothing).
import { equalBytes } from '../../codec/cid.ts'
import type { SharedWithState } from '../../model/shared-with-state.ts'
import { joinPath, parsePath, splitParent } from '../paths.ts'
import type { SocialContext } from './context.ts'
import { descendantShares, type ItemShares } from './descendant-shares.ts'
import { editSecretLinks } from './identity-links.ts'
import { capCacheDirOf, OUTBOUND_DIR } from './names.ts'
import { updateSharedWith } from './shared-with.ts'
import { removeIfExists } from './user-files.ts'

/** Moves or renames `from` (into `to` when it is an existing folder, else to the path `to`), records and all. */
export async function moveItem(x: SocialContext, from: string, to: string): Promise<string> {
  const src = normalise(from)
  const isDir = await x.fs.stat(to).then((i) => i.isDirectory, () => false)
  const dest = isDir ? joinPath(normalise(to), splitParent(src).name) : normalise(to)
  // an item in someone else's tree (written through their write share) has no records of ours
  if (!isOurs(x, src)) {
    await x.fs.move(from, to)
    return dest
  }
  const shares = await descendantShares(x, src)
  const before = await x.fs.capabilityOf(src)
  await x.fs.move(from, to)
  if (shares.length === 0) return dest
  const after = await x.fs.capabilityOf(dest)
  const keptKeys = before.writer.equals(after.writer) && equalBytes(before.mapKey, after.mapKey)
  if (!keptKeys) await revokeLinks(x, shares)
  await clearRecords(x, src)
  if (keptKeys) {
    for (const item of shares) {
      const moved = dest + item.path.slice(src.length)
      await updateSharedWith(x, moved, (s, name) => withEntry(s, name, item))
    }
  }
  return dest
}

/** Removes an item (a folder with everything in it); its secret links and those below it are revoked, its records dropped. */
export async function removeItem(x: SocialContext, path: string): Promise<void> {
  if (!isOurs(x, normalise(path))) return x.fs.remove(path)
  const shares = await descendantShares(x, path)
  await x.fs.remove(path)
  if (shares.length === 0) return
  await revokeLinks(x, shares)
  await clearRecords(x, normalise(path))
}

/** Every secret link of these items leaves the links CHAMP, in one identity commit. */
async function revokeLinks(x: SocialContext, shares: readonly ItemShares[]): Promise<void> {
  const labels = shares.flatMap((i) => i.shares.links.map((l) => l.label))
  if (labels.length > 0) await editSecretLinks(x, async (e) => { for (const l of labels) await e.remove(l) })
}

/** SharedWithCache.clearSharedWith: the item's entry in its folder's record, and the records of everything below it. */
async function clearRecords(x: SocialContext, path: string): Promise<void> {
  await updateSharedWith(x, path, (s, name) => withoutEntry(s, name))
  const { owner, names } = parsePath(path)
  await removeIfExists(x.fs, [capCacheDirOf(x.username), OUTBOUND_DIR, owner, ...names].join('/'))
}

function isOurs(x: SocialContext, path: string): boolean {
  return parsePath(path).owner === x.username
}

function normalise(path: string): string {
  const { owner, names } = parsePath(path)
  return '/' + [owner, ...names].join('/')
}

function withoutEntry(s: SharedWithState, name: string): SharedWithState {
  const drop = <T>(m: ReadonlyMap<string, T>): Map<string, T> => {
    const out = new Map(m)
    out.delete(name)
    return out
  }
  return { read: drop(s.read), write: drop(s.write), links: drop(s.links) }
}

function withEntry(s: SharedWithState, name: string, item: ItemShares): SharedWithState {
  const set = <T>(m: ReadonlyMap<string, T>, v: T, empty: boolean): Map<string, T> => {
    const out = new Map(m)
    if (empty) out.delete(name)
    else out.set(name, v)
    return out
  }
  const { read, write, links } = item.shares
  return {
    read: set(s.read, [...read], read.length === 0),
    write: set(s.write, [...write], write.length === 0),
    links: set(s.links, [...links], links.length === 0),
  }
}
