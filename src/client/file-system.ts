// A user's encrypted file tree by path (reference §2; Peergos FileWrapper and UserContext's path
// operations): list, stat, mkdir, write (new, overwrite, append, truncate, batched small files),
// streamed reads with seeking, remove (recursive), move/rename and copy. Reads go through the
// verifying TreeReader; writes run as WriterSession operations, so a concurrent commit by another
// client makes the operation re-read the tree and run again instead of losing either change.
import { equalBytes, cidToString } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import type { BatId } from '../model/bat-id.ts'
import type { AbsoluteCapability, WritableAbsoluteCapability } from '../model/capability.ts'
import { createDir, decodeCryptreeNode, encodeCryptreeNode as encodeNode, nodeMirrorBatId, withFromParent } from '../model/cryptree-node.ts'
import { randomBat } from '../model/bat.ts'
import { readCryptreeNode } from '../model/cryptree-read.ts'
import { timestampFromMillis, timestampToMillis, type FileProperties, type Thumbnail } from '../model/file-properties.ts'
import { childrenLinks, relativise, subsequentChunkCapability, toAbsolute, type NamedRelativeCapability } from '../model/relative-capability.ts'
import { publicKeyHash, randomSigningKeyPair, type PublicKeyHash, type SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { randomSymmetricKey, type SymmetricKey } from '../model/symmetric-key.ts'
import { concatBytes } from '../model/bytes.ts'
import { childLink, newDirectory, newItemCap, parentLinkOf, type ParentDir } from './cryptree-build.ts'
import { addChildren, findChild, FileExistsError, NotADirectoryError, readDirChunk, readDirChunks, updateChildren, type DirChunk } from './dir-ops.ts'
import { NotFoundError } from './errors.ts'
import { readFileRange, type ReadRange } from './file-download.ts'
import { chunkLocation, chunkNodes, fileCap, newFileKeys, storeContents, type ByteSource, type FileKeys, type StoredContents } from './file-upload.ts'
import { buildHashTree, hashBranch } from './hash-tree.ts'
import { NestedWritingSpaceError, rotateInto, rotateSubtree, type SpaceRotation } from './key-rotation.ts'
import { mimeTypeOf } from './mime-types.ts'
import { rewriteOwnFile } from './own-file-write.ts'
import { resumableWrite } from './resumable-upload.ts'
import { joinPath, parsePath, splitParent } from './paths.ts'
import { CHUNK_SIZE, type TreeEntry, type TreeReader } from './tree-reader.ts'
import { applyAndRetire, removeOwnedKey } from './retire-writers.ts'
import { applyTogether, WriterSession, type WriterServices } from './writer-session.ts'
import { WriterTx } from './writer-tx.ts'

/** An operation this client cannot do (yet) on that item, e.g. writing into another writer's subspace. */
export class UnsupportedOperationError extends PeergosError {}

/** The hidden folder of upload transaction records (UserContext.TRANSACTIONS_DIR_NAME). */
export const TRANSACTIONS_DIR = '.transactions'

export interface FileInfo {
  readonly name: string
  readonly path: string
  readonly isDirectory: boolean
  readonly isLink: boolean
  readonly isHidden: boolean
  readonly size: number
  readonly mimeType: string
  /** Epoch milliseconds. */
  readonly modified: number
  readonly created: number
}

export interface WriteOptions {
  /** Replace an existing file of that name (default true); false makes an existing name an error. */
  readonly overwrite?: boolean
  readonly hidden?: boolean
  readonly mimeType?: string
  /** Epoch milliseconds (default now). */
  readonly modified?: number
  /** Called with the bytes stored so far. */
  readonly onProgress?: (bytes: number) => void
  readonly chunksInFlight?: number
  readonly signal?: AbortSignal
  /** The size of a streamed source, when known: new files over 5 MiB then upload resumably through /.transactions. */
  readonly size?: number
}

/** One file of a batch write, with optional per-file metadata. */
export interface BatchFile {
  readonly name: string
  readonly data: Uint8Array
  readonly hidden?: boolean
  readonly mimeType?: string
  /** Epoch milliseconds. */
  readonly modified?: number
}

/** Folder copies batch files up to this size, this many or this many bytes per commit. */
export const COPY_BATCH_FILE_BYTES = 1024 * 1024
export const COPY_BATCH_FILES = 200
export const COPY_BATCH_BYTES = 16 * 1024 * 1024

export interface FileSystemContext {
  readonly crypto: CryptoProvider
  readonly username: string
  readonly home: WritableAbsoluteCapability
  /** The session of the home directory's writer (the root writer). */
  readonly session: WriterSession
  readonly reader: TreeReader
  readonly mirrorBatId?: BatId
  /** What new writer sessions talk to. */
  readonly services: WriterServices
}

function infoOf(path: string, e: Pick<TreeEntry, 'name' | 'properties' | 'isDirectory' | 'isLink'>): FileInfo {
  const p = e.properties
  return {
    name: e.name, path, isDirectory: e.isDirectory, isLink: e.isLink, isHidden: p.isHidden, size: p.size, mimeType: p.mimeType,
    modified: timestampToMillis(p.modified), created: timestampToMillis(p.created),
  }
}

function fileInfo(path: string, p: FileProperties): FileInfo {
  return infoOf(path, { name: p.name, properties: p, isDirectory: false, isLink: false })
}

/** A directory located for writing: its capability and the session of its writer. */
interface Located {
  readonly cap: WritableAbsoluteCapability
  readonly session: WriterSession
  readonly path: string
  /** The snapshot the directory was found in. */
  readonly reader: TreeReader
  /** The mirror BAT id new blocks there carry: the owner's (as Peergos' parent.mirrorBatId()), ours in our own tree. */
  readonly mirrorBatId?: BatId
}

/** A writing space nested in a subtree: its root, its key pair, and the writer of the folder linking to it. */
interface NestedSpace {
  readonly cap: WritableAbsoluteCapability
  readonly signer: SigningPrivateKeyAndPublicHash
  readonly parentWriter: PublicKeyHash
}

/** A directory resolved inside a transaction. */
interface TxDir extends ParentDir {
  readonly chunks: DirChunk[]
  readonly path: string
  readonly mirrorBatId?: BatId
}

/** What a transaction knows about an existing file. */
interface TxFile {
  readonly cap: WritableAbsoluteCapability
  readonly link: NamedRelativeCapability
  readonly props: FileProperties
  readonly keys: FileKeys
}

export class FileSystem {
  private readonly c: CryptoProvider
  private readonly sessions = new Map<string, WriterSession>()
  private readonly mounts = new Map<string, AbsoluteCapability>()

  constructor(private readonly x: FileSystemContext) {
    this.c = x.crypto
  }

  /** Closes every writer session's idle server transaction. */
  async close(): Promise<void> {
    await Promise.all([this.x.session, ...this.sessions.values()].map((s) => s.close()))
  }

  // ---- reading ----

  /**
   * Makes an item of someone else reachable at its path (a capability shared with this user, e.g. from
   * a friend's sharing file, or a secret link): `/bob/docs/a.txt` then reads through `cap`.
   */
  mount(path: string, cap: AbsoluteCapability): void {
    this.mounts.set(normalise(path), cap)
  }

  unmount(path: string): void {
    this.mounts.delete(normalise(path))
  }

  /** The paths of everything mounted, with their capabilities. */
  mounted(): [string, AbsoluteCapability][] {
    return [...this.mounts.entries()]
  }

  /** Where a path starts: the home directory, or the longest mounted prefix; and the names below it. */
  private start(path: string): { cap: AbsoluteCapability; at: string; names: readonly string[] } {
    const { owner, names } = parsePath(path)
    if (owner === this.x.username) return { cap: this.x.home, at: '/' + owner, names }
    const full = normalise(path)
    let best: string | undefined
    for (const m of this.mounts.keys()) {
      if ((full === m || full.startsWith(m + '/')) && (best === undefined || m.length > best.length)) best = m
    }
    if (best === undefined) throw new NotFoundError(`${path}: not found (nothing there is shared with you)`)
    return { cap: this.mounts.get(best)!, at: best, names: full === best ? [] : full.slice(best.length + 1).split('/') }
  }

  /**
   * The capability its folder lists for the item at `path`: for an item with its own writing space, the
   * link node in the parent's space (what a writable secret link hands out, as Peergos' getLinkPointer).
   */
  async entryCapabilityOf(path: string): Promise<AbsoluteCapability> {
    const { parent, name } = splitParent(path)
    const r = this.x.reader.snapshot()
    const child = await r.findChild(await this.resolve(parent, r), name)
    if (child === undefined) throw new NotFoundError(`${path}: no such file or directory`)
    return child
  }

  /** The capability of the item at `path` (a write-share link node gives its target): what sharing hands out. */
  async capabilityOf(path: string): Promise<AbsoluteCapability> {
    const r = this.x.reader.snapshot()
    return r.linkTarget(await this.resolve(path, r))
  }

  private async resolve(path: string, r: TreeReader = this.x.reader.snapshot()): Promise<AbsoluteCapability> {
    const { cap: start, at: startPath, names } = this.start(path)
    let cap = start
    let at = startPath
    for (const name of names) {
      at = joinPath(at, name)
      const child = await r.findChild(cap, name)
      if (child === undefined) throw new NotFoundError(`${at}: no such file or directory`)
      cap = child
    }
    return names.length === 0 ? cap : r.linkTarget(cap) // a write-share link node stands for its target
  }

  async stat(path: string): Promise<FileInfo> {
    const { owner, names } = parsePath(path)
    const r = this.x.reader.snapshot()
    const entry = await r.stat(await this.resolve(path, r), names.length === 0 ? owner : names[names.length - 1])
    return infoOf(normalise(path), entry)
  }

  async exists(path: string): Promise<boolean> {
    try {
      await this.resolve(path)
      return true
    } catch (e) {
      if (e instanceof NotFoundError) return false
      throw e
    }
  }

  async list(path: string): Promise<FileInfo[]> {
    const dir = normalise(path)
    const r = this.x.reader.snapshot()
    const listed = await r.list(await this.resolve(path, r))
    // a write-share link node is shown as the item it links to (the others as they are: no promise each)
    const entries = listed.some((e) => e.isLink) ? await Promise.all(listed.map(async (e) => (e.isLink ? { ...(await r.stat(await r.linkTarget(e.cap), e.name)), isLink: true } : e))) : listed
    return entries.map((e) => infoOf(joinPath(dir, e.name), e)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  }

  /** Streams a file's bytes, from any offset (O(1) lookups per chunk). */
  async *readFile(path: string, range: ReadRange = {}): AsyncGenerator<Uint8Array> {
    const r = this.x.reader.snapshot()
    const cap = await this.resolve(path, r)
    const entry = await r.stat(cap)
    if (entry.isDirectory) throw new NotADirectoryError(`${path} is a directory`)
    yield* readFileRange(r, cap, entry.properties, range)
  }

  async readFileBytes(path: string, range: ReadRange = {}): Promise<Uint8Array> {
    const parts: Uint8Array[] = []
    let n = 0
    for await (const p of this.readFile(path, range)) {
      parts.push(p)
      n += p.length
    }
    const out = new Uint8Array(n)
    let off = 0
    for (const p of parts) {
      out.set(p, off)
      off += p.length
    }
    return out
  }

  // ---- resolving for writes ----

  /** The session of a writer, one per writing subspace this client writes into. */
  private sessionFor(owner: PublicKeyHash, signer: SigningPrivateKeyAndPublicHash): WriterSession {
    const main = this.x.session
    if (signer.publicKeyHash.equals(main.writer)) return main
    const key = cidToString(signer.publicKeyHash)
    let s = this.sessions.get(key)
    if (s === undefined) {
      s = new WriterSession(this.x.services, this.x.reader.pointers, owner, signer, main.cache)
      this.sessions.set(key, s)
    }
    return s
  }

  /**
   * Finds the directory at `path` for writing: its write capability (through write-share link nodes to
   * their targets) and the session of its writer, whose key pair the first node of each new writing
   * subspace carries sealed under its write key.
   */
  private async locateDir(path: string): Promise<Located> {
    // through the versions this client's writer sessions just committed (no pointer read; the commit's
    // CAS catches a newer one), or the current pointers when the path is not there (made elsewhere)
    try {
      return await this.locateDirIn(path, this.x.reader.snapshot((w) => (w.equals(this.x.session.writer) ? this.x.session : this.sessions.get(cidToString(w)))?.lastCommitted))
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e
      return this.locateDirIn(path, this.x.reader.snapshot())
    }
  }

  private async locateDirIn(path: string, r: TreeReader): Promise<Located> {
    const { cap: start, at: startPath, names } = this.start(path)
    if (start.wBaseKey === undefined) throw new UnsupportedOperationError(`${path}: no write access`)
    let cap = start as WritableAbsoluteCapability
    let signer = this.x.session.signer
    let at = startPath
    if (!cap.writer.equals(signer.publicKeyHash)) signer = await this.signerOf(r, cap, at)
    for (const name of names) {
      at = joinPath(at, name)
      const target = (await this.recentStep(cap, name)) ?? (await this.treeStep(r, cap, name, at))
      if (target.wBaseKey === undefined) throw new UnsupportedOperationError(`${at}: no write access`)
      cap = target as WritableAbsoluteCapability
      if (!cap.writer.equals(signer.publicKeyHash)) signer = await this.signerOf(r, cap, at)
    }
    // in someone else's folder (write-shared with us), new blocks carry its owner's mirror BAT id
    let mirrorBatId = this.x.mirrorBatId
    if (!cap.owner.equals(this.x.home.owner)) {
      const head = await r.readChunk(cap, undefined, false)
      mirrorBatId = head === undefined ? undefined : nodeMirrorBatId(head.node)
    }
    return { cap, session: this.sessionFor(cap.owner, signer), path: at, reader: r, mirrorBatId }
  }

  /** One step of a write path's walk through the tree reader: the child `name` of the folder `cap`, through a link node to its target. */
  private async treeStep(r: TreeReader, cap: WritableAbsoluteCapability, name: string, at: string): Promise<AbsoluteCapability> {
    const child = await r.findChild(cap, name)
    if (child === undefined) throw new NotFoundError(`${at}: no such directory`)
    return r.linkTarget(child)
  }

  /** A transaction over the version of `writer`'s space its session just committed or read (no request), if known. */
  private recentTx(writer: PublicKeyHash): WriterTx | undefined {
    const s = writer.equals(this.x.session.writer) ? this.x.session : this.sessions.get(cidToString(writer))
    const recent = s?.recent()
    return s === undefined || recent === undefined ? undefined : new WriterTx(s, recent)
  }

  /**
   * treeStep through the version the writer session just committed, from its cached blocks and decoded
   * chunks: the tree reader decodes the child folder's whole child list only to see that it is not a link
   * node, at every write (0.5-2 ms for a folder of a few hundred). Undefined when that version does not
   * settle it (unknown, no such child, a link node, not a folder, legacy child links): treeStep decides.
   */
  private async recentStep(cap: WritableAbsoluteCapability, name: string): Promise<AbsoluteCapability | undefined> {
    const tx = this.recentTx(cap.writer)
    if (tx === undefined) return undefined
    try {
      const chunks = await readDirChunks(tx, cap)
      if (chunks[0].view.properties.isLink) return undefined
      const link = findChild(chunks, name)
      if (link === undefined) return undefined
      const child = toAbsolute(this.c, link.cap, cap)
      if (child.wBaseKey === undefined) return undefined
      const childTx = child.writer.equals(cap.writer) ? tx : this.recentTx(child.writer)
      if (childTx === undefined) return undefined
      const head = await readDirChunk(childTx, child as WritableAbsoluteCapability)
      return head !== undefined && !head.view.properties.isLink ? child : undefined
    } catch (e) {
      if (e instanceof PeergosError) return undefined
      throw e
    }
  }

  /** The key pair of the writing space `cap` starts, sealed in its first node under its write key. */
  private async signerOf(r: TreeReader, cap: WritableAbsoluteCapability, at: string): Promise<SigningPrivateKeyAndPublicHash> {
    const head = await r.readChunk(cap, undefined, false)
    const found = head?.view.signer
    if (found === undefined || !found.publicKeyHash.equals(cap.writer)) throw new UnsupportedOperationError(`${at}: no signing key for its writing space ${cidToString(cap.writer)}`)
    return found
  }

  /** The directory's chunks as this transaction sees them. */
  private async txDir(tx: WriterTx, loc: Located): Promise<TxDir> {
    const chunks = await readDirChunks(tx, loc.cap)
    return { cap: loc.cap, parentKey: chunks[0].view.parentKey, chunks, path: loc.path, mirrorBatId: loc.mirrorBatId }
  }

  /** A child's write capability, when it lies in the same writing subspace as its directory (else undefined). */
  private sameWriterChild(dir: WritableAbsoluteCapability, link: NamedRelativeCapability, at: string): WritableAbsoluteCapability | undefined {
    const abs = toAbsolute(this.c, link.cap, dir)
    if (abs.wBaseKey === undefined) throw new UnsupportedOperationError(`${at}: no write access`)
    return abs.writer.equals(dir.writer) ? (abs as WritableAbsoluteCapability) : undefined
  }

  private writableChild(dir: WritableAbsoluteCapability, link: NamedRelativeCapability, at: string): WritableAbsoluteCapability {
    const abs = this.sameWriterChild(dir, link, at)
    if (abs === undefined) throw new UnsupportedOperationError(`${at} is in another writing space; not supported for this operation`)
    return abs
  }

  private async txFile(tx: WriterTx, dir: TxDir, link: NamedRelativeCapability): Promise<TxFile> {
    const cap = this.writableChild(dir.cap, link, joinPath(dir.path, link.name))
    const found = await tx.getNode(cap.mapKey, cap.bat)
    if (found === undefined) throw new NotFoundError(`${joinPath(dir.path, link.name)}: missing`)
    const view = readCryptreeNode(this.c, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
    if (view.isDirectory) throw new NotADirectoryError(`${joinPath(dir.path, link.name)} is a directory`)
    const props = view.properties
    if (props.streamSecret === undefined || view.dataKey === undefined) throw new UnsupportedOperationError(`${link.name}: legacy files without a stream secret cannot be rewritten`)
    const keys: FileKeys = { baseKey: cap.rBaseKey, dataKey: view.dataKey, wBaseKey: cap.wBaseKey, streamSecret: props.streamSecret, mapKey: cap.mapKey, bat: cap.bat! }
    return { cap, link, props, keys }
  }

  private now(): ReturnType<typeof timestampFromMillis> {
    return timestampFromMillis(Date.now())
  }

  // ---- directories ----

  /** Creates a directory; with `parents`, missing ancestors too and an existing directory is fine. */
  async mkdir(path: string, o: { parents?: boolean; hidden?: boolean; rBaseKey?: SymmetricKey } = {}): Promise<void> {
    const { owner, names } = parsePath(path)
    if (names.length === 0) {
      if (o.parents === true) return
      throw new FileExistsError(`${path} already exists`)
    }
    // with `parents`, start where writing can start: our home, or the folder shared with us the path is in
    // (someone else's home above it is not ours to write)
    const first = o.parents === true ? parsePath(this.start(path).at).names.length + 1 : names.length
    for (let i = first; i <= names.length; i++) {
      const parent = '/' + [owner, ...names.slice(0, i - 1)].join('/')
      const name = names[i - 1]
      const last = i === names.length
      const loc = await this.locateDir(parent)
      await loc.session.apply(async (tx) => {
        const dir = await this.txDir(tx, loc)
        if (findChild(dir.chunks, name) !== undefined) {
          if (last && o.parents !== true) throw new FileExistsError(`${joinPath(parent, name)} already exists`)
          return
        }
        // a requested read key (Peergos: the key a follower asked for) applies to the last directory only
        const fresh = newItemCap(this.c, dir)
        const cap = last && o.rBaseKey !== undefined ? { ...fresh, rBaseKey: o.rBaseKey } : fresh
        const nd = newDirectory(this.c, dir, { name, hidden: o.hidden ?? false, time: this.now(), mirrorBatId: loc.mirrorBatId, cap })
        await tx.setBuiltNode(nd.cap.mapKey, nd.built, nd.cap.bat)
        await addChildren(tx, dir.chunks, [nd.link])
      })
    }
  }

  // ---- writing files ----

  /**
   * Writes a whole file (streamed in 5 MiB chunks); an existing file keeps its capability and is
   * overwritten. A file that is a writing space of its own (shared with write access, or opened through
   * a writable link; its folder not writable here) is rewritten in place with its own key pair.
   */
  async writeFile(path: string, source: ByteSource, o: WriteOptions = {}): Promise<FileInfo> {
    try {
      return await this.writeFileInFolder(path, source, o)
    } catch (e) {
      // all of these are thrown before `source` is read
      if (!(e instanceof NotFoundError || e instanceof NotADirectoryError || e instanceof UnsupportedOperationError)) throw e
      const own = await this.ownSpaceFile(path)
      if (own === undefined) throw e
      const props = await rewriteOwnFile(this.sessionFor(own.cap.owner, own.signer), own.cap, own.signer, source, o)
      return fileInfo(normalise(path), props)
    }
  }

  /** The file at `path` when it is the first node of a writing space whose key pair we can open. */
  private async ownSpaceFile(path: string): Promise<{ cap: WritableAbsoluteCapability; signer: SigningPrivateKeyAndPublicHash } | undefined> {
    const cap = await this.capabilityOf(path).catch((e: unknown) => {
      if (e instanceof NotFoundError) return undefined
      throw e
    })
    if (cap?.wBaseKey === undefined) return undefined
    const head = await this.x.reader.snapshot().readChunk(cap, undefined, false)
    const signer = head?.view.signer
    if (head === undefined || head.view.isDirectory || signer === undefined || !signer.publicKeyHash.equals(cap.writer)) return undefined
    return { cap: cap as WritableAbsoluteCapability, signer }
  }

  private async writeFileInFolder(path: string, source: ByteSource, o: WriteOptions): Promise<FileInfo> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    const existing = await this.existingFileKeys(loc, name, o)
    const size = source instanceof Uint8Array ? source.length : o.size
    if (existing === undefined && size !== undefined && size > CHUNK_SIZE && loc.session === this.x.session) {
      const tloc = await this.locateDir(joinPath('/' + this.x.username, TRANSACTIONS_DIR)).catch(() => undefined)
      if (tloc !== undefined && tloc.session === loc.session) {
        await resumableWrite({
          crypto: this.c, session: loc.session, mirrorBatId: loc.mirrorBatId, path: joinPath(loc.path, name), name, size,
          parentDir: (tx) => this.txDir(tx, loc), transactionsDir: (tx) => this.txDir(tx, tloc),
          removeItem: (tx, cap, at) => this.removeSubtree(tx, cap, at),
          readRecord: (record) => this.readFileBytes(joinPath(tloc.path, record)).catch((e: unknown) => {
            if (e instanceof NotFoundError) return undefined
            throw e
          }),
          hidden: o.hidden, mimeType: o.mimeType, modified: o.modified, onProgress: o.onProgress, signal: o.signal,
        }, source)
        return this.stat(path)
      }
    }
    // a data key marked dirty by a key rotation is replaced when the file is written again
    const keys = existing === undefined ? newFileKeys(this.c) : existing.dataKey.dirty ? { ...existing, dataKey: randomSymmetricKey(this.c) } : existing
    const s = loc.session
    const props = await s.withTransaction(async (tid) => {
      const stored = await storeContents(s, tid, keys, source, { mirrorBatId: loc.mirrorBatId, onProgress: o.onProgress, chunksInFlight: o.chunksInFlight, signal: o.signal })
      return s.apply((tx) => this.commitContents(tx, loc, name, keys, stored, 0, o), tid)
    })
    return fileInfo(joinPath(loc.path, name), props)
  }

  /** Writes many small files into one directory with a single commit (Peergos' bulk upload). */
  /**
   * Writes many small files into one directory with a single commit (Peergos' bulk upload). With
   * `overwrite`, files of those names are replaced (by new files under fresh keys); otherwise an
   * existing name is an error and nothing is written.
   */
  async writeFiles(dirPath: string, files: readonly BatchFile[], o: WriteOptions = {}): Promise<void> {
    const dir = normalise(dirPath)
    const names = new Set<string>()
    for (const f of files) {
      parsePath(joinPath(dir, f.name))
      if (names.has(f.name)) throw new FileExistsError(`${joinPath(dir, f.name)} appears twice in one batch`)
      names.add(f.name)
    }
    const loc = await this.locateDir(dir)
    const s = loc.session
    await s.withTransaction(async (tid) => {
      const prepared: { file: BatchFile; keys: FileKeys; stored: StoredContents }[] = []
      for (const f of files) {
        const keys = newFileKeys(this.c)
        prepared.push({ file: f, keys, stored: await storeContents(s, tid, keys, f.data, { mirrorBatId: loc.mirrorBatId }) })
      }
      await s.apply(async (tx) => {
        const d = await this.txDir(tx, loc)
        const replaced = prepared.filter((p) => findChild(d.chunks, p.file.name) !== undefined)
        if (replaced.length > 0 && o.overwrite !== true) throw new FileExistsError(`${joinPath(dir, replaced[0].file.name)} already exists`)
        for (const p of replaced) {
          const old = this.sameWriterChild(d.cap, findChild(d.chunks, p.file.name)!, joinPath(dir, p.file.name))
          if (old !== undefined) await this.removeSubtree(tx, old, joinPath(dir, p.file.name))
        }
        if (replaced.length > 0) await updateChildren(tx, d.chunks, (ch) => (names.has(ch.name) ? null : undefined))
        const links: NamedRelativeCapability[] = []
        for (const p of prepared) {
          const fo = { ...o, hidden: p.file.hidden ?? o.hidden, mimeType: p.file.mimeType ?? o.mimeType, modified: p.file.modified ?? o.modified }
          links.push((await this.stageNewFile(tx, d, p.file.name, p.keys, p.stored, fo)).link)
        }
        await addChildren(tx, replaced.length > 0 ? (await this.txDir(tx, loc)).chunks : d.chunks, links)
      }, tid)
    })
  }

  /** The keys of the file `name` in a directory, to overwrite it in place (undefined when there is none). */
  private async existingFileKeys(loc: Located, name: string, o: WriteOptions): Promise<FileKeys | undefined> {
    const recent = await this.recentChild(loc, name)
    const cap = recent === undefined ? await loc.reader.findChild(loc.cap, name) : recent ?? undefined
    if (cap === undefined) return undefined
    if (o.overwrite === false) throw new FileExistsError(`${joinPath(loc.path, name)} already exists`)
    return loc.session.apply(async (tx) => {
      const d = await this.txDir(tx, loc)
      const link = findChild(d.chunks, name)
      if (link === undefined) return undefined
      if (!equalBytes(toAbsolute(this.c, link.cap, d.cap).mapKey, cap.mapKey)) return undefined
      return (await this.txFile(tx, d, link)).keys
    })
  }

  /**
   * The child `name` of a directory as the version its writer session just committed has it (null:
   * absent), read through the session's cached blocks and decoded chunks; undefined when that version
   * is not known (then the tree reader looks it up).
   */
  private async recentChild(loc: Located, name: string): Promise<{ readonly mapKey: Uint8Array } | null | undefined> {
    const recent = loc.session.recent()
    if (recent === undefined) return undefined
    let chunks: DirChunk[]
    try {
      chunks = await readDirChunks(new WriterTx(loc.session, recent), loc.cap)
    } catch (e) {
      if (e instanceof NotFoundError) return undefined
      throw e
    }
    const link = findChild(chunks, name)
    return link === undefined ? null : toAbsolute(this.c, link.cap, loc.cap)
  }

  private async stageNewFile(tx: WriterTx, d: TxDir, name: string, keys: FileKeys, stored: StoredContents, o: WriteOptions): Promise<{ link: NamedRelativeCapability; props: FileProperties }> {
    const time = o.modified === undefined ? this.now() : timestampFromMillis(o.modified)
    const mimeType = o.mimeType ?? mimeTypeOf(name, stored.head)
    const props: FileProperties = {
      name, isDirectory: false, isLink: false, mimeType, size: stored.size, modified: time, created: time, isHidden: o.hidden ?? false, streamSecret: keys.streamSecret,
    }
    const cap = fileCap(d.cap.owner, d.cap.writer, keys)
    for (const n of chunkNodes(this.c, keys, props, parentLinkOf(d), stored.chunks, stored.chunks.map((ch) => ch.plainHash), d.mirrorBatId)) {
      await tx.setBuiltNode(n.mapKey, n.built, n.bat)
    }
    return { link: childLink(this.c, d, cap, name, false, mimeType, time), props }
  }

  /**
   * Commits stored chunks `startChunk`.. of a file: a new file gets its nodes and a child entry; an
   * existing one (same capability) gets new nodes from `startChunk` on, new metadata on its first chunk,
   * and loses chunks past its new end.
   */
  private async commitContents(tx: WriterTx, loc: Located, name: string, keys: FileKeys, stored: StoredContents, startChunk: number, o: WriteOptions, prefixSize = 0): Promise<FileProperties> {
    const d = await this.txDir(tx, loc)
    const link = findChild(d.chunks, name)
    const ours = link !== undefined && equalBytes(toAbsolute(this.c, link.cap, d.cap).mapKey, keys.mapKey)
    if (link !== undefined && !ours) throw new FileExistsError(`${joinPath(loc.path, name)} was created by someone else meanwhile`)
    if (!ours) {
      if (startChunk > 0) throw new NotFoundError(`${joinPath(loc.path, name)} was removed meanwhile`)
      const created = await this.stageNewFile(tx, d, name, keys, stored, o)
      await addChildren(tx, d.chunks, [created.link])
      return created.props
    }
    const old = await this.txFile(tx, d, link)
    const size = prefixSize + stored.size
    const time = o.modified === undefined ? this.now() : timestampFromMillis(o.modified)
    const mimeType = o.mimeType ?? (startChunk === 0 ? mimeTypeOf(name, stored.head) : old.props.mimeType)
    const props: FileProperties = { ...old.props, size, modified: time, mimeType, isHidden: o.hidden ?? old.props.isHidden, treeHash: undefined }
    const oldHashes = startChunk === 0 ? [] : knownChunkHashes(old.props, startChunk)
    const hashes = oldHashes === undefined ? undefined : [...oldHashes, ...stored.chunks.map((ch) => ch.plainHash)]
    for (const n of chunkNodes(this.c, keys, props, parentLinkOf(d), stored.chunks, hashes, d.mirrorBatId)) await tx.setBuiltNode(n.mapKey, n.built, n.bat)
    if (startChunk > 0) await this.restampFirstChunk(tx, keys, props, hashes)
    const oldCount = chunkCount(old.props.size)
    for (let i = startChunk + stored.chunks.length; i < oldCount; i++) {
      const loc = chunkLocation(this.c, keys, i)
      await tx.removeNode(loc.mapKey, loc.bat)
    }
    if (mimeType !== old.props.mimeType) await updateChildren(tx, d.chunks, (ch) => (ch.name === name ? { ...ch, mimeType } : undefined))
    return props
  }

  /** New size, times and hash root on the first chunk when only a later part of the file was rewritten. */
  private async restampFirstChunk(tx: WriterTx, keys: FileKeys, props: FileProperties, hashes: Uint8Array[] | undefined): Promise<void> {
    const found = await tx.getNode(keys.mapKey, keys.bat)
    if (found === undefined) throw new NotFoundError('The first chunk of the file is missing')
    const node = decodeCryptreeNode(found.block)
    const view = readCryptreeNode(this.c, node, keys.baseKey)
    const treeHash = hashes === undefined ? undefined : hashBranch(buildHashTree(this.c, hashes), 0)
    await tx.setNode(keys.mapKey, encodeNode(withFromParent(this.c, node, keys.baseKey, { parentLink: view.parentLink, properties: { ...props, treeHash } })), keys.bat)
  }

  /**
   * Sets (or clears) a file's thumbnail: new properties on its first chunk only, as Peergos'
   * generateThumbnailAndUpdate does once a file is uploaded (the UI makes the image in the browser).
   */
  async setThumbnail(path: string, thumbnail: Thumbnail | undefined): Promise<void> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    await loc.session.apply(async (tx) => {
      const link = findChild((await this.txDir(tx, loc)).chunks, name)
      if (link === undefined) throw new NotFoundError(`${path}: no such file`)
      const cap = this.writableChild(loc.cap, link, path)
      const found = await tx.getNode(cap.mapKey, cap.bat)
      if (found === undefined) throw new NotFoundError(`${path}: missing`)
      const node = decodeCryptreeNode(found.block)
      const view = readCryptreeNode(this.c, node, cap.rBaseKey, cap.wBaseKey)
      if (view.isDirectory) throw new NotADirectoryError(`${path} is a directory`)
      await tx.setNode(cap.mapKey, encodeNode(withFromParent(this.c, node, view.parentKey, { parentLink: view.parentLink, properties: { ...view.properties, thumbnail } })), cap.bat)
    })
  }

  /** Appends bytes to a file (rewriting only its last chunk and what follows). */
  async append(path: string, data: ByteSource, o: WriteOptions = {}): Promise<FileInfo> {
    const info = await this.stat(path)
    if (info.isDirectory) throw new NotADirectoryError(`${path} is a directory`)
    const start = Math.floor(info.size / CHUNK_SIZE)
    const prefix = await this.readFileBytes(path, { offset: start * CHUNK_SIZE })
    return this.rewriteFrom(path, start, prefix, data, o)
  }

  /** Shortens (or zero-extends) a file to `size` bytes. */
  async truncate(path: string, size: number, o: WriteOptions = {}): Promise<FileInfo> {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`Invalid size ${size}`)
    const info = await this.stat(path)
    if (info.isDirectory) throw new NotADirectoryError(`${path} is a directory`)
    const start = Math.floor(Math.min(size, info.size) / CHUNK_SIZE)
    const keep = await this.readFileBytes(path, { offset: start * CHUNK_SIZE, length: Math.min(size, info.size) - start * CHUNK_SIZE })
    const zeros = new Uint8Array(Math.max(0, size - info.size))
    return this.rewriteFrom(path, start, keep, zeros, o)
  }

  private async rewriteFrom(path: string, startChunk: number, prefix: Uint8Array, data: ByteSource, o: WriteOptions): Promise<FileInfo> {
    try {
      return await this.rewriteInFolder(path, startChunk, prefix, data, o)
    } catch (e) {
      // a file that is a writing space of its own is rewritten whole, in place (thrown before `data` is read)
      if (!(e instanceof NotFoundError || e instanceof NotADirectoryError || e instanceof UnsupportedOperationError)) throw e
      if ((await this.ownSpaceFile(path)) === undefined) throw e
      const head = concatBytes(await this.readFileBytes(path, { length: startChunk * CHUNK_SIZE }), prefix)
      async function* whole(): AsyncGenerator<Uint8Array> {
        yield head
        if (data instanceof Uint8Array) yield data
        else yield* data as AsyncIterable<Uint8Array>
      }
      return this.writeFile(path, whole(), o)
    }
  }

  private async rewriteInFolder(path: string, startChunk: number, prefix: Uint8Array, data: ByteSource, o: WriteOptions): Promise<FileInfo> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    let keys = await this.existingFileKeys(loc, name, { ...o, overwrite: true })
    if (keys === undefined) throw new NotFoundError(`${path}: no such file`)
    if (keys.dataKey.dirty && startChunk > 0) {
      // every chunk shares the data key: replacing a dirty one means rewriting from the start
      prefix = concatBytes(await this.readFileBytes(path, { length: startChunk * CHUNK_SIZE }), prefix)
      startChunk = 0
    }
    if (keys.dataKey.dirty) keys = { ...keys, dataKey: randomSymmetricKey(this.c) }
    const k = keys
    const start = startChunk
    const head = prefix
    const s = loc.session
    async function* joined(): AsyncGenerator<Uint8Array> {
      yield head
      if (data instanceof Uint8Array) yield data
      else yield* data as AsyncIterable<Uint8Array>
    }
    await s.withTransaction(async (tid) => {
      const stored = await storeContents(s, tid, k, joined(), { mirrorBatId: loc.mirrorBatId, startChunk: start, onProgress: o.onProgress, signal: o.signal })
      await s.apply((tx) => this.commitContents(tx, loc, name, k, stored, start, o, start * CHUNK_SIZE), tid)
    })
    return this.stat(path)
  }

  /**
   * Gives an item its own writing space, as Peergos does before granting write access to it
   * (shareWriteAccessWith): a new signing key, owned by the parent's writer; the subtree re-keyed
   * into that writer's tree with the key pair sealed in its first node; a link node in the parent's
   * space pointing at it; the old nodes removed — all committed atomically across both writers.
   * Returns the item's writable capability (what a write share hands out). An item that already has
   * its own writer is returned as it is.
   */
  async ensureOwnWriter(path: string): Promise<WritableAbsoluteCapability> {
    const { parent } = splitParent(path)
    const loc = await this.locateDir(parent)
    const current = await this.capabilityOf(path)
    if (current.wBaseKey === undefined) throw new UnsupportedOperationError(`${path}: no write access`)
    if (!current.writer.equals(loc.cap.writer)) return current as WritableAbsoluteCapability
    return this.moveToNewWriter(path, loc, current as WritableAbsoluteCapability, undefined)
  }

  /** CryptreeNode.createAndCommitLink: the link node (in the parent's space) naming the moved item, and the parent's entry pointing at it. */
  private async stageLinkNode(ptx: WriterTx, ntx: WriterTx, loc: Located, d: TxDir, name: string, linkDir: ParentDir, item: WritableAbsoluteCapability): Promise<void> {
    const linkCap = linkDir.cap
    const itemView = await this.viewOf(ntx, item)
    const props = { ...itemView.properties, isLink: true }
    const toItem: NamedRelativeCapability = { name, cap: relativise(this.c, linkCap, item), isDir: itemView.isDirectory, mimeType: props.mimeType, created: props.created.seconds }
    const linkNode = createDir(this.c, {
      properties: props, parentLink: parentLinkOf(d), nextChunk: subsequentChunkCapability(this.c.randomBytes(32), randomBat(this.c), linkCap.rBaseKey),
      inlineBat: linkCap.bat, mirrorBatId: loc.mirrorBatId, rBaseKey: linkCap.rBaseKey, parentKey: linkDir.parentKey, children: childrenLinks([toItem]),
    })
    await ptx.setBuiltNode(linkCap.mapKey, linkNode, linkCap.bat)
    await updateChildren(ptx, (await this.txDir(ptx, loc)).chunks, (ch) => (ch.name === name ? { ...ch, cap: relativise(this.c, d.cap, linkCap) } : undefined))
  }

  /**
   * Moves an item that has its own writing space into a new one (Peergos unShareWriteAccessWith:
   * rotateAllKeys with rotateSigners, then deAuthoriseSigner): a new signing key owned by the parent's
   * writer, the subtree re-keyed into it behind a new link node, the old link node removed, and the old
   * writer dropped from the parent's owned keys with its pointer cleared — all in one setPointers call.
   * Whoever held the old write capability (and so the old signing key) can change nothing any more: the
   * server refuses that writer. An item still in its parent's writing space gets its own
   * (ensureOwnWriter). Returns the item's new writable capability.
   */
  async replaceWriter(path: string): Promise<WritableAbsoluteCapability> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    const r = this.x.reader.snapshot()
    const entry = await r.findChild(loc.cap, name)
    if (entry === undefined) throw new NotFoundError(`${path}: no such file or directory`)
    const current = await r.linkTarget(entry)
    if (current.wBaseKey === undefined) throw new UnsupportedOperationError(`${path}: no write access`)
    if (current.writer.equals(loc.cap.writer)) return this.ensureOwnWriter(path)
    const old = this.sessionFor(loc.cap.owner, await this.signerOf(r, current as WritableAbsoluteCapability, path))
    return this.moveToNewWriter(path, loc, current as WritableAbsoluteCapability, old)
  }

  /**
   * rotateAllKeys with rotateSigners: the item (`item`, in the writing space of `old`, or in its
   * parent's when `old` is undefined) is re-keyed into a new writer behind a new link node; writing
   * spaces nested in it move to new writers too (each owned by its new parent writer); the old nested
   * writers, and `old`, are retired. The new keys are authorised first (their blocks are only accepted
   * once owned), then everything is committed in one setPointers call. A first attempt assumes nothing
   * is nested, and looks only when the rotation meets another writing space.
   */
  private async moveToNewWriter(path: string, loc: Located, item: WritableAbsoluteCapability, old: WriterSession | undefined): Promise<WritableAbsoluteCapability> {
    const name = splitParent(path).name
    const signer = newSigner(this.c)
    await loc.session.apply((tx) => tx.addOwnedKey(signer))
    const moved = this.sessionFor(loc.cap.owner, signer)
    const attempt = async (nested: readonly NestedSpace[]): Promise<WritableAbsoluteCapability> => {
      // each nested space gets a new key pair, owned by the new writer of the space that links to it
      const fresh = new Map<string, SigningPrivateKeyAndPublicHash>([[cidToString(item.writer), signer]])
      for (const n of nested) {
        const s = newSigner(this.c)
        const parentSigner = fresh.get(cidToString(n.parentWriter))!
        await this.sessionFor(loc.cap.owner, parentSigner).apply((tx) => tx.addOwnedKey(s))
        fresh.set(cidToString(n.cap.writer), s)
      }
      const newSessions = nested.map((n) => this.sessionFor(loc.cap.owner, fresh.get(cidToString(n.cap.writer))!))
      const oldSessions = nested.map((n) => this.sessionFor(loc.cap.owner, n.signer))
      const retire = old === undefined ? oldSessions : [old, ...oldSessions]
      return applyAndRetire({ update: [loc.session, moved, ...newSessions], retire }, async (txs) => {
        const [ptx, ntx] = txs
        const newTxs = txs.slice(2, 2 + nested.length)
        const otx = old === undefined ? ptx : txs[2 + nested.length]
        const oldTxs = txs.slice(txs.length - nested.length)
        const targets = new Map(nested.map((n, i) => [cidToString(n.cap.writer), { from: oldTxs[i], to: newTxs[i], signer: fresh.get(cidToString(n.cap.writer)) }]))
        const d = await this.txDir(ptx, loc)
        const link = findChild(d.chunks, name)
        if (link === undefined) throw new NotFoundError(`${path}: no such file or directory`)
        const entry = this.writableChild(d.cap, link, path)
        let from = entry
        if (old !== undefined) {
          // the item lies behind the link node `entry`, which goes
          const [linkChunk] = await readDirChunks(ptx, entry)
          const toItem = linkChunk.view.properties.isLink ? linkChunk.children[0] : undefined
          const itemCap = toItem === undefined ? undefined : toAbsolute(this.c, toItem.cap, entry)
          if (itemCap === undefined || itemCap.wBaseKey === undefined || !itemCap.writer.equals(old.writer)) throw new UnsupportedOperationError(`${path} changed its writing space meanwhile`)
          from = itemCap as WritableAbsoluteCapability
          await ptx.removeNode(entry.mapKey, entry.bat)
          await removeOwnedKey(ptx, old.writer)
        }
        // nested spaces the parent's writer owned leave its owned keys (the others' owners are retired)
        for (const n of nested) if (n.parentWriter.equals(loc.cap.writer)) await removeOwnedKey(ptx, n.cap.writer)
        const linkDir: ParentDir = { cap: newItemCap(this.c, d), parentKey: randomSymmetricKey(this.c) }
        const newItem = await rotateInto({ from: otx, to: ntx, mirrorBatId: loc.mirrorBatId, signer, nested: targets }, from, linkDir, true)
        await this.stageLinkNode(ptx, ntx, loc, d, name, linkDir, newItem)
        return newItem
      })
    }
    try {
      return await attempt([])
    } catch (e) {
      if (!(e instanceof NestedWritingSpaceError)) throw e
    }
    return attempt(await this.nestedSpaces(item, path))
  }

  /**
   * The writing spaces nested below the item `cap` (not counting its own), parents first: each one's
   * root capability, key pair, and the writer of the folder whose link node leads to it.
   */
  private async nestedSpaces(cap: WritableAbsoluteCapability, at: string): Promise<NestedSpace[]> {
    const r = this.x.reader.snapshot()
    const out: NestedSpace[] = []
    const visit = async (dir: WritableAbsoluteCapability): Promise<void> => {
      const head = await r.readChunk(dir, undefined, false)
      if (head === undefined || !head.view.isDirectory) return
      for (const e of await r.list(dir)) {
        if (!e.isDirectory && !e.isLink) continue
        const child = await r.linkTarget(e.cap) // a link node stands for the writing space behind it
        if (child.wBaseKey === undefined) continue
        const w = child as WritableAbsoluteCapability
        if (!w.writer.equals(dir.writer)) out.push({ cap: w, signer: await this.signerOf(r, w, joinPath(at, e.name)), parentWriter: dir.writer })
        await visit(w)
      }
    }
    await visit(cap)
    return out
  }

  private async viewOf(tx: WriterTx, cap: WritableAbsoluteCapability): Promise<ReturnType<typeof readCryptreeNode>> {
    const found = await tx.getNode(cap.mapKey, cap.bat)
    if (found === undefined) throw new NotFoundError('The moved item is missing')
    return readCryptreeNode(this.c, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
  }

  /**
   * Rotates every key of an item and everything below it (new labels, BATs, read and write keys; the
   * old nodes removed) and points its folder at the new capability: whoever held the old one reads
   * nothing from then on. Writing spaces nested in it are rotated in place (same writers, new keys),
   * committed together; an item with a writing space of its own moves to a new one (replaceWriter).
   * Returns the new capability (to re-share with those who keep access).
   */
  async rotateKeys(path: string): Promise<AbsoluteCapability> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    // an item in its own writing space (behind a link node) is rotated into a new one
    const entry = await loc.reader.findChild(loc.cap, name)
    if (entry !== undefined && !(await loc.reader.linkTarget(entry)).writer.equals(loc.cap.writer)) return this.replaceWriter(path)
    const rotate = async (tx: WriterTx, nested?: ReadonlyMap<string, SpaceRotation>): Promise<WritableAbsoluteCapability> => {
      const d = await this.txDir(tx, loc)
      const link = findChild(d.chunks, name)
      if (link === undefined) throw new NotFoundError(`${path}: no such file or directory`)
      const rotated = await rotateSubtree(tx, this.writableChild(d.cap, link, path), d, loc.mirrorBatId, nested)
      await updateChildren(tx, (await this.txDir(tx, loc)).chunks, (ch) => (ch.name === name ? { ...ch, cap: relativise(this.c, d.cap, rotated) } : undefined))
      return rotated
    }
    try {
      return await loc.session.apply((tx) => rotate(tx))
    } catch (e) {
      if (!(e instanceof NestedWritingSpaceError) || entry === undefined) throw e
    }
    const nested = await this.nestedSpaces(entry as WritableAbsoluteCapability, path)
    const sessions = nested.map((n) => this.sessionFor(loc.cap.owner, n.signer))
    return applyTogether([loc.session, ...sessions], async ([tx, ...txs]) => {
      return rotate(tx, new Map(nested.map((n, i) => [cidToString(n.cap.writer), { from: txs[i], to: txs[i], signer: n.signer }])))
    })
  }

  // ---- removing, moving, copying ----

  /** Removes a file, or a directory with everything in it; the space is freed once the blocks are unreferenced. */
  async remove(path: string): Promise<void> {
    const { parent, name } = splitParent(path)
    const loc = await this.locateDir(parent)
    const op = async (tx: WriterTx, foreign?: WritableAbsoluteCapability[]): Promise<void> => {
      const d = await this.txDir(tx, loc)
      const link = findChild(d.chunks, name)
      if (link === undefined) throw new NotFoundError(`${path}: no such file or directory`)
      const cap = this.sameWriterChild(d.cap, link, path)
      if (cap !== undefined) await this.removeSubtree(tx, cap, path, foreign)
      await updateChildren(tx, d.chunks, (ch) => (ch.name === name ? null : undefined))
    }
    const found: WritableAbsoluteCapability[] = []
    try {
      await loc.session.apply(async (tx) => {
        found.length = 0
        await op(tx, found)
        if (found.length > 0) throw new WritingSpacesBelow()
      })
      return
    } catch (e) {
      if (!(e instanceof WritingSpacesBelow)) throw e
    }
    // write-shared subtrees below: their writers leave the owned keys and are cleared in the same commit
    const retired = await this.writingSpacesOf(found, path)
    const direct = found.map((f) => f.writer)
    await applyAndRetire({ update: [loc.session], retire: retired }, async ([tx]) => {
      await op(tx)
      for (const w of direct) await removeOwnedKey(tx, w)
    })
  }

  /** The sessions of the writing spaces starting at `caps` and of every writing space nested in them. */
  private async writingSpacesOf(caps: readonly WritableAbsoluteCapability[], at: string): Promise<WriterSession[]> {
    const r = this.x.reader.snapshot()
    const out = new Map<string, WriterSession>()
    const visit = async (cap: WritableAbsoluteCapability, isRoot: boolean): Promise<void> => {
      if (isRoot) {
        const key = cidToString(cap.writer)
        if (out.has(key)) return
        out.set(key, this.sessionFor(cap.owner, await this.signerOf(r, cap, at)))
      }
      const head = await r.readChunk(cap, undefined, false)
      if (head === undefined || !head.view.isDirectory) return
      for (const e of await r.list(cap)) {
        if (!e.isDirectory && !e.isLink) continue
        const child = await r.linkTarget(e.cap) // a link node stands for the writing space behind it
        if (child.wBaseKey === undefined) continue
        await visit(child as WritableAbsoluteCapability, !child.writer.equals(cap.writer))
      }
    }
    for (const c of caps) await visit(c, true)
    return [...out.values()]
  }

  private async removeSubtree(tx: WriterTx, cap: WritableAbsoluteCapability, path: string, foreign?: WritableAbsoluteCapability[]): Promise<void> {
    const found = await tx.getNode(cap.mapKey, cap.bat)
    if (found === undefined) return // already gone (a dangling link)
    const view = readCryptreeNode(this.c, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
    if (!view.isDirectory) {
      const secret = view.properties.streamSecret
      const n = chunkCount(view.properties.size)
      let loc: { mapKey: Uint8Array; bat?: typeof cap.bat } = { mapKey: cap.mapKey, bat: cap.bat }
      for (let i = 0; i < n; i++) {
        await tx.removeNode(loc.mapKey, loc.bat)
        if (i + 1 < n) loc = secret === undefined ? { mapKey: view.fromBase!.nextChunk.mapKey, bat: view.fromBase!.nextChunk.bat } : chunkLocation(this.c, { streamSecret: secret, mapKey: loc.mapKey, bat: loc.bat }, 1)
        if (secret === undefined && i + 1 < n) break // legacy chains: the later chunks are found one node at a time
      }
      return
    }
    const chunks = await readDirChunks(tx, cap)
    for (const ch of chunks) {
      for (const child of ch.children) {
        const at = joinPath(path, child.name)
        const childCap = this.sameWriterChild(cap, child, at)
        if (childCap !== undefined) await this.removeSubtree(tx, childCap, at, foreign)
        else foreign?.push(toAbsolute(this.c, child.cap, cap) as WritableAbsoluteCapability) // another writer's subtree goes with its link
      }
    }
    for (const ch of chunks) await tx.removeNode(ch.cap.mapKey, ch.cap.bat)
  }

  /** Moves or renames: into `to` when it is an existing directory, else to the path `to`. */
  async move(from: string, to: string): Promise<void> {
    const src = splitParent(from)
    let target = splitParent(to)
    if (await this.isDirectory(to)) target = { parent: normalise(to), name: src.name }
    const fromN = normalise(from)
    const dest = joinPath(target.parent, target.name)
    if (dest === fromN) return
    if (dest.startsWith(fromN + '/')) throw new UnsupportedOperationError('You cannot move a folder to a descendant folder')
    const sl = await this.locateDir(src.parent)
    const dl = await this.locateDir(target.parent)
    if (sl.session !== dl.session) {
      // different writing spaces: copy, then remove (Peergos' moveTo does the same)
      await this.copy(from, dest)
      await this.remove(from)
      return
    }
    let renamedLink: WritableAbsoluteCapability | undefined
    await sl.session.apply(async (tx) => {
      const sd = await this.txDir(tx, sl)
      const link = findChild(sd.chunks, src.name)
      if (link === undefined) throw new NotFoundError(`${from}: no such file or directory`)
      const cap = this.writableChild(sd.cap, link, fromN)
      const sameDir = equalBytes(sl.cap.mapKey, dl.cap.mapKey)
      const dd = sameDir ? sd : await this.txDir(tx, dl)
      if (findChild(dd.chunks, target.name) !== undefined) throw new FileExistsError(`${dest} already exists`)
      // the item's own metadata: new name, and the new parent link when the parent changes
      const found = await tx.getNode(cap.mapKey, cap.bat)
      if (found === undefined) throw new NotFoundError(`${from}: missing`)
      const node = decodeCryptreeNode(found.block)
      const view = readCryptreeNode(this.c, node, cap.rBaseKey, cap.wBaseKey)
      const parentLink = sameDir ? view.parentLink : parentLinkOf(dd)
      renamedLink = view.properties.isLink && target.name !== src.name ? cap : undefined
      await tx.setNode(cap.mapKey, encodeNode(withFromParent(this.c, node, view.parentKey, { parentLink, properties: { ...view.properties, name: target.name } })), cap.bat)
      if (sameDir) {
        await updateChildren(tx, sd.chunks, (ch) => (ch.name === src.name ? { ...ch, name: target.name } : undefined))
      } else {
        await updateChildren(tx, sd.chunks, (ch) => (ch.name === src.name ? null : undefined))
        await addChildren(tx, dd.chunks, [{ ...link, name: target.name, cap: relativise(this.c, dd.cap, cap) }])
      }
    })
    if (renamedLink !== undefined) await this.renameLinkTarget(renamedLink, target.name, dest)
  }

  /**
   * A write-share link node was renamed: the item it links to (the first node of its own writing space,
   * which is what its grantees hold) takes the new name too, as Peergos' rename does, so they see the
   * new name and the old one does not linger in its properties.
   */
  private async renameLinkTarget(link: WritableAbsoluteCapability, name: string, at: string): Promise<void> {
    const r = this.x.reader.snapshot()
    const item = await r.linkTarget(link)
    if (item.wBaseKey === undefined) throw new UnsupportedOperationError(`${at}: no write access`)
    const cap = item as WritableAbsoluteCapability
    await this.sessionFor(cap.owner, await this.signerOf(r, cap, at)).apply(async (tx) => {
      const found = await tx.getNode(cap.mapKey, cap.bat)
      if (found === undefined) throw new NotFoundError(`${at}: missing`)
      const node = decodeCryptreeNode(found.block)
      const view = readCryptreeNode(this.c, node, cap.rBaseKey, cap.wBaseKey)
      if (view.properties.name === name) return
      await tx.setNode(cap.mapKey, encodeNode(withFromParent(this.c, node, view.parentKey, { parentLink: view.parentLink, properties: { ...view.properties, name } })), cap.bat)
    })
  }

  /** Copies a file or a directory tree (re-encrypted under fresh keys): into `to` when it is an existing directory, else to `to`. */
  async copy(from: string, to: string): Promise<void> {
    const src = splitParent(from)
    const dest = (await this.isDirectory(to)) ? joinPath(normalise(to), src.name) : normalise(to)
    if (dest.startsWith(normalise(from) + '/')) throw new UnsupportedOperationError('You cannot copy a folder into itself')
    const info = await this.stat(from)
    if (!info.isDirectory) {
      await this.writeFile(dest, this.readFile(from), { overwrite: false, hidden: info.isHidden, mimeType: info.mimeType, modified: info.modified })
      return
    }
    await this.mkdir(dest, { hidden: info.isHidden })
    const children = await this.list(from)
    // small files are copied in batches, one commit each; big files and folders one by one
    let batch: BatchFile[] = []
    let batchBytes = 0
    const flush = async (): Promise<void> => {
      if (batch.length > 0) await this.writeFiles(dest, batch)
      batch = []
      batchBytes = 0
    }
    for (const child of children) {
      if (!child.isDirectory && child.size <= COPY_BATCH_FILE_BYTES) {
        batch.push({ name: child.name, data: await this.readFileBytes(child.path), hidden: child.isHidden, mimeType: child.mimeType, modified: child.modified })
        batchBytes += child.size
        if (batch.length >= COPY_BATCH_FILES || batchBytes >= COPY_BATCH_BYTES) await flush()
      } else {
        await this.copy(child.path, joinPath(dest, child.name))
      }
    }
    await flush()
  }

  private async isDirectory(path: string): Promise<boolean> {
    try {
      return (await this.stat(path)).isDirectory
    } catch (e) {
      if (e instanceof NotFoundError) return false
      throw e
    }
  }
}

/** Thrown inside a single-writer removal that found other writing spaces below (it is then redone across writers). */
class WritingSpacesBelow extends Error {}

/** A fresh signing key pair for a new writing space. */
function newSigner(c: CryptoProvider): SigningPrivateKeyAndPublicHash {
  const kp = randomSigningKeyPair(c)
  return { publicKeyHash: publicKeyHash(kp.publicKey), secretKey: kp.secretKey }
}

function chunkCount(size: number): number {
  return Math.max(1, Math.ceil(size / CHUNK_SIZE))
}

/** The old chunks' plaintext hashes from the first chunk's hash branch, when it covers them. */
function knownChunkHashes(props: FileProperties, count: number): Uint8Array[] | undefined {
  const l1 = props.treeHash?.level1
  if (l1 === undefined || l1.length < count * 32 || count > 1024) return undefined
  const out: Uint8Array[] = []
  for (let i = 0; i < count; i++) out.push(l1.subarray(i * 32, (i + 1) * 32))
  return out
}

/** '/alice//docs/' → '/alice/docs'. */
function normalise(path: string): string {
  const { owner, names } = parsePath(path)
  return '/' + [owner, ...names].join('/')
}

