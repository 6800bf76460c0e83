// The incoming capability cache (reference §6.2; Peergos IncomingCapCache, FriendSourcedTrieNode):
// for each user we follow, their sharing folder for us (the entry point from the follow handshake)
// and the group folders they shared with us are read from the byte offsets recorded in
// /<me>/.capabilitycache/<friend>$incoming.cbor (ProcessedCaps); each new capability goes, with its
// path, into the mirror tree /<me>/.capabilitycache/world/<owner>/<dir path>/items.cbor
// (CapsInDirectory), and every item of that tree still there is mounted in the user's FileSystem at its
// path, under the name it has now (the owner may have renamed it), so `/alice/docs/notes.md` reads
// through the capability alice shared. New group folders
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
import { PeergosError } from '../../errors.ts'
import type { TreeReader } from '../tree-reader.ts'
import { joinPath, parsePath } from '../paths.ts'
import { readSharingFile, type CapabilityWithPath } from './capability-store.ts'
import type { SocialContext } from './context.ts'
import { blockedUsers, friendEntryPoints } from './friends.ts'
import { capCacheDirOf, DIR_CAPS_FILE, FRIEND_STATE_SUFFIX, GROUPS_FROM_FRIENDS_FILE, homeOf, SHARED_DIR, WORLD_DIR } from './names.ts'
import { identityOf, ownsKeyFor } from './public-keys.ts'
import type { OwnFiles } from './own-view.ts'
import { SocialBatch } from './batch.ts'

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

  /**
   * IncomingCapCache.ensureFriendUptodate for one friend's entry point. `theirs`: a snapshot in which
   * the caller has just read the friend's pointers (checking their entry point), read again otherwise.
   */
  async updateFriend(e: EntryPoint, theirs?: TreeReader): Promise<CapabilityWithPath[]> {
    const batch = new SocialBatch(this.x) // our reads in one view, our writes in one commit
    const caps = await this.stageFriend(batch, await this.readFriend(e, theirs, batch.view))
    await batch.commit()
    return caps
  }

  /**
   * The reading half of updateFriend: what the friend's sharing folder and group folders hold past the
   * recorded offsets (`prior`: the offsets to start from instead of the recorded ones). Writes nothing,
   * so it may run before the friend's entry point is checked (a follow step stages it only after).
   */
  async readFriend(e: EntryPoint, theirs: TreeReader | undefined, files: OwnFiles, prior?: ProcessedCaps): Promise<FriendRead> {
    const friend = e.ownerName
    const statePath = joinPath(capCacheDirOf(this.x.username), friend + FRIEND_STATE_SUFFIX)
    const [stateBytes, known0] = await Promise.all([prior === undefined ? files.read(statePath) : undefined, this.friendsGroups(files)])
    const state = prior ?? (stateBytes === undefined ? EMPTY_PROCESSED_CAPS : decodeProcessedCaps(stateBytes))
    let known = known0
    let toRead: [string, EntryPoint][] = groupsOfFriend(known, friend).map(([path, g]) => [path.slice(path.lastIndexOf('/') + 1), g])
    const groupProgress = new Map<string, CapsProgress>()
    const caps: CapabilityWithPath[] = []
    const newGroups: [string, EntryPoint][] = []
    const snapshot = theirs ?? this.x.reader.snapshot() // the friend's folders read in one view (their pointers read once)
    /** The group folders of `toRead` not read yet, all at once (a folder we were removed from reads as nothing). */
    const readGroups = async (): Promise<void> => {
      const reads = await Promise.all(toRead.filter(([name]) => !groupProgress.has(name)).map(async ([name, g]) => {
        try {
          return { name, r: await this.readFolder(g.pointer, state.groups.get(name) ?? EMPTY_PROCESSED_CAPS, snapshot) }
        } catch (err) {
          if (!(err instanceof PeergosError)) throw err // we may have been removed from the group
          return undefined
        }
      }))
      for (const read of reads) {
        if (read === undefined) continue
        groupProgress.set(read.name, read.r.progress)
        caps.push(...read.r.caps)
      }
    }
    const [direct] = await Promise.all([this.readFolder(e.pointer, state, snapshot), readGroups()])
    caps.unshift(...direct.caps)
    for (let pass = 0; pass === 0 || toRead.length > 0; pass++) {
      if (pass > 0) await readGroups()
      const groupPrefix = `/${friend}/${SHARED_DIR}/`
      // a group folder seen for the first time, or given anew after its keys were rotated
      const fresh = caps.filter((c) => {
        if (!c.path.startsWith(groupPrefix)) return false
        const had = known.pathToGroup.get(c.path)
        return had === undefined || !sameCap(had.pointer, c.cap)
      })
      toRead = []
      const trusted = await Promise.all(fresh.map((c) => this.trusted(c.path, c.cap)))
      fresh.forEach((c, i) => {
        if (!trusted[i]) return
        const g: EntryPoint = { pointer: c.cap, ownerName: friend }
        known = addFriendGroup(known, c.path, g)
        newGroups.push([c.path, g])
        const name = c.path.slice(groupPrefix.length)
        groupProgress.delete(name) // read again through the new capability (the old one finds nothing)
        toRead.push([name, g])
      })
    }
    return { friend, statePath, state, newGroups, progress: { ...direct.progress, groups: groupProgress }, caps }
  }

  /**
   * The writing half of updateFriend, staged in `batch`: new group folders added to
   * .groups-from-friends.cborstream, the capabilities to the mirror tree, the offsets reached. Returns
   * the capabilities read. Files staged earlier in the batch (another friend's pick-up) are built on.
   */
  async stageFriend(batch: SocialBatch, read: FriendRead): Promise<CapabilityWithPath[]> {
    const groupsPath = joinPath(homeOf(this.x.username), GROUPS_FROM_FRIENDS_FILE)
    let known = read.newGroups.length === 0 ? undefined : await this.friendsGroups(stagedFiles(batch))
    const empty = isEmptyProgress(read.progress)
    const mirror = empty ? [] : await this.mirrorWrites(batch, read.friend, read.caps)
    // every read done: the writes, all or none
    if (known !== undefined) {
      for (const [path, g] of read.newGroups) known = addFriendGroup(known, path, g)
      batch.write(groupsPath, encodeFriendsGroups(known), true)
    }
    if (empty) return []
    for (const m of mirror) {
      if (m.isNew) {
        batch.ensureFolder(this.worldDir, true)
        batch.ensureFolder(m.dir, false)
      }
      batch.write(joinPath(m.dir, DIR_CAPS_FILE), m.data, false)
    }
    batch.write(read.statePath, encodeProcessedCaps(addProgress(read.state, read.progress)), false)
    return read.caps
  }

  private async friendsGroups(files: OwnFiles): Promise<FriendsGroups> {
    const bytes = await files.read(joinPath(homeOf(this.x.username), GROUPS_FROM_FRIENDS_FILE))
    return bytes === undefined ? EMPTY_FRIENDS_GROUPS : decodeFriendsGroups(bytes)
  }

  /** New capabilities in one sharing folder's sharing.r and sharing.w, from the recorded offsets. */
  private async readFolder(dir: AbsoluteCapability, prior: ProcessedCaps, snapshot: TreeReader): Promise<FolderRead> {
    const [r, w] = await Promise.all([
      readSharingFile(snapshot, dir, 'read', prior.readCapBytes, true),
      readSharingFile(snapshot, dir, 'write', prior.writeCapBytes, true),
    ])
    return {
      progress: { readCaps: r.caps.length, writeCaps: w.caps.length, readBytes: r.bytesRead, writeBytes: w.bytesRead, groups: new Map() },
      caps: [...r.caps, ...w.caps],
    }
  }

  /** IncomingCapCache.addCapToMirror: the new items.cbor of each directory (one write per directory). */
  private async mirrorWrites(batch: SocialBatch, sharer: string, caps: readonly CapabilityWithPath[]): Promise<{ dir: string; isNew: boolean; data: Uint8Array }[]> {
    const byDir = new Map<string, { name: string; cap: AbsoluteCapability }[]>()
    for (const c of caps) {
      const { owner, names } = parsePath(c.path)
      if (names.length === 0) continue // a home directory is never shared
      const dir = [this.worldDir, owner, ...names.slice(0, -1)].join('/')
      let list = byDir.get(dir)
      if (list === undefined) byDir.set(dir, (list = []))
      list.push({ name: names[names.length - 1], cap: c.cap })
    }
    const dirs = [...byDir]
    const files = stagedFiles(batch)
    const stored = await Promise.all(dirs.map(([dir]) => files.read(joinPath(dir, DIR_CAPS_FILE))))
    const out: { dir: string; isNew: boolean; data: Uint8Array }[] = []
    for (let i = 0; i < dirs.length; i++) {
      const [dir, children] = dirs[i]
      const bytes = stored[i]
      let items = bytes === undefined ? EMPTY_CAPS_IN_DIRECTORY : decodeCapsInDirectory(bytes)
      for (const ch of children) items = await this.addChild(items, ch.name, ch.cap, sharer)
      out.push({ dir, isNew: bytes === undefined, data: encodeCapsInDirectory(items) })
    }
    return out
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

  /**
   * Mounts items just read from a newly followed user (what mountAll would add for them, without
   * listing the whole mirror tree); a writable capability already mounted at a path is kept.
   */
  async mountNew(caps: readonly CapabilityWithPath[]): Promise<void> {
    const mounted = new Map(this.x.fs.mounted())
    const trusted = await Promise.all(caps.map((c) => this.trusted(c.path, c.cap).catch(() => false)))
    caps.forEach((c, i) => {
      if (!trusted[i]) return
      const had = mounted.get(c.path)
      if (had !== undefined && isWritable(had) && !isWritable(c.cap)) return
      this.x.fs.mount(c.path, c.cap)
      this.mountedPaths.add(c.path)
    })
  }

  /** Mounts every item of the mirror tree (not those only blocked users shared); unmounts what left it. */
  async mountAll(): Promise<SharedItem[]> {
    const blocked = new Set(await blockedUsers(this.x))
    const collected: SharedItem[] = []
    if (await this.x.fs.exists(this.worldDir)) await this.collect(this.worldDir, [], blocked, collected)
    const found = await this.withCurrentNames(collected)
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

  /**
   * Items at the names they have now: the folder they were shared in, with the name their properties
   * give (an owner's rename reaches those it is shared with, as Peergos' listings of shared items name
   * them from their properties). All read at once; items no longer there (revoked, deleted, their owner's
   * account gone) are left out, as Peergos' listings leave out what no longer resolves; when they cannot
   * be read at all (a server unreachable) every item keeps its recorded path.
   */
  private async withCurrentNames(items: readonly SharedItem[]): Promise<SharedItem[]> {
    if (items.length === 0) return []
    const heads = await this.x.reader.snapshot().readChunks(items.map((i) => i.cap), false).catch((err: unknown) => {
      if (!(err instanceof PeergosError)) throw err
      return undefined
    })
    if (heads === undefined) return [...items]
    return items.flatMap((item, i) => {
      const head = heads[i]
      if (head === undefined) return []
      const name = head.view.properties.name
      const cut = item.path.lastIndexOf('/')
      if (name === item.path.slice(cut + 1)) return item
      const path = item.path.slice(0, cut + 1) + name
      try {
        if (parsePath(path).names.length === parsePath(item.path).names.length) return { ...item, path }
      } catch {
        // not a valid name: keep the recorded one
      }
      return item
    })
  }

  /** The path's owner (its first name) has the capability's owner as identity, which owns its writing key. */
  private async trusted(path: string, cap: AbsoluteCapability): Promise<boolean> {
    const { owner } = parsePath(path)
    const identity = await identityOf(this.x, owner).catch(() => undefined)
    if (identity === undefined || !identity.equals(cap.owner)) return false
    return ownsKeyFor(this.x, identity, cap.writer).catch(() => false)
  }
}

/** What IncomingCaps.readFriend found in a friend's folders, for stageFriend. */
export interface FriendRead {
  readonly friend: string
  /** Our record of the offsets reached in their files. */
  readonly statePath: string
  readonly state: ProcessedCaps
  /** Their group folders seen for the first time or given anew (path, entry point), in the order found. */
  readonly newGroups: readonly [string, EntryPoint][]
  readonly progress: CapsProgress
  readonly caps: CapabilityWithPath[]
}

/** Our files as `batch` will leave them: staged contents first, else as its view read them. */
function stagedFiles(batch: SocialBatch): OwnFiles {
  return {
    read: async (path) => batch.staged(path) ?? batch.view.read(path),
    exists: (path) => batch.view.exists(path),
    list: (path) => batch.view.list(path),
  }
}

function sameCap(a: AbsoluteCapability, b: AbsoluteCapability): boolean {
  return equalBytes(encodeCbor(capabilityToCbor(a)), encodeCbor(capabilityToCbor(b)))
}

function isEmptyProgress(p: CapsProgress): boolean {
  return p.readBytes === 0 && p.writeBytes === 0 && [...p.groups.values()].every(isEmptyProgress)
}
