// The social file changes of a follow handshake, staged into one SocialBatch (one commit) instead of a
// commit each: read shares (capabilities appended to each recipient's /<me>/shared/<r>/sharing.r and the
// recipients added to the items' SharedWithCache records, as sharing.ts does), the friends and followers
// groups (made on first use with their folders, shared with their current members, as
// social-state.ts's groups() does), membership of those groups, and a friend's entry point appended to
// .from-friends.cborstream (as friends.ts's addFriendEntryPoint does). Same files, same bytes.
import { encodeCbor } from '../../codec/cbor.ts'
import { equalBytes } from '../../codec/cid.ts'
import { capabilityToCbor, readOnly, type AbsoluteCapability } from '../../model/capability.ts'
import { encodeEntryPoint, entryPointFromCbor, type EntryPoint } from '../../model/entry-point.ts'
import { decodeGroups, encodeGroups, FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME, generateGroups, groupUid, type Groups } from '../../model/groups.ts'
import { EMPTY_PROCESSED_CAPS, encodeProcessedCaps } from '../../model/processed-caps.ts'
import { addSharedWith, decodeSharedWithState, EMPTY_SHARED_WITH, encodeSharedWithState, sharedWithOf } from '../../model/shared-with-state.ts'
import { NotFoundError } from '../errors.ts'
import { joinPath } from '../paths.ts'
import type { SocialBatch } from './batch.ts'
import { parseCborStream } from './cbor-stream.ts'
import type { SocialContext } from './context.ts'
import { ForgedOwnerError, NotAFollowerError } from './errors.ts'
import { checkEntryPoint, following } from './friends.ts'
import { capCacheDirOf, FRIEND_STATE_SUFFIX, FROM_FRIENDS_FILE, GROUPS_FILE, homeOf, READ_SHARING_FILE, SHARED_WITH_FILE, sharedDirOf } from './names.ts'
import { locate } from './shared-with.ts'
import { followers } from './social-state.ts'
import { concatAll } from '../../model/bytes.ts'

export type GroupName = typeof FRIENDS_GROUP_NAME | typeof FOLLOWERS_GROUP_NAME

export interface ReadShare {
  /** The item's path in our tree. */
  readonly path: string
  readonly cap: AbsoluteCapability
  /** Followers (by name) or groups (by uid). */
  readonly readers: readonly string[]
}

/** The file's contents as the batch will leave them: staged, or as stored (undefined: none). */
async function current(x: SocialContext, batch: SocialBatch, path: string, knownAbsent = false): Promise<Uint8Array | undefined> {
  return batch.staged(path) ?? (knownAbsent ? undefined : await batch.view.read(path))
}

/** shareReadAccessWith for several items at once, staged: one sharing.r write per recipient, one record write per folder. */
export async function stageReadShares(x: SocialContext, batch: SocialBatch, shares: readonly ReadShare[]): Promise<void> {
  const recipients = [...new Set(shares.flatMap((s) => s.readers))]
  await Promise.all(recipients.map(async (r) => {
    const dir = sharedDirOf(x.username, r)
    if (r === x.username || !(batch.isNewFolder(dir) || (await batch.view.exists(dir)))) throw new NotAFollowerError(`Unknown recipient for sharing: ${r}`)
  }))
  // the records, one file per folder of the items
  const records = new Map<string, { file: string; stored: Promise<Uint8Array | undefined> }>()
  for (const s of shares) {
    const { dir } = locate(x, s.path)
    if (!records.has(dir)) records.set(dir, { file: joinPath(dir, SHARED_WITH_FILE), stored: current(x, batch, joinPath(dir, SHARED_WITH_FILE)) })
  }
  const states = new Map<string, ReturnType<typeof decodeSharedWithState>>()
  const existed = new Set<string>()
  for (const [dir, r] of records) {
    const bytes = await r.stored
    if (bytes !== undefined) existed.add(dir)
    states.set(dir, bytes === undefined ? EMPTY_SHARED_WITH : decodeSharedWithState(bytes))
  }
  const appends = new Map<string, Uint8Array[]>() // recipient → capabilities
  for (const s of shares) {
    const { dir, name } = locate(x, s.path)
    const state = states.get(dir)!
    const already = new Set(sharedWithOf(state, name).read)
    const bytes = encodeCbor(capabilityToCbor(readOnly(s.cap)))
    for (const r of s.readers) {
      if (already.has(r)) continue
      let list = appends.get(r)
      if (list === undefined) appends.set(r, (list = []))
      list.push(bytes)
    }
    states.set(dir, addSharedWith(state, 'read', name, s.readers))
  }
  const olds = await Promise.all([...appends.keys()].map((r) => {
    const dir = sharedDirOf(x.username, r)
    return current(x, batch, joinPath(dir, READ_SHARING_FILE), batch.isNewFolder(dir))
  }))
  ;[...appends].forEach(([r, caps], i) => {
    batch.write(joinPath(sharedDirOf(x.username, r), READ_SHARING_FILE), concatAll([olds[i] ?? new Uint8Array(0), ...caps]), false)
  })
  for (const [dir, r] of records) {
    if (!existed.has(dir)) batch.ensureFolder(dir, true)
    batch.write(r.file, encodeSharedWithState(states.get(dir)!), false)
  }
}

export interface StagedGroups {
  readonly groups: Groups
  /** The capability of a group's folder. */
  capOf(name: GroupName): AbsoluteCapability
  uidOf(name: GroupName): string
}

/** Groups.getGroupNameMappings, staged: reads .groups.cbor, or stages both groups (folders shared with their members) and the file. */
export async function stageGroups(x: SocialContext, batch: SocialBatch): Promise<StagedGroups> {
  const path = sharedDirOf(x.username, GROUPS_FILE)
  const known = x.memo.groups.value ?? (await current(x, batch, path).then((b) => (b === undefined ? undefined : decodeGroups(b))))
  const caps = new Map<string, AbsoluteCapability>()
  let groups: Groups
  if (known !== undefined) {
    groups = known
    if (batch.staged(path) === undefined) x.memo.groups.value = known // written: it never changes
    await Promise.all([...groups.uidToGroupName.keys()].map(async (uid) => {
      const dir = sharedDirOf(x.username, uid)
      const cap = batch.isNewFolder(dir) ? await batch.folder(dir, true) : await batch.view.resolve(dir)
      if (cap === undefined) throw new NotFoundError(`${dir}: the group's folder is missing`)
      caps.set(uid, cap)
    }))
  } else {
    groups = generateGroups(x.net.crypto)
    const [followerNames, followed] = await Promise.all([followers(x, batch.view), following(x, batch.view)])
    const shares: ReadShare[] = []
    for (const [uid, name] of groups.uidToGroupName) {
      const cap = await batch.folder(sharedDirOf(x.username, uid), true)
      caps.set(uid, cap)
      const members = name === FOLLOWERS_GROUP_NAME ? followerNames : followed.filter((n) => followerNames.includes(n))
      if (members.length > 0) shares.push({ path: sharedDirOf(x.username, uid), cap, readers: members })
    }
    if (shares.length > 0) await stageReadShares(x, batch, shares)
    batch.write(path, encodeGroups(groups), false)
  }
  const uidOf = (name: GroupName): string => {
    const uid = groupUid(groups, name)
    if (uid === undefined) throw new NotFoundError(`${path} has no ${name} group`)
    return uid
  }
  return { groups, uidOf, capOf: (name) => caps.get(uidOf(name))! }
}

/** addToGroup for several groups, staged: the groups' folders are shared with `user`. */
export async function stageAddToGroups(x: SocialContext, batch: SocialBatch, user: string, names: readonly GroupName[]): Promise<void> {
  if (names.length === 0) return
  const g = await stageGroups(x, batch)
  await stageReadShares(x, batch, names.map((n) => ({ path: sharedDirOf(x.username, g.uidOf(n)), cap: g.capOf(n), readers: [user] })))
}

/**
 * addExternalEntryPoint, staged: a friend's entry point appended to .from-friends.cborstream (checked
 * first unless `checked`). A new folder from someone followed before (they removed us, then accepted us
 * again) resets what was read of their sharing files: the offsets mean nothing in the new ones.
 */
export async function stageFriendEntryPoint(x: SocialContext, batch: SocialBatch, e: EntryPoint, checked = false): Promise<void> {
  if (e.ownerName === x.username) throw new ForgedOwnerError('Cannot add an entry point to your own filesystem!')
  if (!checked) await checkEntryPoint(x, e)
  const path = joinPath(homeOf(x.username), FROM_FRIENDS_FILE)
  const bytes = await current(x, batch, path)
  const earlier = bytes === undefined ? [] : parseCborStream(bytes, entryPointFromCbor).items.filter((p) => p.ownerName === e.ownerName)
  if (earlier.length > 0 && !earlier.some((p) => p.pointer.writer.equals(e.pointer.writer) && equalBytes(p.pointer.mapKey, e.pointer.mapKey))) {
    batch.write(joinPath(capCacheDirOf(x.username), e.ownerName + FRIEND_STATE_SUFFIX), encodeProcessedCaps(EMPTY_PROCESSED_CAPS), false)
  }
  batch.write(path, concatAll([bytes ?? new Uint8Array(0), encodeEntryPoint(e)]), true)
}

