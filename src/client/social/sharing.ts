// Sharing read access (reference §6.2; UserContext.shareReadAccessWith): the item's read-only
// capability is appended to /<me>/shared/<name>/sharing.r for each recipient (a follower, or a group
// uid, whose folder is itself shared with the group's members), and the recipients are recorded in
// the outbound SharedWithCache. A recipient already recorded for the item is not sent it again
// (capabilities only change when keys are rotated, and rotation records the shares anew).
import { readOnly } from '../../model/capability.ts'
import { addSharedWith, removeSharedWith } from '../../model/shared-with-state.ts'
import { parsePath } from '../paths.ts'
import { appendCapability, type SharingAccess } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { NotAFollowerError, NotShareableError } from './errors.ts'
import { sharedDirOf } from './names.ts'
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

/** Drops `names` from an item's sharing record (what unsharing does besides rotating keys). */
export async function forgetSharedWith(x: SocialContext, path: string, access: SharingAccess, names: readonly string[]): Promise<void> {
  await updateSharedWith(x, path, (s, name) => removeSharedWith(s, access, name, names))
}
