// Opening a secret link without an account (reference §1.4; UserContext.fromSecretLinkV2,
// buildTrieFromCap, EntryPoint.isValid): the server hands out the link's EncryptedCapability
// (`link/get`, which counts the retrieval and refuses expired or used-up links); the client derives
// the key with scrypt (N = 2^15, r = 8, p = 1, 32 bytes) from the label and the link's password (plus
// the extra password when the link has one), opens the capability, finds the item's path by its parent
// links, checks that the path's owner (per the PKI) owns the capability's writing key, and reads the
// file or folder through a verifying TreeReader; a writable link's capability (the link node of an
// item with its own writing space) also opens the item's signing key, so the item can be written.
// The password, in the URL fragment, never reaches the server.
import { DecryptionFailedError } from '../../crypto/errors.ts'
import type { AbsoluteCapability, WritableAbsoluteCapability } from '../../model/capability.ts'
import { nodeMirrorBatId } from '../../model/cryptree-node.ts'
import { decryptEncryptedCapability } from '../../model/encrypted-capability.ts'
import { parseSecretLink } from '../../model/secret-link.ts'
import type { NetworkAccess } from '../../services/network-access.ts'
import { readFileRange, type ReadRange } from '../file-download.ts'
import { NotFoundError } from '../errors.ts'
import { FileSystem } from '../file-system.ts'
import { parsePath } from '../paths.ts'
import { TreeReader, type TreeEntry } from '../tree-reader.ts'
import { WriterSession } from '../writer-session.ts'
import { pathOf } from './capability-store.ts'
import { InvalidLinkError, LinkPasswordRequiredError, WrongLinkPasswordError } from './errors.ts'
import { ownsKey } from './public-keys.ts'

export interface OpenLinkOptions {
  /** The extra password, asked only when the link has one. */
  readonly userPassword?: string | (() => Promise<string>)
}

/** A secret link, opened: the item's path and capability, and read access to it (write access through a writable link). */
export class OpenedSecretLink {
  constructor(
    readonly path: string,
    readonly cap: AbsoluteCapability,
    readonly reader: TreeReader,
    readonly entry: TreeEntry,
    /**
     * A writable link's file system, without an account: the item is mounted at `path`, so
     * `fs.writeFile(path + '/new.txt', ...)`, `mkdir`, `remove`... change it (and nothing else: the
     * link holds only the item's writing key). Undefined for a read-only link.
     */
    readonly fs?: FileSystem,
  ) {}

  get isWritable(): boolean {
    return this.fs !== undefined
  }

  get isDirectory(): boolean {
    return this.entry.isDirectory
  }

  /** The folder's entries (a file link has none). */
  async list(): Promise<TreeEntry[]> {
    return this.entry.isDirectory ? this.reader.list(this.cap) : []
  }

  /** The contents of the linked file, or of `entry` (a file found in a linked folder). */
  readFile(entry: TreeEntry = this.entry, range: ReadRange = {}): AsyncGenerator<Uint8Array> {
    if (entry.isDirectory) throw new NotFoundError(`${entry.name} is a directory`)
    return readFileRange(this.reader, entry.cap, entry.properties, range)
  }

  async readFileBytes(entry: TreeEntry = this.entry): Promise<Uint8Array> {
    const parts: Uint8Array[] = []
    for await (const p of this.readFile(entry)) parts.push(p)
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
    let off = 0
    for (const p of parts) {
      out.set(p, off)
      off += p.length
    }
    return out
  }
}

/** Opens `link` (`secret/z<owner>/<label>#<password>`, with or without a leading server URL). */
export async function openSecretLink(net: NetworkAccess, link: string, o: OpenLinkOptions = {}): Promise<OpenedSecretLink> {
  const c = net.crypto
  const parsed = parseSecretLink(link)
  const encrypted = await net.storage.getSecretLink(parsed.owner, parsed.label)
  let extra = ''
  if (encrypted.hasUserPassword) {
    const given = typeof o.userPassword === 'function' ? await o.userPassword() : o.userPassword
    if (given === undefined || given === '') throw new LinkPasswordRequiredError('This secret link needs its password')
    extra = given
  }
  let cap: AbsoluteCapability
  try {
    cap = await decryptEncryptedCapability(c, encrypted, String(parsed.label), parsed.linkPassword + extra)
  } catch (e) {
    if (e instanceof DecryptionFailedError) throw new WrongLinkPasswordError(encrypted.hasUserPassword ? 'Incorrect password for this secret link' : 'This secret link is wrong or incomplete (its password does not open it)', { cause: e })
    throw e
  }
  if (!cap.owner.equals(parsed.owner)) throw new InvalidLinkError('The secret link opens a capability of another owner')
  const reader = new TreeReader(net)
  const path = await pathOf(reader.snapshot(), cap)
  const identity = await net.coreNode.getPublicKeyHash(parsePath(path).owner)
  if (identity === undefined || !identity.equals(cap.owner) || !(await ownsKey(net, reader, identity, cap.writer))) {
    throw new InvalidLinkError(`Invalid link: ${path} does not belong to the link's owner`)
  }
  const name = path.slice(path.lastIndexOf('/') + 1)
  let entry = await reader.stat(cap, name)
  if (entry.isLink) entry = await reader.stat(await reader.linkTarget(cap), name)
  return new OpenedSecretLink(path, entry.cap, reader, entry, await linkFileSystem(net, reader, path, entry.cap))
}

/**
 * UserContext.fromSecretLink with a writable capability: the item's writing key pair, sealed in its
 * first node under the write key, signs the changes; new blocks carry the item's mirror BAT id.
 */
async function linkFileSystem(net: NetworkAccess, reader: TreeReader, path: string, cap: AbsoluteCapability): Promise<FileSystem | undefined> {
  if (cap.wBaseKey === undefined) return undefined
  const head = await reader.readChunk(cap, undefined, false)
  const signer = head?.view.signer
  if (head === undefined || signer === undefined || !signer.publicKeyHash.equals(cap.writer)) return undefined
  const session = new WriterSession(net, reader.pointers, cap.owner, signer)
  // no account: no home directory (the empty username is no path's owner), only the mounted item
  const fs = new FileSystem({ crypto: net.crypto, username: '', home: cap as WritableAbsoluteCapability, session, reader, mirrorBatId: nodeMirrorBatId(head.node), services: net })
  fs.mount(path, cap)
  return fs
}
