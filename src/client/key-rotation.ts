// Key rotation of a subtree inside one writing space (reference §6.4; Peergos
// CryptreeNode.rotateAllKeys with rotateSigners = false): every directory and file below gets new
// read and write keys, a new label and BAT, a new parent key, files a new stream secret (so all
// their chunk labels change) — and the old nodes are removed, so whoever held the old capability
// can neither find nor read anything from then on. File data is not re-encrypted: chunks keep their
// fragments, and their data key is marked dirty so the next write of the file replaces it. Writing
// spaces nested in the subtree are rotated in their own transactions, into new writers or their own.
import { cidToString } from '../codec/cid.ts'
import type { BatId } from '../model/bat-id.ts'
import { randomBat } from '../model/bat.ts'
import { MAP_KEY_BYTES, type WritableAbsoluteCapability } from '../model/capability.ts'
import { createDir, createFileNode, decodeCryptreeNode, encodeCryptreeNode, MAX_CHILD_LINKS_PER_BLOB } from '../model/cryptree-node.ts'
import { readCryptreeNode } from '../model/cryptree-read.ts'
import { EMPTY_FILE_PROPERTIES, STREAM_SECRET_BYTES } from '../model/file-properties.ts'
import { childrenLinks, relativise, subsequentChunkCapability, toAbsolute, type NamedRelativeCapability, type RelativeCapability } from '../model/relative-capability.ts'
import type { SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { randomSymmetricKey, symmetricKey } from '../model/symmetric-key.ts'
import { PeergosError } from '../errors.ts'
import { newItemCap, parentLinkOf, type ParentDir } from './cryptree-build.ts'
import { readDirChunks } from './dir-ops.ts'
import { NotFoundError } from './errors.ts'
import { chunkLocation } from './file-upload.ts'
import { CHUNK_SIZE } from './tree-reader.ts'
import type { WriterTx } from './writer-tx.ts'

/** A subtree that cannot be rotated (a legacy file, or another writing space nobody gave a target for). */
export class RotationUnsupportedError extends PeergosError {}

/** The subtree holds another writing space, and the rotation was given no target for it (see RotationTarget.nested). */
export class NestedWritingSpaceError extends RotationUnsupportedError {}

/** Where one writing space's rotated nodes go. */
export interface SpaceRotation {
  /** Reads the old nodes and removes them. */
  readonly from: WriterTx
  /** Receives the new nodes (its writer becomes the subtree's writer). */
  readonly to: WriterTx
  /** The key pair sealed in the space's first node: a new one when `to` is a new writer, else the space's own. */
  readonly signer?: SigningPrivateKeyAndPublicHash
}

/** Where rotated nodes go: the same transaction, or another writer's (moving a subtree to a new signing key). */
export interface RotationTarget extends SpaceRotation {
  readonly mirrorBatId?: BatId
  /** The writing spaces nested in the subtree, by the CID string of their current writer. */
  readonly nested?: ReadonlyMap<string, SpaceRotation>
}

/** Rotates the item `cap` (and everything below it) under `parent`; returns its new capability. */
export async function rotateSubtree(tx: WriterTx, cap: WritableAbsoluteCapability, parent: ParentDir, mirrorBatId?: BatId, nested?: ReadonlyMap<string, SpaceRotation>): Promise<WritableAbsoluteCapability> {
  return rotateInto({ from: tx, to: tx, mirrorBatId, nested }, cap, parent, true)
}

/** Rotates into `t.to`; the subtree's root (`isRoot`) carries the signer and a parent link naming the parent's writer. */
export async function rotateInto(t: RotationTarget, cap: WritableAbsoluteCapability, parent: ParentDir, isRoot: boolean): Promise<WritableAbsoluteCapability> {
  const found = await t.from.getNode(cap.mapKey, cap.bat)
  if (found === undefined) throw new NotFoundError('Nothing to rotate under this capability')
  const view = readCryptreeNode(t.from.session.crypto, decodeCryptreeNode(found.block), cap.rBaseKey, cap.wBaseKey)
  return view.isDirectory ? rotateDirectory(t, cap, parent, isRoot) : rotateFile(t, cap, parent, isRoot)
}

/** The new capability of a rotated item: fresh keys, label and BAT, in the target's writing space. */
function rotatedCap(t: RotationTarget, parent: ParentDir): WritableAbsoluteCapability {
  return { ...newItemCap(t.to.session.crypto, parent), writer: t.to.session.writer }
}

/** The parent link of a rotated item; it names the parent's writer when the item moved to another one. */
function parentLinkFor(parent: ParentDir, item: WritableAbsoluteCapability): RelativeCapability {
  const link = parentLinkOf(parent)
  return parent.cap.writer.equals(item.writer) ? link : { ...link, writer: parent.cap.writer }
}

async function rotateDirectory(t: RotationTarget, cap: WritableAbsoluteCapability, parent: ParentDir, isRoot: boolean): Promise<WritableAbsoluteCapability> {
  const tx = t.from
  const c = tx.session.crypto
  const mirrorBatId = t.mirrorBatId
  const chunks = await readDirChunks(tx, cap)
  const first = chunks[0]
  // the root of a writing space is rotated only into a new one (its signer replaced: write revocation)
  if (first.view.signer !== undefined && !(isRoot && t.signer !== undefined)) throw new RotationUnsupportedError(`'${first.view.properties.name}' starts its own writing space`)
  const newCap = rotatedCap(t, parent)
  const me: ParentDir = { cap: newCap, parentKey: randomSymmetricKey(c) }
  const links: NamedRelativeCapability[] = []
  for (const ch of chunks) {
    for (const child of ch.children) {
      const abs = toAbsolute(c, child.cap, cap)
      if (abs.wBaseKey === undefined) throw new RotationUnsupportedError(`'${child.name}' is not writable`)
      let rotated: WritableAbsoluteCapability
      if (abs.writer.equals(cap.writer)) {
        rotated = await rotateInto(t, abs as WritableAbsoluteCapability, me, false)
      } else {
        // another writing space: rotated in its own transactions (CryptreeNode.generateNewChildCap)
        const n = t.nested?.get(cidToString(abs.writer))
        if (n === undefined) throw new NestedWritingSpaceError(`'${child.name}' is in another writing space`)
        rotated = await rotateInto({ ...n, mirrorBatId, nested: t.nested }, abs as WritableAbsoluteCapability, me, true)
      }
      links.push({ ...child, cap: relativise(c, newCap, rotated) })
    }
  }
  // the new chain of chunks: 500 children each, the first with the real properties and parent link
  const parentLink = parentLinkFor(parent, newCap)
  const signer = isRoot ? t.signer : undefined
  let at: { mapKey: Uint8Array; bat?: typeof newCap.bat } = { mapKey: newCap.mapKey, bat: newCap.bat }
  for (let i = 0; i === 0 || i < links.length; i += MAX_CHILD_LINKS_PER_BLOB) {
    const next = { mapKey: c.randomBytes(MAP_KEY_BYTES), bat: randomBat(c) }
    const built = createDir(c, {
      properties: i === 0 ? first.view.properties : EMPTY_FILE_PROPERTIES, parentLink,
      nextChunk: subsequentChunkCapability(next.mapKey, next.bat, newCap.rBaseKey),
      inlineBat: at.bat, mirrorBatId, rBaseKey: newCap.rBaseKey, parentKey: me.parentKey,
      children: childrenLinks(links.slice(i, i + MAX_CHILD_LINKS_PER_BLOB)),
      ...(i === 0 && signer !== undefined ? { signer, wBaseKey: newCap.wBaseKey } : {}),
    })
    await t.to.setBuiltNode(at.mapKey, built, at.bat)
    at = next
  }
  for (const ch of chunks) await tx.removeNode(ch.cap.mapKey, ch.cap.bat)
  return newCap
}

async function rotateFile(t: RotationTarget, cap: WritableAbsoluteCapability, parent: ParentDir, isRoot: boolean): Promise<WritableAbsoluteCapability> {
  const tx = t.from
  const c = tx.session.crypto
  const mirrorBatId = t.mirrorBatId
  const newCap = rotatedCap(t, parent)
  const secret = c.randomBytes(STREAM_SECRET_BYTES)
  const parentLink: RelativeCapability = parentLinkFor(parent, newCap)
  let oldLoc: { mapKey: Uint8Array; bat?: typeof cap.bat } = { mapKey: cap.mapKey, bat: cap.bat }
  let oldSecret: Uint8Array | undefined
  let count = 1
  for (let i = 0; i < count; i++) {
    const found = await tx.getNode(oldLoc.mapKey, oldLoc.bat)
    if (found === undefined) throw new NotFoundError(`Chunk ${i} of the file is missing`)
    const node = decodeCryptreeNode(found.block)
    const view = readCryptreeNode(c, node, cap.rBaseKey)
    if (i === 0) {
      oldSecret = view.properties.streamSecret
      if (oldSecret === undefined) throw new RotationUnsupportedError(`'${view.properties.name}' is a legacy file without a stream secret`)
      count = Math.max(1, Math.ceil(view.properties.size / CHUNK_SIZE))
    }
    const loc = chunkLocation(c, { streamSecret: secret, mapKey: newCap.mapKey, bat: newCap.bat }, i)
    const next = chunkLocation(c, { streamSecret: secret, mapKey: loc.mapKey, bat: loc.bat }, 1)
    const rotated = createFileNode(c, {
      properties: { ...view.properties, streamSecret: secret }, parentLink,
      nextChunk: subsequentChunkCapability(next.mapKey, next.bat, newCap.rBaseKey), inlineBat: loc.bat, mirrorBatId,
      baseKey: newCap.rBaseKey, dataKey: symmetricKey(view.dataKey!.key, true),
      ...(i === 0 && isRoot && t.signer !== undefined ? { signer: t.signer, wBaseKey: newCap.wBaseKey } : {}),
    }, node.data)
    await t.to.setNode(loc.mapKey, encodeCryptreeNode(rotated), loc.bat)
    await tx.removeNode(oldLoc.mapKey, oldLoc.bat)
    oldLoc = chunkLocation(c, { streamSecret: oldSecret!, mapKey: oldLoc.mapKey, bat: oldLoc.bat }, 1)
  }
  return newCap
}

