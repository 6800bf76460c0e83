// Revoking read access (reference §6.4; UserContext.unShareReadAccessWith, rotateAllKeys with
// rotateSigners = false, reSendAllSharesAndLinksRecursive, gatherAllUsernamesToUnshare): the item's
// whole subtree gets new keys, labels and BATs and its old nodes are removed (fs.rotateKeys), so a
// capability anyone held before finds nothing; the revoked readers leave the item's sharing record;
// then every share recorded for the item and its descendants (users, groups, writers) is sent the
// new capability, and their secret links are re-encrypted under the same labels and passwords.
import { capabilityToCbor, readOnly } from '../../model/capability.ts'
import { encodeCbor } from '../../codec/cbor.ts'
import type { LinkProperties } from '../../model/link-properties.ts'
import { NotFoundError } from '../errors.ts'
import { joinPath } from '../paths.ts'
import { appendToFile } from './user-files.ts'
import { sharingFileName, type SharingAccess } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { descendantShares } from './descendant-shares.ts'
import { sharedDirOf } from './names.ts'
import { publishSecretLinks } from './secret-links.ts'
import { forgetSharedWith } from './sharing.ts'
import { sharedWith } from './shared-with.ts'
import { socialState } from './social-state.ts'
import { concatAll } from '../../model/bytes.ts'

/** unShareReadAccessWith: `readers` (users or group uids) lose read access to the item at `path`. */
export async function unshareReadAccessWith(x: SocialContext, path: string, readers: readonly string[]): Promise<void> {
  if (readers.length === 0) return
  const names = readers.some((r) => r.startsWith('.')) ? await withGroupMembers(x, path, readers) : [...new Set(readers)]
  await x.fs.rotateKeys(path)
  await forgetSharedWith(x, path, 'read', names)
  await reshareSubtree(x, path)
}

/**
 * gatherAllUsernamesToUnshare: revoking the friends group also revokes the friends the item is shared
 * with one by one; revoking the followers group revokes the followers so shared, and the friends group.
 */
async function withGroupMembers(x: SocialContext, path: string, readers: readonly string[]): Promise<string[]> {
  const social = await socialState(x)
  const current = (await sharedWith(x, path)).read
  const out = new Set(readers)
  if (readers.includes(social.friendsGroupUid)) for (const n of current) if (social.friends.includes(n)) out.add(n)
  if (readers.includes(social.followersGroupUid)) {
    for (const n of current) if (social.followers.includes(n)) out.add(n)
    if (current.includes(social.friendsGroupUid)) out.add(social.friendsGroupUid)
  }
  return [...out]
}

/**
 * reSendAllSharesAndLinksRecursive: appends the current capability of every shared item at or below
 * `path` to the sharing file of each of its recorded readers and writers (one append per recipient
 * and file), and re-publishes its secret links. Recipients whose sharing folder is gone (a removed
 * follower), and records of items no longer there, are skipped.
 */
export async function reshareSubtree(x: SocialContext, path: string): Promise<void> {
  const items = await descendantShares(x, path)
  const pending = new Map<string, Uint8Array[]>() // "<recipient>/<file>" → capabilities
  const links: { path: string; props: LinkProperties }[] = []
  const folders = new Map<string, boolean>()
  const hasFolder = async (r: string): Promise<boolean> => {
    let known = folders.get(r)
    if (known === undefined) folders.set(r, (known = r !== x.username && (await x.fs.exists(sharedDirOf(x.username, r)))))
    return known
  }
  const queue = async (recipient: string, access: SharingAccess, bytes: Uint8Array): Promise<void> => {
    if (!(await hasFolder(recipient))) return
    const key = joinPath(recipient, sharingFileName(access))
    let list = pending.get(key)
    if (list === undefined) pending.set(key, (list = []))
    list.push(bytes)
  }
  for (const item of items) {
    let cap
    try {
      cap = await x.fs.capabilityOf(item.path)
    } catch (e) {
      if (e instanceof NotFoundError) continue // a record left by an item removed without its records
      throw e
    }
    if (item.shares.read.length > 0) {
      const bytes = encodeCbor(capabilityToCbor(readOnly(cap)))
      for (const r of item.shares.read) await queue(r, 'read', bytes)
    }
    if (item.shares.write.length > 0 && cap.wBaseKey !== undefined) {
      const bytes = encodeCbor(capabilityToCbor(cap))
      for (const w of item.shares.write) await queue(w, 'write', bytes)
    }
    for (const props of item.shares.links) links.push({ path: item.path, props })
  }
  for (const [key, caps] of pending) await appendToFile(x.fs, joinPath(sharedDirOf(x.username), key), concatAll(caps), false)
  await publishSecretLinks(x, links)
}

