// Sharing read access (reference §6.2; UserContext.shareReadAccessWith): the item's read-only
// capability is appended to /<me>/shared/<name>/sharing.r for each recipient (a follower, or a group
// uid, whose folder is itself shared with the group's members), and the recipients are recorded in
// the outbound SharedWithCache. A recipient already recorded for the item is not sent it again
// (capabilities only change when keys are rotated, and rotation records the shares anew).
import { readOnly, type WritableAbsoluteCapability } from '../../model/capability.ts'
import { addSharedWith, removeSharedWith } from '../../model/shared-with-state.ts'
import { parsePath } from '../paths.ts'
import { appendCapability, type SharingAccess } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { NotAFollowerError, NotShareableError } from './errors.ts'
import { sharedDirOf } from './names.ts'
import { reshareSubtree } from './revoke.ts'
import { sharedWith, updateSharedWith } from './shared-with.ts'

export async function shareReadAccessWith(x: SocialContext, path: string, readers: readonly string[]): Promise<void> {
  if (readers.length === 0) return
  if (parsePath(path).names.length === 0) throw new NotShareableError('You cannot share your home directory!')
  for (const r of readers) {
    if (r === x.username || !(await x.fs.exists(sharedDirOf(x.username, r)))) throw new NotAFollowerError(`Unknown recipient for sharing: ${r}`)
  }
  const cap = readOnly(await x.fs.capabilityOf(path))
  const already = new Set((await sharedWith(x, path)).read)
  for (const r of readers) {
    if (!already.has(r)) await appendCapability(x, r, cap, 'read')
  }
  await updateSharedWith(x, path, (s, name) => addSharedWith(s, 'read', name, readers))
}

/**
 * UserContext.shareWriteAccessWith: the item first gets its own writing space (a new signing key,
 * the subtree re-keyed behind a link node, committed atomically — see FileSystem.ensureOwnWriter),
 * then its writable capability is appended to /<me>/shared/<name>/sharing.w for each recipient; when
 * the item moved, every share and secret link at or below it is re-sent with the new capabilities, so
 * its readers keep reading. The grantee of a folder can add, change and delete inside it; of a file, change only that file;
 * the server refuses any other write (the grantee holds no other key).
 */
export async function shareWriteAccessWith(x: SocialContext, path: string, writers: readonly string[]): Promise<void> {
  if (writers.length === 0) return
  if (parsePath(path).names.length === 0) throw new NotShareableError('You cannot share your home directory!')
  for (const w of writers) {
    if (w === x.username || !(await x.fs.exists(sharedDirOf(x.username, w)))) throw new NotAFollowerError(`Unknown recipient for sharing: ${w}`)
  }
  const { cap, moved } = await moveToOwnWriter(x, path)
  const already = new Set((await sharedWith(x, path)).write)
  await updateSharedWith(x, path, (s, name) => addSharedWith(s, 'write', name, writers))
  if (moved) {
    await reshareSubtree(x, path) // everyone recorded, the new writers included, gets the moved item's capabilities
    return
  }
  for (const w of writers) {
    if (!already.has(w)) await appendCapability(x, w, cap, 'write')
  }
}

/**
 * Gives the item its own writing space if it has none (FileSystem.ensureOwnWriter). A move re-keys the
 * subtree, so — as Peergos' shareWriteAccessWith does after rotateAllKeys — every reader, writer and
 * secret link recorded at or below it is sent the new capabilities (reSendAllSharesAndLinksRecursive)
 * by the caller: `moved` says whether that is needed.
 */
export async function moveToOwnWriter(x: SocialContext, path: string): Promise<{ cap: WritableAbsoluteCapability; moved: boolean }> {
  const before = await x.fs.capabilityOf(path)
  const cap = await x.fs.ensureOwnWriter(path)
  return { cap, moved: !before.writer.equals(cap.writer) }
}

/** Drops `names` from an item's sharing record (what unsharing does besides rotating keys). */
export async function forgetSharedWith(x: SocialContext, path: string, access: SharingAccess, names: readonly string[]): Promise<void> {
  await updateSharedWith(x, path, (s, name) => removeSharedWith(s, access, name, names))
}
