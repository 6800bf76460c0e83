// The incoming capability cache (reference §6.2; Peergos IncomingCapCache, FriendSourcedTrieNode):
// for each user we follow, their sharing folder for us (the entry point from the follow handshake)
// and the group folders they shared with us are read from the byte offsets recorded in
// /<me>/.capabilitycache/<friend>$incoming.cbor (ProcessedCaps); each new capability goes, with its
// path, into the mirror tree /<me>/.capabilitycache/world/<owner>/<dir path>/items.cbor
// (CapsInDirectory), and every item of that tree is mounted at its path in the user's FileSystem,
// so `/alice/docs/notes.md` reads through the capability alice shared. New group folders
// (/<friend>/shared/<uid>) are added to .groups-from-friends.cborstream and read in the same pass.
import { equalBytes } from '../../codec/cid.ts'
import { encodeCbor } from '../../codec/cbor.ts'
import { capabilityToCbor, isWritable, type AbsoluteCapability } from '../../model/capability.ts'
import { decodeCapsInDirectory, EMPTY_CAPS_IN_DIRECTORY, encodeCapsInDirectory, type CapsInDirectory } from '../../model/caps-in-directory.ts'
import type { EntryPoint } from '../../model/entry-point.ts'
import {
  addFriendGroup, decodeFriendsGroups, EMPTY_FRIENDS_GROUPS, encodeFriendsGroups, groupsOfFriend, type FriendsGroups,
} from '../../model/friends-groups.ts'
import {
  addProgress, decodeProcessedCaps, EMPTY_PROCESSED_CAPS, encodeProcessedCaps, type CapsProgress, type ProcessedCaps,
} from '../../model/processed-caps.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { PeergosError } from '../../errors.ts'
import { joinPath, parsePath } from '../paths.ts'
import { readSharingFile, type CapabilityWithPath } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { blockedUsers, friendEntryPoints } from './friends.ts'
import { capCacheDirOf, DIR_CAPS_FILE, FRIEND_STATE_SUFFIX, GROUPS_FROM_FRIENDS_FILE, homeOf, SHARED_DIR, WORLD_DIR } from './names.ts'
import { ownsKey } from './public-keys.ts'
import { readIfExists, writeSmallFile } from './user-files.ts'

/** An item someone shared with us, as mounted. */
export interface SharedItem {
  readonly path: string
  readonly cap: AbsoluteCapability
  /** Who shared it with us. */
  readonly sharers: readonly string[]
}

interface FolderRead {
  readonly progress: CapsProgress
  readonly caps: CapabilityWithPath[]
}

export class IncomingCaps {
  private mountedPaths = new Set<string>()
  private readonly identities = new Map<string, Promise<PublicKeyHash | undefined>>()
  private readonly owned = new Map<string, Promise<boolean>>()

  constructor(private readonly x: SocialContext) {}

  private get worldDir(): string {
    return joinPath(capCacheDirOf(this.x.username), WORLD_DIR)
  }

  /** Reads what every user we follow shared since last time, then mounts everything shared with us. */
  async refresh(): Promise<SharedItem[]> {
    for (const e of await friendEntryPoints(this.x)) {
      try {
        await this.updateFriend(e)
      } catch (err) {
        if (!(err instanceof PeergosError)) throw err // a friend who removed us, or a broken share, must not stop the others
      }
    }
    return this.mountAll()
  }

  /** IncomingCapCache.ensureFriendUptodate for one friend's entry point. */
  async updateFriend(e: EntryPoint): Promise<CapabilityWithPath[]> {
    const friend = e.ownerName
    const statePath = joinPath(capCacheDirOf(this.x.username), friend + FRIEND_STATE_SUFFIX)
    const stateBytes = await readIfExists(this.x.fs, statePath)
    const state = stateBytes === undefined ? EMPTY_PROCESSED_CAPS : decodeProcessedCaps(stateBytes)
    const direct = await this.readFolder(e.pointer, state)
    const caps = [...direct.caps]
    const groupProgress = new Map<string, CapsProgress>()
    let known = await this.friendsGroups()
    let toRead: [string, EntryPoint][] = groupsOfFriend(known, friend).map(([path, g]) => [path.slice(path.lastIndexOf('/') + 1), g])
    for (let pass = 0; pass === 0 || toRead.length > 0; pass++) {
      for (const [name, g] of toRead) {
        if (groupProgress.has(name)) continue
        try {
          const r = await this.readFolder(g.pointer, state.groups.get(name) ?? EMPTY_PROCESSED_CAPS)
          groupProgress.set(name, r.progress)
          caps.push(...r.caps)
        } catch (err) {
          if (!(err instanceof PeergosError)) throw err // we may have been removed from the group
        }
      }
      const groupPrefix = `/${friend}/${SHARED_DIR}/`
      // a group folder seen for the first time, or given anew after its keys were rotated
      const fresh = caps.filter((c) => {
        if (!c.path.startsWith(groupPrefix)) return false
        const had = known.pathToGroup.get(c.path)
        return had === undefined || !sameCap(had.pointer, c.cap)
      })
      toRead = []
      for (const c of fresh) {
        if (!(await this.trusted(c.path, c.cap))) continue
        const g: EntryPoint = { pointer: c.cap, ownerName: friend }
        known = addFriendGroup(known, c.path, g)
        const name = c.path.slice(groupPrefix.length)
        groupProgress.delete(name) // read again through the new capability (the old one finds nothing)
        toRead.push([name, g])
      }
      if (toRead.length > 0) await writeSmallFile(this.x.fs, joinPath(homeOf(this.x.username), GROUPS_FROM_FRIENDS_FILE), encodeFriendsGroups(known), true)
    }
    const progress: CapsProgress = { ...direct.progress, groups: groupProgress }
    if (isEmptyProgress(progress)) return []
    await this.addToMirror(friend, caps)
    await writeSmallFile(this.x.fs, statePath, encodeProcessedCaps(addProgress(state, progress)), false)
    return caps
  }

  private async friendsGroups(): Promise<FriendsGroups> {
    const bytes = await readIfExists(this.x.fs, joinPath(homeOf(this.x.username), GROUPS_FROM_FRIENDS_FILE))
    return bytes === undefined ? EMPTY_FRIENDS_GROUPS : decodeFriendsGroups(bytes)
  }

  /** New capabilities in one sharing folder's sharing.r and sharing.w, from the recorded offsets. */
  private async readFolder(dir: AbsoluteCapability, prior: ProcessedCaps): Promise<FolderRead> {
    const r = await readSharingFile(this.x.reader, dir, 'read', prior.readCapBytes)
    const w = await readSharingFile(this.x.reader, dir, 'write', prior.writeCapBytes)
    return {
      progress: { readCaps: r.caps.length, writeCaps: w.caps.length, readBytes: r.bytesRead, writeBytes: w.bytesRead, groups: new Map() },
      caps: [...r.caps, ...w.caps],
    }
  }

  /** IncomingCapCache.addCapToMirror, one items.cbor write per directory. */
  private async addToMirror(sharer: string, caps: readonly CapabilityWithPath[]): Promise<void> {
    const byDir = new Map<string, { name: string; cap: AbsoluteCapability }[]>()
    for (const c of caps) {
      const { owner, names } = parsePath(c.path)
      if (names.length === 0) continue // a home directory is never shared
      const dir = [this.worldDir, owner, ...names.slice(0, -1)].join('/')
      let list = byDir.get(dir)
      if (list === undefined) byDir.set(dir, (list = []))
      list.push({ name: names[names.length - 1], cap: c.cap })
    }
    let worldExists = false
    for (const [dir, children] of byDir) {
      const file = joinPath(dir, DIR_CAPS_FILE)
      const bytes = await readIfExists(this.x.fs, file)
      if (bytes === undefined) {
        if (!worldExists) await this.x.fs.mkdir(this.worldDir, { parents: true, hidden: true })
        worldExists = true
        await this.x.fs.mkdir(dir, { parents: true })
      }
      let items = bytes === undefined ? EMPTY_CAPS_IN_DIRECTORY : decodeCapsInDirectory(bytes)
      for (const ch of children) items = await this.addChild(items, ch.name, ch.cap, sharer)
      await writeSmallFile(this.x.fs, file, encodeCapsInDirectory(items), false)
    }
  }

  /** CapsInDirectory.addChild: the same capability gains a sharer; a different one replaces it unless it would downgrade a still valid write capability. */
  private async addChild(d: CapsInDirectory, name: string, cap: AbsoluteCapability, sharer: string): Promise<CapsInDirectory> {
    const current = d.children.find((c) => c.name === name)
    if (current === undefined) return { children: [...d.children, { name, cap, sharers: [sharer] }] }
    const rest = d.children.filter((c) => c.name !== name)
    if (sameCap(current.cap, cap)) return { children: [...rest, { name, cap, sharers: [...new Set([...current.sharers, sharer])] }] }
    if (current.sharers.length === 1 && current.sharers[0] === sharer && !isWritable(current.cap)) return { children: [...rest, { name, cap, sharers: current.sharers }] }
    if (isWritable(current.cap) && !isWritable(cap)) {
      const old = await this.x.reader.readChunk(current.cap, undefined, false).catch(() => undefined)
      if (old !== undefined) return d
    }
    return { children: [...rest, { name, cap, sharers: [sharer] }] }
  }

  /** Mounts every item of the mirror tree (not those only blocked users shared); unmounts what left it. */
  async mountAll(): Promise<SharedItem[]> {
    const blocked = new Set(await blockedUsers(this.x))
    const found: SharedItem[] = []
    if (await this.x.fs.exists(this.worldDir)) await this.collect(this.worldDir, [], blocked, found)
    const now = new Set<string>()
    for (const item of found) {
      this.x.fs.mount(item.path, item.cap)
      now.add(item.path)
    }
    for (const p of this.mountedPaths) if (!now.has(p)) this.x.fs.unmount(p)
    this.mountedPaths = now
    return found.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
  }

  private async collect(dir: string, rel: readonly string[], blocked: ReadonlySet<string>, out: SharedItem[]): Promise<void> {
    for (const e of await this.x.fs.list(dir)) {
      if (e.isDirectory) {
        await this.collect(e.path, [...rel, e.name], blocked, out)
        continue
      }
      if (e.name !== DIR_CAPS_FILE || rel.length === 0 || rel[0] === this.x.username) continue
      const items = decodeCapsInDirectory(await this.x.fs.readFileBytes(e.path))
      for (const ch of items.children) {
        if (ch.sharers.every((s) => blocked.has(s))) continue
        const path = '/' + [...rel, ch.name].join('/')
        try {
          parsePath(path)
        } catch {
          continue
        }
        if (await this.trusted(path, ch.cap)) out.push({ path, cap: ch.cap, sharers: ch.sharers })
      }
    }
  }

  /** The path's owner (its first name) has the capability's owner as identity, which owns its writing key. */
  private async trusted(path: string, cap: AbsoluteCapability): Promise<boolean> {
    const { owner } = parsePath(path)
    let id = this.identities.get(owner)
    if (id === undefined) this.identities.set(owner, (id = this.x.net.coreNode.getPublicKeyHash(owner).catch(() => undefined)))
    const identity = await id
    if (identity === undefined || !identity.equals(cap.owner)) return false
    const key = `${identity.toString()}|${cap.writer.toString()}`
    let owns = this.owned.get(key)
    if (owns === undefined) this.owned.set(key, (owns = ownsKey(this.x.net, this.x.reader, identity, cap.writer).catch(() => false)))
    return owns
  }
}

function sameCap(a: AbsoluteCapability, b: AbsoluteCapability): boolean {
  return equalBytes(encodeCbor(capabilityToCbor(a)), encodeCbor(capabilityToCbor(b)))
}

function isEmptyProgress(p: CapsProgress): boolean {
  return p.readBytes === 0 && p.writeBytes === 0 && [...p.groups.values()].every(isEmptyProgress)
}
