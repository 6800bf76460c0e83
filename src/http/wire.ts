// Wire-only encodings of the HTTP API (reference §7.3) that have no place in the model: BlockWriteGroup
// {b, s}, LoginResponse {a, r}, BlockStoreProperties, peer ids as Peergos prints them, and the
// concatenated-JSON replies of block/put/bulk; the `caps=` lists of champ/get/bulk are in champ-caps.ts.
import { decodeCbor, encodeCbor } from '../codec/cbor.ts'
import { asBytes, cborMap, Fields } from '../codec/cbor-read.ts'
import { base58Decode, CID, CODEC_LIBP2P_KEY, parseCid } from '../codec/cid.ts'
import { InvalidCidError } from '../codec/errors.ts'
import { FRAGMENT_ROOM_AFTER, FRAGMENT_ROOM_BEFORE, hasRoomAround, roomUseOf } from '../model/fragmented-cipher-text.ts'
import { userStaticDataFromCbor, userStaticDataToCbor, type UserStaticData } from '../model/user-static-data.ts'
import { MfaRequiredError } from '../services/errors.ts'
import * as Digest from 'multiformats/hashes/digest'
import { BadRequestError } from './errors.ts'

export interface BlockWriteGroup {
  readonly blocks: Uint8Array[]
  readonly signatures: Uint8Array[]
}

/** Bytes of a CBOR head (major type + argument) for argument `n`. */
function headSize(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : n < 0x100000000 ? 5 : 9
}

/** Writes the canonical CBOR head of major type `major` with argument `n` at `pos`; returns the position after it. */
function putHead(out: Uint8Array, pos: number, major: number, n: number): number {
  const m = major << 5
  const size = headSize(n)
  out[pos] = size === 1 ? m | n : m | (size === 2 ? 24 : size === 3 ? 25 : size === 5 ? 26 : 27)
  for (let i = size - 1, v = n; i >= 1; i--, v = Math.floor(v / 256)) out[pos + i] = v % 256
  return pos + size
}

/** CBOR text "b" and "s": the keys of a BlockWriteGroup, in canonical order. */
const KEY_B = 0x62
const KEY_S = 0x73
const TEXT_OF_ONE = 0x61

/**
 * The CBOR of {b: blocks, s: signatures}, byte for byte what encodeCbor writes for that map, but in one
 * buffer of the exact size with one copy of each block: the generic encoder's growing buffer costs a
 * zero-filled 2 MiB buffer and a final 1 MiB copy per 1 MiB fragment, and with the GC work that garbage
 * drives, the uploading process spent 4.5-6.1 CPU s per GB instead of 2.4-2.5 (bench/server-profile.md).
 */
export function encodeBlockWriteGroup(g: BlockWriteGroup): Uint8Array {
  if (g.blocks.length === 1 && g.signatures.length === 1 && hasRoomAround(g.blocks[0])) {
    const inPlace = encodeAroundBlock(g.blocks[0], g.signatures[0])
    if (inPlace !== undefined) return inPlace
  }
  const lists = [g.blocks, g.signatures]
  let size = 1
  for (const list of lists) {
    size += 2 + headSize(list.length)
    for (const b of list) size += headSize(b.length) + b.length
  }
  const out = new Uint8Array(size)
  let pos = putHead(out, 0, 5, 2)
  for (const [key, list] of [[KEY_B, g.blocks], [KEY_S, g.signatures]] as const) {
    out[pos++] = TEXT_OF_ONE
    out[pos++] = key
    pos = putHead(out, pos, 4, list.length)
    for (const b of list) {
      pos = putHead(out, pos, 2, b.length)
      out.set(b, pos)
      pos += b.length
    }
  }
  return out
}

/** The signature last written around each use of a fragment buffer (a different one must not overwrite it while sent). */
const signedAround = new WeakMap<object, Uint8Array>()

/**
 * {b: [block], s: [signature]} written around a fragment block in the spare room of its buffer: the
 * same bytes as the general path, without copying the megabyte. Undefined when it does not fit, or
 * when the room already holds another signature (the block put by another writer at the same time).
 */
function encodeAroundBlock(block: Uint8Array, signature: Uint8Array): Uint8Array | undefined {
  const before = 1 + 2 + headSize(1) + headSize(block.length)
  const after = 2 + headSize(1) + headSize(signature.length) + signature.length
  if (before > FRAGMENT_ROOM_BEFORE || after > FRAGMENT_ROOM_AFTER) return undefined
  const use = roomUseOf(block)
  if (use === undefined) return undefined
  const previous = signedAround.get(use)
  if (previous !== undefined && !sameBytes(previous, signature)) return undefined
  signedAround.set(use, signature)
  const out = new Uint8Array(block.buffer, 0, block.buffer.byteLength)
  const start = block.byteOffset - before
  let pos = putHead(out, start, 5, 2)
  out[pos++] = TEXT_OF_ONE
  out[pos++] = KEY_B
  pos = putHead(out, pos, 4, 1)
  pos = putHead(out, pos, 2, block.length) + block.length // the block is already in place
  out[pos++] = TEXT_OF_ONE
  out[pos++] = KEY_S
  pos = putHead(out, pos, 4, 1)
  pos = putHead(out, pos, 2, signature.length)
  out.set(signature, pos)
  return out.subarray(start, pos + signature.length)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function decodeBlockWriteGroup(bytes: Uint8Array): BlockWriteGroup {
  const f = Fields.of(decodeCbor(bytes, { maxDepth: 2, viewBytes: true }), 'BlockWriteGroup') // the body is ours alone: no copy per block
  const blocks = f.list('b').map((b, i) => asBytes(b, `BlockWriteGroup.b[${i}]`))
  const signatures = f.list('s').map((s, i) => asBytes(s, `BlockWriteGroup.s[${i}]`))
  if (blocks.length !== signatures.length) throw new BadRequestError(`Different number of blocks and signatures: ${blocks.length} != ${signatures.length}`)
  return { blocks, signatures }
}

export { capsParameter, chunkMirrorCapFromCbor, chunkMirrorCapToCbor, decodeCaps, encodeCaps, encodeCapsCbor } from './champ-caps.ts'

/** LoginResponse {a: isUserStaticData, r: UserStaticData | MultiFactorAuthRequest}. */
export function encodeLoginResponse(r: UserStaticData | MfaRequiredError): Uint8Array {
  if (r instanceof MfaRequiredError) return encodeCbor(cborMap({ a: false, r: decodeCbor(r.request) }))
  return encodeCbor(cborMap({ a: true, r: userStaticDataToCbor(r) }))
}

/** The UserStaticData of a LoginResponse; throws MfaRequiredError when the server asks for a second factor. */
export function decodeLoginResponse(bytes: Uint8Array): UserStaticData {
  const f = Fields.of(decodeCbor(bytes), 'LoginResponse')
  if (!f.bool('a')) throw new MfaRequiredError(encodeCbor(f.req('r')))
  return userStaticDataFromCbor(f.req('r'))
}

/** BlockStoreProperties.empty(): no direct S3 writes or reads ({ar: false, pr: false, w: false}). */
export function emptyBlockStoreProperties(): Uint8Array {
  return encodeCbor(cborMap({ ar: false, pr: false, w: false }))
}

/** Cid.decodePeerId: a bare base58 identity multihash ("12D3Koo…", "1…") as a libp2p-key CIDv1, else a CID string. */
export function parsePeerId(s: string): CID {
  if (!s.startsWith('1')) return parseCid(s)
  if (s.length > 128) throw new InvalidCidError('Peer id too long')
  try {
    return CID.createV1(CODEC_LIBP2P_KEY, Digest.decode(base58Decode(s)))
  } catch (e) {
    if (e instanceof InvalidCidError) throw e
    throw new InvalidCidError('Invalid peer id')
  }
}

/** JSONParser.parseStream: a sequence of concatenated JSON values ("{…}{…}"). */
export function parseJsonStream(text: string): unknown[] {
  const out: unknown[] = []
  let depth = 0
  let start = -1
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i
    } else if (c === '}' || c === ']') {
      if (--depth < 0) throw new SyntaxError('Unbalanced JSON stream')
      if (depth === 0) out.push(JSON.parse(text.slice(start, i + 1)))
    } else if (depth === 0 && !/\s/.test(c)) throw new SyntaxError('Unexpected character in JSON stream')
  }
  if (depth !== 0 || inString) throw new SyntaxError('Truncated JSON stream')
  return out
}
