// Builders of new cryptree items as Peergos' CryptreeNode.mkdir and FileUploader make them
// (reference §2.1-§2.5): fresh random read, write and parent keys, label and BAT per item (never
// convergent), the parent link (parent's label, BAT and parent key), a random next-chunk link, and
// the NamedRelativeCapability the parent directory lists.
import type { CryptoProvider } from '../crypto/provider.ts'
import type { BatId } from '../model/bat-id.ts'
import { randomBat } from '../model/bat.ts'
import { MAP_KEY_BYTES, type WritableAbsoluteCapability } from '../model/capability.ts'
import { createDir, type BuiltCryptreeNode } from '../model/cryptree-node.ts'
import { type Timestamp } from '../model/file-properties.ts'
import { childrenLinks, relativise, subsequentChunkCapability, type NamedRelativeCapability, type RelativeCapability } from '../model/relative-capability.ts'
import type { SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { randomSymmetricKey, type SymmetricKey } from '../model/symmetric-key.ts'

/** The directory an item is created in: its write capability and its parent key. */
export interface ParentDir {
  readonly cap: WritableAbsoluteCapability
  readonly parentKey: SymmetricKey
}

export interface NewDirectory {
  readonly cap: WritableAbsoluteCapability
  readonly parentKey: SymmetricKey
  readonly built: BuiltCryptreeNode
  /** The entry to add to the parent's children. */
  readonly link: NamedRelativeCapability
}

/** The parent link every item stores: the parent's label and BAT, and the key that opens only its metadata. */
export function parentLinkOf(parent: ParentDir): RelativeCapability {
  return { mapKey: parent.cap.mapKey, bat: parent.cap.bat, rBaseKey: parent.parentKey }
}

/** A fresh write capability for a new item under the parent's writer. */
export function newItemCap(c: CryptoProvider, parent: ParentDir): WritableAbsoluteCapability {
  return {
    owner: parent.cap.owner, writer: parent.cap.writer, mapKey: c.randomBytes(MAP_KEY_BYTES), bat: randomBat(c),
    rBaseKey: randomSymmetricKey(c), wBaseKey: randomSymmetricKey(c),
  }
}

/** The parent's directory entry for a child. */
export function childLink(c: CryptoProvider, parent: ParentDir, child: WritableAbsoluteCapability, name: string, isDir: boolean, mimeType: string, created: Timestamp): NamedRelativeCapability {
  return { name, cap: relativise(c, parent.cap, child), isDir, mimeType, created: created.seconds }
}

export interface NewDirectoryParams {
  readonly name: string
  readonly hidden: boolean
  readonly time: Timestamp
  readonly mirrorBatId?: BatId
  readonly children?: readonly NamedRelativeCapability[]
  /** The capability to use (default: fresh keys under the parent's writer). */
  readonly cap?: WritableAbsoluteCapability
  /** The directory's parent key (default: fresh). */
  readonly parentKey?: SymmetricKey
  /** A new writing subspace's key pair, sealed in the node (the home directory's root writer). */
  readonly signer?: SigningPrivateKeyAndPublicHash
}

/** CryptreeNode.mkdir's new node: an empty (or pre-filled) directory linked to `parent`. */
export function newDirectory(c: CryptoProvider, parent: ParentDir | undefined, p: NewDirectoryParams): NewDirectory {
  const cap = p.cap ?? (parent === undefined ? undefined : newItemCap(c, parent))
  if (cap === undefined) throw new Error('newDirectory needs a parent or a capability')
  const parentKey = p.parentKey ?? randomSymmetricKey(c)
  const built = createDir(c, {
    properties: { name: p.name, isDirectory: true, isLink: false, mimeType: '', size: 0, modified: p.time, created: p.time, isHidden: p.hidden },
    parentLink: parent === undefined ? undefined : parentLinkOf(parent),
    nextChunk: subsequentChunkCapability(c.randomBytes(MAP_KEY_BYTES), randomBat(c), cap.rBaseKey),
    inlineBat: cap.bat, mirrorBatId: p.mirrorBatId, signer: p.signer, wBaseKey: cap.wBaseKey,
    rBaseKey: cap.rBaseKey, parentKey, children: p.children === undefined ? undefined : childrenLinks(p.children),
  })
  const link = parent === undefined
    ? { name: p.name, cap: { mapKey: cap.mapKey, bat: cap.bat, rBaseKey: cap.rBaseKey }, isDir: true, mimeType: '', created: p.time.seconds }
    : childLink(c, parent, cap, p.name, true, '', p.time)
  return { cap, parentKey, built, link }
}
