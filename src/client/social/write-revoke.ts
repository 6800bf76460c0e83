// Revoking write access (reference §6.4; UserContext.unShareWriteAccessWith, rotateAllKeys with
// rotateSigners = true, deAuthoriseSigner, reSendAllSharesAndLinksRecursive): the item moves to a new
// signing key (fs.replaceWriter: the subtree re-keyed into a fresh writer behind a new link node, the
// old writer removed from the parent's owned keys and its pointer cleared, all in one setPointers
// call), so the server refuses anything signed with the old key; the revoked writers leave the item's
// sharing record; then every remaining reader, writer and secret link of the item and of everything
// below it is sent the new capability. As in Peergos, a revoked writer keeps reading only if the item
// is also shared with them for reading (their write capability reads nothing any more).
import type { SocialContext } from './context.ts'
import { reshareSubtree } from './revoke.ts'
import { forgetSharedWith } from './sharing.ts'
import { sharedWith } from './shared-with.ts'
import { socialState } from './social-state.ts'

/** unShareWriteAccessWith: `writers` (users, or the friends / followers group uids) lose write access to the item at `path`. */
export async function unshareWriteAccessWith(x: SocialContext, path: string, writers: readonly string[]): Promise<void> {
  if (writers.length === 0) return
  const names = writers.some((w) => w.startsWith('.')) ? await withGroupWriters(x, path, writers) : [...new Set(writers)]
  await x.fs.replaceWriter(path)
  await forgetSharedWith(x, path, 'write', names)
  await reshareSubtree(x, path)
}

/** gatherAllUsernamesToUnshare over the item's writers: a group revokes its members who have write access too. */
async function withGroupWriters(x: SocialContext, path: string, writers: readonly string[]): Promise<string[]> {
  const social = await socialState(x)
  const current = (await sharedWith(x, path)).write
  const out = new Set(writers)
  if (writers.includes(social.friendsGroupUid)) for (const n of current) if (social.friends.includes(n)) out.add(n)
  if (writers.includes(social.followersGroupUid)) {
    for (const n of current) if (social.followers.includes(n)) out.add(n)
    if (current.includes(social.friendsGroupUid)) out.add(social.friendsGroupUid)
  }
  return [...out]
}
