// UserContext.removeFollower (reference §6.1, §6.4; removeFromGroup, unshareItemsInSharingFolder):
// the follower leaves our friends and followers groups — each group folder they were given is
// rotated and re-shared with the members left, and so is every item shared with that group — then
// every item shared with them directly is rotated and re-shared with whoever keeps access, and their
// sharing folder /<me>/shared/<them> is deleted. Capabilities they already hold find nothing
// afterwards. Items they could write move to a new signing key (unShareWriteAccessWith), so the one
// they hold is refused by the server.
import { decodeGroups } from '../../model/groups.ts'
import { RotationUnsupportedError } from '../key-rotation.ts'
import { readSharingFile } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { GROUPS_FILE, sharedDirOf } from './names.ts'
import { unshareReadAccessWith } from './revoke.ts'
import { unshareWriteAccessWith } from './write-revoke.ts'
import { sharedWith } from './shared-with.ts'
import { forgetSharedWith } from './sharing.ts'
import { readIfExists } from './user-files.ts'

export interface RemovedFollower {
  /** Items whose keys were rotated (group folders included). */
  readonly rotated: readonly string[]
  /** Items that could not be rotated (a subtree holding another writing space); the follower may still read them. */
  readonly notRevoked: readonly string[]
}

export async function removeFollower(x: SocialContext, name: string): Promise<RemovedFollower> {
  const rotated = new Set<string>()
  const notRevoked = new Set<string>()
  const revoke = async (path: string): Promise<void> => {
    if (rotated.has(path) || notRevoked.has(path)) return
    try {
      await unshareReadAccessWith(x, path, [name])
      rotated.add(path)
    } catch (e) {
      if (!(e instanceof RotationUnsupportedError)) throw e
      await forgetSharedWith(x, path, 'read', [name])
      notRevoked.add(path)
    }
  }
  const groupsBytes = await readIfExists(x.fs, sharedDirOf(x.username, GROUPS_FILE))
  for (const uid of groupsBytes === undefined ? [] : decodeGroups(groupsBytes).uidToGroupName.keys()) {
    const groupDir = sharedDirOf(x.username, uid)
    if (!(await sharedWith(x, groupDir)).read.includes(name)) continue // never a member: nothing of the group reached them
    await revoke(groupDir)
    for (const c of (await readSharingFile(x.reader, await x.fs.capabilityOf(groupDir), 'read', 0)).caps) await revoke(c.path)
  }
  const dir = sharedDirOf(x.username, name)
  if (await x.fs.exists(dir)) {
    const dirCap = await x.fs.capabilityOf(dir)
    for (const c of (await readSharingFile(x.reader, dirCap, 'read', 0)).caps) await revoke(c.path)
    for (const c of (await readSharingFile(x.reader, dirCap, 'write', 0)).caps) {
      if (!(await sharedWith(x, c.path)).write.includes(name)) continue
      await unshareWriteAccessWith(x, c.path, [name])
      rotated.add(c.path)
    }
    await x.fs.remove(dir)
  }
  return { rotated: [...rotated].sort(), notRevoked: [...notRevoked].sort() }
}
