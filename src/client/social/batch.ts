// Several changes to the user's own social files in ONE commit of the root writer: new folders (whose
// capabilities are chosen up front, so a follow request or a sharing file can name them before the
// commit) and whole small files, created or replaced, anywhere below the home directory. The social
// flows change three to ten small files at a time (a follow reply writes the sharing folder, its
// sharing.r, the SharedWithCache record and .from-friends.cborstream); through the FileSystem each of
// those is a commit, here they are one (one block/put/bulk and one setPointer). The nodes are built as
// FileSystem builds them (cryptree-build, file-upload), so the files are ordinary Peergos files.
import type { WritableAbsoluteCapability } from '../../model/capability.ts'
import { MAP_KEY_BYTES } from '../../model/capability.ts'
import { randomBat } from '../../model/bat.ts'
import { decodeCryptreeNode, MAX_CHILD_LINKS_PER_BLOB } from '../../model/cryptree-node.ts'
import { readCryptreeNode } from '../../model/cryptree-read.ts'
import { timestampFromMillis, type FileProperties } from '../../model/file-properties.ts'
import { toAbsolute } from '../../model/relative-capability.ts'
import { randomSymmetricKey, type SymmetricKey } from '../../model/symmetric-key.ts'
import type { NamedRelativeCapability } from '../../model/relative-capability.ts'
import { PeergosError } from '../../errors.ts'
import { childLink, newDirectory, newItemCap, parentLinkOf, type ParentDir } from '../cryptree-build.ts'
import { addChildren, findChild, readDirChunks, updateChildren, type DirChunk } from '../dir-ops.ts'
import { chunkLocation, chunkNodes, fileCap, newFileKeys, storeContents, type FileKeys, type StoredContents } from '../file-upload.ts'
import { parsePath } from '../paths.ts'
import { CHUNK_SIZE } from '../tree-reader.ts'
import type { WriterTx } from '../writer-tx.ts'
import type { SocialContext } from './context.ts'
import { OwnView } from './own-view.ts'
import { OCTET_STREAM } from './names.ts'

/** A folder the batch was to create exists meanwhile with other keys (another client of the user made it). */
export class SocialBatchConflictError extends PeergosError {}

interface StagedDir {
  readonly path: string
  readonly hidden: boolean
  /** Chosen up front (known to the caller before the commit), or undefined: any keys. */
  readonly cap?: WritableAbsoluteCapability
}

interface StagedFile {
  readonly path: string
  readonly data: Uint8Array
  readonly hidden: boolean
}

export class SocialBatch {
  private readonly dirs: StagedDir[] = []
  private readonly files = new Map<string, StagedFile>()

  /** The reads of the step this batch belongs to (taken when the batch is made; stale once it commits). */
  readonly view: OwnView

  constructor(private readonly x: SocialContext) {
    this.view = new OwnView(x)
  }

  get isEmpty(): boolean {
    return this.dirs.length === 0 && this.files.size === 0
  }

  /**
   * The write capability of the folder at `path` (of ours), made in this batch when it does not exist
   * (its missing parents too): its keys are chosen now, so the capability can be handed out before the
   * commit.
   */
  async folder(path: string, hidden: boolean): Promise<WritableAbsoluteCapability> {
    const staged = this.dirs.find((d) => d.path === normalise(path) && d.cap !== undefined)
    if (staged !== undefined) return staged.cap!
    const found = await this.view.resolve(path)
    if (found?.wBaseKey !== undefined) return found as WritableAbsoluteCapability
    const { owner, names } = parsePath(path)
    for (let i = 1; i < names.length; i++) this.ensureFolder('/' + [owner, ...names.slice(0, i)].join('/'), hidden)
    const c = this.x.net.crypto
    const cap: WritableAbsoluteCapability = {
      owner: this.x.home.owner, writer: this.x.home.writer, mapKey: c.randomBytes(MAP_KEY_BYTES), bat: randomBat(c),
      rBaseKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c),
    }
    this.dirs.push({ path: normalise(path), hidden, cap })
    return cap
  }

  /** The folder at `path` is made by this batch with keys chosen up front (it did not exist: it holds nothing yet). */
  isNewFolder(path: string): boolean {
    const p = normalise(path)
    return this.dirs.some((d) => d.path === p && d.cap !== undefined)
  }

  /** The contents staged for the file at `path`, if any. */
  staged(path: string): Uint8Array | undefined {
    return this.files.get(normalise(path))?.data
  }

  /** Makes the folder at `path` (and its missing parents) when it does not exist. */
  ensureFolder(path: string, hidden: boolean): void {
    const p = normalise(path)
    if (!this.dirs.some((d) => d.path === p)) this.dirs.push({ path: p, hidden })
  }

  /** Creates or replaces the small file at `path` (its folder is made when missing). */
  write(path: string, data: Uint8Array, hidden: boolean): void {
    this.files.set(normalise(path), { path: normalise(path), data, hidden })
  }

  /** Commits everything staged (one root-writer commit), then empties the batch. */
  async commit(): Promise<void> {
    if (this.isEmpty) return
    const dirs = [...this.dirs]
    const files = [...this.files.values()]
    this.dirs.length = 0
    this.files.clear()
    const session = this.x.rootWriter
    const c = this.x.net.crypto
    const mirrorBatId = this.x.mirrorBatId
    await session.withTransaction(async (tid) => {
      const stored: { file: StagedFile; keys: FileKeys; contents: StoredContents }[] = await Promise.all(files.map(async (file) => {
        const keys = newFileKeys(c)
        return { file, keys, contents: await storeContents(session, tid, keys, file.data, { mirrorBatId }) }
      }))
      await session.apply((tx) => applyStaged(tx, this.x, dirs, stored), tid)
    })
  }
}

/** A folder the commit touches: its capability, and what changes in it (each folder's node written once). */
interface DirPlan {
  readonly path: string
  readonly cap: WritableAbsoluteCapability
  readonly parentKey: SymmetricKey
  /** Its chunks when it exists; undefined when this commit makes it. */
  readonly chunks?: DirChunk[]
  /** For a folder made here: its parent's path, name and hidden flag. */
  readonly made?: { readonly parent: string; readonly name: string; readonly hidden: boolean }
  readonly added: NamedRelativeCapability[]
  readonly removed: Set<string>
}

/**
 * The staged folders and files applied to one version of the tree. Every folder touched is located
 * first (siblings at once); then the files' nodes are built and each folder's node is written once
 * with all its new children (a folder made here is built with them), instead of once per child.
 */
async function applyStaged(tx: WriterTx, x: SocialContext, dirs: readonly StagedDir[], stored: readonly { file: StagedFile; keys: FileKeys; contents: StoredContents }[]): Promise<void> {
  const c = x.net.crypto
  const home = x.home
  const mirrorBatId = x.mirrorBatId
  const plans = new Map<string, Promise<DirPlan>>()
  // a WriterTx reads one thing at a time: the folders' reads queue up (each still starts once its parent is known)
  let queue: Promise<unknown> = Promise.resolve()
  const readChunks = (cap: WritableAbsoluteCapability): Promise<DirChunk[]> => {
    const r = queue.then(() => readDirChunks(tx, cap))
    queue = r.catch(() => undefined)
    return r
  }
  const homeChunks = readChunks(home)
  homeChunks.catch(() => undefined)
  const plan = (path: string, hidden: boolean, wanted?: WritableAbsoluteCapability): Promise<DirPlan> => {
    let p = plans.get(path)
    if (p === undefined) {
      p = locateDir(path, hidden, wanted)
      p.catch(() => undefined) // awaited below
      plans.set(path, p)
    }
    return p
  }
  const locateDir = async (path: string, hidden: boolean, wanted?: WritableAbsoluteCapability): Promise<DirPlan> => {
    if (path === '/' + x.username) {
      const chunks = await homeChunks
      return { path, cap: home, parentKey: chunks[0].view.parentKey, chunks, added: [], removed: new Set() }
    }
    const { owner, names } = parsePath(path)
    const parentPath = '/' + [owner, ...names.slice(0, -1)].join('/')
    const parent = await plan(parentPath, hidden)
    const name = names[names.length - 1]
    const existing = parent.chunks === undefined ? undefined : findChild(parent.chunks, name)
    if (existing === undefined) {
      const cap = wanted ?? newItemCap(c, parent)
      return { path, cap, parentKey: randomSymmetricKey(c), made: { parent: parentPath, name, hidden }, added: [], removed: new Set() }
    }
    const abs = toAbsolute(c, existing.cap, parent.cap)
    if (abs.wBaseKey === undefined || !abs.writer.equals(home.writer)) throw new SocialBatchConflictError(`${path} is not in the home directory's writing space`)
    if (wanted !== undefined && !equalCaps(abs as WritableAbsoluteCapability, wanted)) throw new SocialBatchConflictError(`${path} was made meanwhile by another client`)
    const cap = abs as WritableAbsoluteCapability
    const chunks = await readChunks(cap)
    return { path, cap, parentKey: chunks[0].view.parentKey, chunks, added: [], removed: new Set() }
  }
  // every folder located (each path's lookups start as soon as its parent is known)
  const wantedDirs = dirs.map((d) => plan(d.path, d.hidden, d.cap))
  const fileDirs = stored.map((s) => plan(parentOf(s.file.path), false))
  await Promise.all([...wantedDirs, ...fileDirs])
  // the files: replaced ones removed, new nodes built, their links queued for their folders
  for (let i = 0; i < stored.length; i++) {
    const s = stored[i]
    const dir = await fileDirs[i]
    const name = parsePath(s.file.path).names.at(-1)!
    const old = dir.chunks === undefined ? undefined : findChild(dir.chunks, name)
    if (old !== undefined && !dir.removed.has(name)) {
      await removeFile(tx, c, toAbsolute(c, old.cap, dir.cap) as WritableAbsoluteCapability, dir.cap)
      dir.removed.add(name)
    }
    const parentDir: ParentDir = { cap: dir.cap, parentKey: dir.parentKey }
    const time = timestampFromMillis(Date.now())
    const props: FileProperties = {
      name, isDirectory: false, isLink: false, mimeType: OCTET_STREAM, size: s.contents.size, modified: time, created: time, isHidden: s.file.hidden, streamSecret: s.keys.streamSecret,
    }
    for (const n of chunkNodes(c, s.keys, props, parentLinkOf(parentDir), s.contents.chunks, s.contents.chunks.map((ch) => ch.plainHash), mirrorBatId)) {
      await tx.setBuiltNode(n.mapKey, n.built, n.bat)
    }
    dir.added.push(childLink(c, parentDir, fileCap(dir.cap.owner, dir.cap.writer, s.keys), name, false, OCTET_STREAM, time))
  }
  tx.flushEarlyPuts() // the files' nodes are stored while the folders' are built
  const all = await Promise.all(plans.values())
  const byPath = new Map(all.map((d) => [d.path, d]))
  const time = timestampFromMillis(Date.now())
  // folders made here join their parents (before any node is written: a parent may be made here too)
  for (const d of all) {
    if (d.made === undefined) continue
    const parent = byPath.get(d.made.parent)!
    parent.added.unshift(childLink(c, { cap: parent.cap, parentKey: parent.parentKey }, d.cap, d.made.name, true, '', time))
  }
  for (const d of all) {
    if (d.made !== undefined) {
      const parent = byPath.get(d.made.parent)!
      const fits = d.added.length <= MAX_CHILD_LINKS_PER_BLOB
      const nd = newDirectory(c, { cap: parent.cap, parentKey: parent.parentKey }, {
        name: d.made.name, hidden: d.made.hidden, time, mirrorBatId, cap: d.cap, parentKey: d.parentKey, ...(fits ? { children: d.added } : {}),
      })
      await tx.setBuiltNode(nd.cap.mapKey, nd.built, nd.cap.bat)
      if (!fits) await addChildren(tx, [{ cap: nd.cap, node: nd.built.node, view: readCryptreeNode(c, nd.built.node, nd.cap.rBaseKey, nd.cap.wBaseKey), children: [] }], d.added)
      continue
    }
    if (d.removed.size === 0 && d.added.length === 0) continue
    let chunks = d.chunks!
    if (d.removed.size > 0) {
      const kept = chunks.map((ch) => ({ ...ch, children: ch.children.filter((l) => !d.removed.has(l.name)) }))
      const changed = kept.map((ch, i) => ch.children.length !== chunks[i].children.length)
      const fitsAt = kept.findIndex((ch) => ch.children.length + d.added.length <= MAX_CHILD_LINKS_PER_BLOB)
      if (d.added.length > 0 && fitsAt >= 0 && changed.every((ch, i) => !ch || i === fitsAt)) {
        await addChildren(tx, kept, d.added) // the one changed chunk written once, with the new children
        continue
      }
      await updateChildren(tx, chunks, (l) => (d.removed.has(l.name) ? null : undefined))
      chunks = await readDirChunks(tx, d.cap)
    }
    await addChildren(tx, chunks, d.added)
  }
}

function parentOf(path: string): string {
  const { owner, names } = parsePath(path)
  return '/' + [owner, ...names.slice(0, -1)].join('/')
}

/** The chunk nodes of a replaced file of the same writing space (a folder is never replaced by a file). */
async function removeFile(tx: WriterTx, c: SocialContext['net']['crypto'], cap: WritableAbsoluteCapability, dir: WritableAbsoluteCapability): Promise<void> {
  if (!cap.writer.equals(dir.writer)) return
  const found = await tx.getNode(cap.mapKey, cap.bat)
  if (found === undefined) return
  const view = readCryptreeNode(c, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
  if (view.isDirectory) throw new SocialBatchConflictError(`${view.properties.name} is a folder`)
  const secret = view.properties.streamSecret
  if (secret === undefined) {
    await tx.removeNode(cap.mapKey, cap.bat)
    return
  }
  const n = Math.max(1, Math.ceil(view.properties.size / CHUNK_SIZE))
  for (let i = 0; i < n; i++) {
    const loc = chunkLocation(c, { streamSecret: secret, mapKey: cap.mapKey, bat: cap.bat }, i)
    await tx.removeNode(loc.mapKey, loc.bat)
  }
}

function equalCaps(a: WritableAbsoluteCapability, b: WritableAbsoluteCapability): boolean {
  return a.writer.equals(b.writer) && a.mapKey.length === b.mapKey.length && a.mapKey.every((v, i) => v === b.mapKey[i])
}

function normalise(path: string): string {
  const { owner, names } = parsePath(path)
  return '/' + [owner, ...names].join('/')
}
