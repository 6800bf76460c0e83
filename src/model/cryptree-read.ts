// Reading a CryptreeNode (reference §2.2, §2.4, CryptreeNode.fromCbor and getters): directory vs
// file detection as Peergos does it, the key hierarchy (base → parent or data key), properties,
// parent link, next-chunk location, signer, and the children (directories) or chunk bytes (files).
import { asBytes, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { MAC_BYTES } from '../crypto/sizes.ts'
import type { Bat } from './bat.ts'
import { decodePadded, openCbor, openPaddedCbor, type CipherText } from './cipher-text.ts'
import { symmetricDecrypt, type SymmetricKey } from './symmetric-key.ts'
import { InvalidObjectError } from './errors.ts'
import { calculateNextMapKey, filePropertiesFromCbor, type FileProperties } from './file-properties.ts'
import { decodeCryptreeNode, fromBaseFromCbor, fromParentFromCbor, type CryptreeNode, type CryptreeNodeHeader, type FromBase, type FromParent } from './cryptree-node.ts'
import { decryptFpct, decryptFpctCbor, type FpctDecryptOptions, type FragmentFetcher } from './fragmented-cipher-text.ts'
import { childrenLinksFromPadded, type ChildrenLinks, type RelativeCapability } from './relative-capability.ts'
import { signingPrivateKeyAndPublicHashFromCbor, type SigningPrivateKeyAndPublicHash } from './signing-keys.ts'

/** Opens `b` with the base key; throws DecryptionFailedError under another key. */
export function openFromBase(c: CryptoProvider, node: CryptreeNodeHeader, baseKey: SymmetricKey): FromBase {
  return fromBaseFromCbor(openPaddedCbor(c, baseKey, node.fromBase))
}

/** Opens `p` with the parent key (a file's base key). */
export function openFromParent(c: CryptoProvider, node: CryptreeNodeHeader, parentKey: SymmetricKey): FromParent {
  return fromParentFromCbor(openPaddedCbor(c, parentKey, node.fromParent))
}

const PROPERTIES_ONLY: ReadonlySet<string> = new Set(['s'])

/**
 * The properties in `p`, opened with the parent key: openFromParent without decoding the parent link
 * (checked as CBOR only), for listings. FromParent's and the properties' maps, and the tree hash's
 * two levels below them, are read in place (pooled records), not built.
 */
export function openProperties(c: CryptoProvider, node: CryptreeNodeHeader, parentKey: SymmetricKey): FileProperties {
  const plain = openIntoSlab(c, parentKey, node.fromParent)
  return filePropertiesFromCbor(Fields.of(decodePadded(plain, { viewBytes: true, onlyKeys: PROPERTIES_ONLY, records: 4 }), 'FromParent').req('s'))
}

/** Shared plaintext buffers of openProperties (~50 plaintexts each; an entry kept alone keeps its slab), and the largest plaintext carved from one. */
const SLAB_BYTES = 16 * 1024
const SLAB_PIECE_MAX = 2048
let slab = new Uint8Array(0)
let slabUsed = 0

/**
 * symmetricDecrypt of `ct` into the next unused bytes of a shared slab rather than a buffer of its
 * own (a listing opens 10,000 metadata blocks of a few hundred bytes: one backing store each cost
 * more than the opening). Each plaintext has its own bytes, never written again; a slab lives while
 * any view into it does. Same checks and errors as symmetricDecrypt.
 */
function openIntoSlab(c: CryptoProvider, key: SymmetricKey, ct: CipherText): Uint8Array {
  const n = Math.max(0, ct.cipherText.length - MAC_BYTES)
  if (n > SLAB_PIECE_MAX) return symmetricDecrypt(c, key, ct.cipherText, ct.nonce)
  if (slabUsed + n > slab.length) {
    slab = new Uint8Array(SLAB_BYTES)
    slabUsed = 0
  }
  const start = slabUsed
  const out = slab.subarray(start, start + n)
  slabUsed += n
  try {
    c.secretboxOpenInto(out, ct.cipherText, ct.nonce, key.key)
  } catch (e) {
    slabUsed = start // not opened (another key): the bytes are free again
    throw e
  }
  return out
}

/** CryptreeNode.fromCbor's rule: a file's `p` opens under its base key and says so; anything else is a directory. */
export function isDirectoryNode(c: CryptoProvider, node: CryptreeNodeHeader, rBaseKey: SymmetricKey): boolean {
  try {
    return openFromParent(c, node, rBaseKey).properties.isDirectory
  } catch {
    return true
  }
}

export interface CryptreeNodeView {
  readonly isDirectory: boolean
  /** False when the key given was only a directory's parent key (its `b` did not open): no children, no next chunk. */
  readonly readable: boolean
  /** The key that opened `p` (a directory's parent key, a file's base key). */
  readonly parentKey: SymmetricKey
  /** Files only: the key of the chunk data. */
  readonly dataKey?: SymmetricKey
  readonly properties: FileProperties
  readonly parentLink?: RelativeCapability
  readonly fromBase?: FromBase
  /** The node's signing key pair, when it carries one and the wBaseKey was given. */
  readonly signer?: SigningPrivateKeyAndPublicHash
}

/**
 * Decodes what the capability's keys can see of a node. Throws DecryptionFailedError (or a decode
 * error) when they open nothing. `isDirectoryHint` (the parent's child entry says so) skips the
 * trial opening of a directory's metadata under its base key; a wrong hint costs only a retry.
 */
export function readCryptreeNode(c: CryptoProvider, node: CryptreeNodeHeader, rBaseKey: SymmetricKey, wBaseKey?: SymmetricKey, isDirectoryHint?: boolean): CryptreeNodeView {
  if (isDirectoryHint === true) {
    try {
      return readDirectoryNode(c, node, rBaseKey, wBaseKey)
    } catch {
      // not a directory after all: the general path below decides
    }
  }
  // CryptreeNode.fromCbor's rule: a file's `p` opens under its base key and says so; anything else is a directory
  let underBase: FromParent | undefined
  try {
    underBase = openFromParent(c, node, rBaseKey)
  } catch {
    underBase = undefined
  }
  if (underBase === undefined || underBase.properties.isDirectory) return readDirectoryNode(c, node, rBaseKey, wBaseKey)
  let fromBase: FromBase
  try {
    fromBase = openFromBase(c, node, rBaseKey)
  } catch (e) {
    // the link node of a write-shared file (a directory node with its target's file properties, as
    // Peergos' asLink keeps them) read with its parent key, walking up from the file
    if (underBase.properties.isLink) return readDirectoryNode(c, node, rBaseKey, wBaseKey)
    throw e
  }
  return {
    isDirectory: false, readable: true, parentKey: rBaseKey, dataKey: fromBase.key, properties: underBase.properties, parentLink: underBase.parentLink,
    fromBase, signer: signerOf(c, fromBase, wBaseKey),
  }
}

function signerOf(c: CryptoProvider, fromBase: FromBase | undefined, wBaseKey: SymmetricKey | undefined): SigningPrivateKeyAndPublicHash | undefined {
  return wBaseKey !== undefined && fromBase?.signerLink !== undefined ? signingPrivateKeyAndPublicHashFromCbor(openCbor(c, wBaseKey, fromBase.signerLink)) : undefined
}

/** A directory: `b` under the base key gives the parent key (CryptreeNode.getParentKey), which opens `p`. */
function readDirectoryNode(c: CryptoProvider, node: CryptreeNodeHeader, rBaseKey: SymmetricKey, wBaseKey?: SymmetricKey): CryptreeNodeView {
  let fromBase: FromBase | undefined
  try {
    fromBase = openFromBase(c, node, rBaseKey)
  } catch {
    // without read access to the folder we must hold its parent key already
  }
  const parentKey = fromBase !== undefined ? fromBase.key : rBaseKey
  const { parentLink, properties } = openFromParent(c, node, parentKey)
  return { isDirectory: true, readable: fromBase !== undefined, parentKey, properties, parentLink, fromBase, signer: signerOf(c, fromBase, wBaseKey) }
}

/**
 * CryptreeNode.getNextChunkLocation: with the first chunk's stream secret, the hash-derived label and
 * BAT (mandatory then, against downgrade attacks); otherwise the `n` link of the base block.
 */
export function nextChunkLocation(c: CryptoProvider, view: CryptreeNodeView, mapKey: Uint8Array, bat: Bat | undefined, streamSecret?: Uint8Array): { mapKey: Uint8Array; bat?: Bat } {
  if (streamSecret !== undefined) return calculateNextMapKey(c, streamSecret, mapKey, bat)
  if (view.fromBase === undefined) throw new InvalidObjectError('The next chunk is only reachable with the base key')
  return { mapKey: view.fromBase.nextChunk.mapKey, bat: view.fromBase.nextChunk.bat }
}

/** A directory's child links (this chunk only), sealed under its base key. */
export async function readDirectoryChildren(c: CryptoProvider, node: CryptreeNode, rBaseKey: SymmetricKey, fetch: FragmentFetcher, opts?: FpctDecryptOptions): Promise<ChildrenLinks> {
  return childrenLinksFromPadded(await decryptFpct(c, node.data, rBaseKey, fetch, opts))
}

/** A file chunk's bytes (a CBOR byte string sealed under the data key). */
export async function readFileChunk(c: CryptoProvider, node: CryptreeNode, dataKey: SymmetricKey, fetch: FragmentFetcher, opts?: FpctDecryptOptions): Promise<Uint8Array> {
  return asBytes(await decryptFpctCbor(c, node.data, dataKey, fetch, opts), 'file chunk')
}

export interface ReadCryptreeBlock {
  readonly node: CryptreeNode
  readonly view: CryptreeNodeView
  /** Directories read with their base key: this chunk's child links. */
  readonly children?: ChildrenLinks
  /** Files: this chunk's bytes (unless only the metadata was asked for). */
  readonly data?: Uint8Array
}

/** Decodes a node block (untrusted) and reads all the keys allow: view plus children or file data. */
export async function readCryptreeBlock(c: CryptoProvider, block: Uint8Array, rBaseKey: SymmetricKey, fetch: FragmentFetcher, wBaseKey?: SymmetricKey, opts?: FpctDecryptOptions & { readonly fileData?: boolean; readonly isDirectoryHint?: boolean }): Promise<ReadCryptreeBlock> {
  const node = decodeCryptreeNode(block)
  const view = readCryptreeNode(c, node, rBaseKey, wBaseKey, opts?.isDirectoryHint)
  if (view.isDirectory) return { node, view, children: view.readable ? await readDirectoryChildren(c, node, rBaseKey, fetch, opts) : undefined }
  if (opts?.fileData === false) return { node, view }
  return { node, view, data: await readFileChunk(c, node, view.dataKey!, fetch, opts) }
}
