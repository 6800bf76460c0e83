// UserContext.removeFollower, without key rotation: the follower leaves our friends and followers
// groups' sharing records, every item we shared with them loses them from its SharedWithCache entry,
// and their sharing folder /<me>/shared/<them> is deleted, so they see nothing we share from now on
// (directly). Peergos additionally rotates the keys of the group folders and of every item shared
// with them, so capabilities they already hold stop working; that rotation is not done here.
import { decodeGroups } from '../../model/groups.ts'
import { readSharingFile } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { GROUPS_FILE, sharedDirOf } from './names.ts'
import { forgetSharedWith } from './sharing.ts'
import { readIfExists } from './user-files.ts'

export async function removeFollower(x: SocialContext, name: string): Promise<void> {
  const groupsBytes = await readIfExists(x.fs, sharedDirOf(x.username, GROUPS_FILE))
  if (groupsBytes !== undefined) {
    for (const uid of decodeGroups(groupsBytes).uidToGroupName.keys()) await forgetSharedWith(x, sharedDirOf(x.username, uid), 'read', [name])
  }
  const dir = sharedDirOf(x.username, name)
  if (!(await x.fs.exists(dir))) return
  const dirCap = await x.fs.capabilityOf(dir)
  for (const access of ['read', 'write'] as const) {
    const { caps } = await readSharingFile(x.reader, dirCap, access, 0)
    for (const c of caps) await forgetSharedWith(x, c.path, access, [name])
  }
  await x.fs.remove(dir)
}
