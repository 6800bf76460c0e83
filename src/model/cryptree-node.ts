// CryptreeNode v1 (reference §2.2): CBOR {v: 1, bats?, b: padded(64) FromBase {k, w?, n},
// p: padded(16) FromParent {p?, s}, d: FPCT of children (dirs, base key) or chunk bytes (files,
// data key)}; createDir / createFile with injectable nonces and BATs so vectors reproduce.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { blockCid, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { Bat } from './bat.ts'
import { batIdFromCbor, batIdToCbor, inlineBatId, isInlineBatId, type BatId } from './bat-id.ts'
import { cipherTextFromCbor, cipherTextToCbor, sealCbor, sealPaddedCbor, type CipherText } from './cipher-text.ts'
import { InvalidObjectError } from './errors.ts'
import { filePropertiesFromCbor, filePropertiesToCbor, type FileProperties } from './file-properties.ts'
import { buildFpctCbor, fpctFromCbor, fpctToCbor, MAX_BLOCK_SIZE, type FragmentBlock, type FragmentedPaddedCipherText } from './fragmented-cipher-text.ts'
import { childrenLinksToCbor, EMPTY_CHILDREN_LINKS, relativeCapabilityFromCbor, relativeCapabilityToCbor, type ChildrenLinks, type RelativeCapability } from './relative-capability.ts'
import { signingPrivateKeyAndPublicHashToCbor, type SigningPrivateKeyAndPublicHash } from './signing-keys.ts'
import { sameSymmetricKey, symmetricKeyFromCbor, symmetricKeyToCbor, type SymmetricKey } from './symmetric-key.ts'

export const CRYPTREE_VERSION = 1
export const META_DATA_PADDING_BLOCKSIZE = 16
export const BASE_BLOCK_PADDING_BLOCKSIZE = 64
/** CryptreeNode.MAX_CHILD_LINKS_PER_BLOB: further children go to continuation chunks. */
export const MAX_CHILD_LINKS_PER_BLOB = 500

/** A cryptree node whose version is not 1. */
export class UnsupportedCryptreeVersionError extends InvalidObjectError {}

export interface CryptreeNode {
  readonly bats: readonly BatId[]
  /** Sealed FromBase, padded to 64 bytes, under the base key. */
  readonly fromBase: CipherText
  /** Sealed FromParent, padded to 16 bytes, under the parent key (a file's base key). */
  readonly fromParent: CipherText
  readonly data: FragmentedPaddedCipherText
}

export interface FromBase {
  /** A directory's parent key, or a file's data key. */
  readonly key: SymmetricKey
  /** SymmetricLinkToSigner: the node's signing key pair, sealed under the wBaseKey. */
  readonly signerLink?: CipherText
  readonly nextChunk: RelativeCapability
}

export interface FromParent {
  readonly parentLink?: RelativeCapability
  readonly properties: FileProperties
}

export function fromBaseToCbor(b: FromBase): CborValue {
  return cborMap({ k: symmetricKeyToCbor(b.key), w: b.signerLink === undefined ? undefined : cipherTextToCbor(b.signerLink), n: relativeCapabilityToCbor(b.nextChunk) })
}

export function fromBaseFromCbor(v: CborValue): FromBase {
  const f = Fields.of(v, 'FromBase')
  const w = f.raw('w')
  return { key: symmetricKeyFromCbor(f.req('k')), signerLink: w === undefined ? undefined : cipherTextFromCbor(w, 'FromBase.w'), nextChunk: relativeCapabilityFromCbor(f.req('n'), 'FromBase.n') }
}

export function fromParentToCbor(p: FromParent): CborValue {
  return cborMap({ p: p.parentLink === undefined ? undefined : relativeCapabilityToCbor(p.parentLink), s: filePropertiesToCbor(p.properties) })
}

export function fromParentFromCbor(v: CborValue): FromParent {
  const f = Fields.of(v, 'FromParent')
  const p = f.raw('p')
  return { parentLink: p === undefined ? undefined : relativeCapabilityFromCbor(p, 'FromParent.p'), properties: filePropertiesFromCbor(f.req('s')) }
}

export function cryptreeNodeToCbor(n: CryptreeNode): CborValue {
  return cborMap({
    v: CRYPTREE_VERSION,
    bats: n.bats.length === 0 ? undefined : n.bats.map(batIdToCbor),
    b: cipherTextToCbor(n.fromBase),
    p: cipherTextToCbor(n.fromParent),
    d: fpctToCbor(n.data),
  })
}

export function cryptreeNodeFromCbor(v: CborValue): CryptreeNode {
  const f = Fields.of(v, 'CryptreeNode')
  const version = f.long('v')
  if (version !== BigInt(CRYPTREE_VERSION)) throw new UnsupportedCryptreeVersionError(`Unknown cryptree version: ${version}`)
  return {
    bats: (f.optList('bats') ?? []).map((b, i) => batIdFromCbor(b, `CryptreeNode.bats[${i}]`)),
    fromBase: cipherTextFromCbor(f.req('b'), 'CryptreeNode.b'),
    fromParent: cipherTextFromCbor(f.req('p'), 'CryptreeNode.p'),
    data: fpctFromCbor(f.req('d')),
  }
}

export function encodeCryptreeNode(n: CryptreeNode): Uint8Array {
  return encodeCbor(cryptreeNodeToCbor(n))
}

/** Decodes a cryptree node block (untrusted bytes, ≤ 1 MiB + 100). */
export function decodeCryptreeNode(block: Uint8Array): CryptreeNode {
  if (block.length > MAX_BLOCK_SIZE) throw new InvalidObjectError(`Cryptree node block of ${block.length} bytes exceeds ${MAX_BLOCK_SIZE}`)
  return cryptreeNodeFromCbor(decodeCbor(block))
}

/** The parts of a node that describe it: its sealed FromBase and FromParent blocks. */
export type CryptreeNodeHeader = Pick<CryptreeNode, 'fromBase' | 'fromParent'>

const HEADER_KEYS: ReadonlySet<string> = new Set(['v', 'b', 'p'])

/**
 * The version, `b` and `p` of a cryptree node block (untrusted bytes): what a listing opens. The
 * data `d` (a small file's whole content, inline) and the BATs are checked as canonical CBOR but not
 * built; decodeCryptreeNode decodes them when the node is read.
 */
export function decodeCryptreeNodeHeader(block: Uint8Array): CryptreeNodeHeader {
  if (block.length > MAX_BLOCK_SIZE) throw new InvalidObjectError(`Cryptree node block of ${block.length} bytes exceeds ${MAX_BLOCK_SIZE}`)
  const f = Fields.of(decodeCbor(block, { viewBytes: true, onlyKeys: HEADER_KEYS, records: 1 }), 'CryptreeNode') // the node's map read in place, not built
  const version = f.long('v')
  if (version !== BigInt(CRYPTREE_VERSION)) throw new UnsupportedCryptreeVersionError(`Unknown cryptree version: ${version}`)
  return { fromBase: cipherTextFromCbor(f.req('b'), 'CryptreeNode.b'), fromParent: cipherTextFromCbor(f.req('p'), 'CryptreeNode.p') }
}

/** The node's dag-cbor block CID. */
export function cryptreeNodeCid(c: CryptoProvider, n: CryptreeNode): CID {
  return blockCid(c, encodeCryptreeNode(n), false)
}

/** Nonces (and fragment BATs) to use instead of random ones, so vectors can be reproduced. */
export interface CryptreeNonces {
  readonly base?: Uint8Array
  readonly parent?: Uint8Array
  readonly data?: Uint8Array
  readonly signer?: Uint8Array
  readonly fragmentBats?: readonly Bat[]
}

interface CommonParams {
  readonly properties: FileProperties
  readonly parentLink?: RelativeCapability
  readonly nextChunk: RelativeCapability
  /** The node's own BAT, listed inline in `bats`. */
  readonly inlineBat?: Bat
  readonly mirrorBatId?: BatId
  /** A new writing subspace: its key pair, sealed under wBaseKey (required with it). */
  readonly signer?: SigningPrivateKeyAndPublicHash
  readonly wBaseKey?: SymmetricKey
  readonly random?: CryptreeNonces
}

export interface CreateDirParams extends CommonParams {
  readonly rBaseKey: SymmetricKey
  /** Must differ from rBaseKey. */
  readonly parentKey: SymmetricKey
  readonly children?: ChildrenLinks
}

export interface CreateFileParams extends CommonParams {
  /** The file's base key, which is also its parent key. */
  readonly baseKey: SymmetricKey
  /** Must differ from baseKey. */
  readonly dataKey: SymmetricKey
  /** This chunk's plaintext (≤ 5 MiB). */
  readonly chunk: Uint8Array
}

export interface BuiltCryptreeNode {
  readonly node: CryptreeNode
  /** Raw fragment blocks to store alongside the node (none when the data is inlined). */
  readonly fragments: FragmentBlock[]
}

function signerLink(c: CryptoProvider, p: CommonParams): CipherText | undefined {
  if (p.signer === undefined) return undefined
  if (p.wBaseKey === undefined) throw new InvalidObjectError('A signer needs the wBaseKey to seal it under')
  return sealCbor(c, p.wBaseKey, signingPrivateKeyAndPublicHashToCbor(p.signer), p.random?.signer)
}

function fpctOptions(p: Pick<CommonParams, 'mirrorBatId' | 'random'>) {
  return { mirrorBatId: p.mirrorBatId, nonce: p.random?.data, fragmentBats: p.random?.fragmentBats }
}

/** CryptreeNode.createDir: bats = [inline?, mirror?]; children sealed under rBaseKey. */
export function createDir(c: CryptoProvider, p: CreateDirParams): BuiltCryptreeNode {
  if (sameSymmetricKey(p.rBaseKey, p.parentKey)) throw new InvalidObjectError("A directory's base key and parent key must be different")
  const fromBase = sealPaddedCbor(c, p.rBaseKey, fromBaseToCbor({ key: p.parentKey, signerLink: signerLink(c, p), nextChunk: p.nextChunk }), BASE_BLOCK_PADDING_BLOCKSIZE, p.random?.base)
  const fromParent = sealPaddedCbor(c, p.parentKey, fromParentToCbor({ parentLink: p.parentLink, properties: p.properties }), META_DATA_PADDING_BLOCKSIZE, p.random?.parent)
  const bats = [...(p.inlineBat === undefined ? [] : [inlineBatId(p.inlineBat)]), ...(p.mirrorBatId === undefined ? [] : [p.mirrorBatId])]
  const { fpct, fragments } = buildFpctCbor(c, p.rBaseKey, childrenLinksToCbor(p.children ?? EMPTY_CHILDREN_LINKS), fpctOptions(p))
  return { node: { bats, fromBase, fromParent, data: fpct }, fragments }
}

/** CryptreeNode.createFile: bats = [inline, mirror?] (none without an inline BAT); the chunk, as a CBOR byte string, sealed under dataKey. */
export function createFile(c: CryptoProvider, p: CreateFileParams): BuiltCryptreeNode {
  const { fpct, fragments } = encryptFileChunk(c, p.dataKey, p.chunk, p)
  return { node: createFileNode(c, p, fpct), fragments }
}

/** A file chunk's data sealed under its data key, as createFile does it (fragments to store separately). */
export function encryptFileChunk(c: CryptoProvider, dataKey: SymmetricKey, chunk: Uint8Array, p: Pick<CommonParams, 'mirrorBatId' | 'random'> = {}): { fpct: FragmentedPaddedCipherText; fragments: FragmentBlock[] } {
  return buildFpctCbor(c, dataKey, chunk, fpctOptions(p))
}

/** createFile around data already encrypted with encryptFileChunk (uploads seal data first, metadata last). */
export function createFileNode(c: CryptoProvider, p: Omit<CreateFileParams, 'chunk'>, fpct: FragmentedPaddedCipherText): CryptreeNode {
  if (sameSymmetricKey(p.baseKey, p.dataKey)) throw new InvalidObjectError("A file's base key and data key must be different")
  const fromBase = sealPaddedCbor(c, p.baseKey, fromBaseToCbor({ key: p.dataKey, signerLink: signerLink(c, p), nextChunk: p.nextChunk }), BASE_BLOCK_PADDING_BLOCKSIZE, p.random?.base)
  const fromParent = sealPaddedCbor(c, p.baseKey, fromParentToCbor({ parentLink: p.parentLink, properties: p.properties }), META_DATA_PADDING_BLOCKSIZE, p.random?.parent)
  const bats = p.inlineBat === undefined ? [] : [inlineBatId(p.inlineBat), ...(p.mirrorBatId === undefined ? [] : [p.mirrorBatId])]
  return { bats, fromBase, fromParent, data: fpct }
}

/** CryptreeNode.withChildren: the same node with a new child list sealed under its base key. */
export function withChildren(c: CryptoProvider, node: CryptreeNode, rBaseKey: SymmetricKey, children: ChildrenLinks, mirrorBatId?: BatId): BuiltCryptreeNode {
  const { fpct, fragments } = buildFpctCbor(c, rBaseKey, childrenLinksToCbor(children), { mirrorBatId })
  return { node: { ...node, data: fpct }, fragments }
}

/** CryptreeNode.updateProperties / withParentLink: the same node with its FromParent block resealed. */
export function withFromParent(c: CryptoProvider, node: CryptreeNode, parentKey: SymmetricKey, fromParent: FromParent): CryptreeNode {
  return { ...node, fromParent: sealPaddedCbor(c, parentKey, fromParentToCbor(fromParent), META_DATA_PADDING_BLOCKSIZE) }
}

/** The node's mirror BAT id: the BAT id in `bats` that is not the inline one. */
export function nodeMirrorBatId(node: CryptreeNode): BatId | undefined {
  return node.bats.find((b) => !isInlineBatId(b))
}
