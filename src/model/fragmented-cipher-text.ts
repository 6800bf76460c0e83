// FragmentedPaddedCipherText (reference §0.4): CBOR {n, h?, f: [inline bytes] | [fragment links],
// bats?}; plaintext zero-padded to 4096-byte blocks (+6 above one block), sealed, inlined up to 4102
// padded bytes, else header (ct mod 4096) + ≤ 1 MiB raw fragments behind a BAT prefix.
import { encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, asLink, cborMap, Fields } from '../codec/cbor-read.ts'
import { blockCid, CODEC_RAW, verifyBlock, type CID } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { randomBat, type Bat } from './bat.ts'
import { batWithIdFromCbor, batWithIdToCbor, calculateBatId, type BatId, type BatWithId } from './bat-id.ts'
import { createRawBlockPrefix, MAX_RAW_BLOCK_PREFIX_SIZE, parseRawBlock } from './bat-prefix.ts'
import { concatAll, concatBytes } from './bytes.ts'
import { decodePadded } from './cipher-text.ts'
import { InvalidObjectError } from './errors.ts'
import { ReusedBuffers } from './reused-buffers.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import { MAC_BYTES } from '../crypto/sizes.ts'
import { createNonce, NONCE_BYTES, symmetricDecrypt, symmetricEncrypt, type SymmetricKey } from './symmetric-key.ts'

/** Fragment.MAX_LENGTH: bitswap's 2 MiB message limit leaves room for 1 MiB fragments. */
export const MAX_FRAGMENT_SIZE = 1024 * 1024
/** ContentAddressedStorage.MAX_BLOCK_SIZE: a fragment plus its BAT prefix. */
export const MAX_BLOCK_SIZE = MAX_FRAGMENT_SIZE + MAX_RAW_BLOCK_PREFIX_SIZE
/** Padding block of file chunks and directory child lists (CryptreeNode.MIN_FRAGMENT_SIZE). */
export const FPCT_PADDING_BLOCK_SIZE = 4096
const MAX_CBOR_OVERHEAD = 6
/** Default bound on fragments read per FPCT: a 5 MiB chunk needs 6. */
export const DEFAULT_MAX_FRAGMENTS = 16

export interface FragmentedPaddedCipherText {
  readonly nonce: Uint8Array
  /** secretbox MAC plus the sub-block remainder of the ciphertext; absent when inlined. */
  readonly header?: Uint8Array
  /** Links to the raw fragment blocks (empty when inlined). */
  readonly fragments: readonly CID[]
  /** One per fragment (may be empty on legacy data). */
  readonly bats: readonly BatWithId[]
  readonly inline?: Uint8Array
}

/** A raw fragment block to store: BAT prefix ‖ ciphertext slice. */
export interface FragmentBlock {
  readonly cid: CID
  readonly data: Uint8Array
}

/**
 * Spare bytes allocated before and after each fragment block built here: the request that stores the
 * block alone (a BlockWriteGroup of one block and its signature) is written around it in place,
 * not copied into a new megabyte (http/wire.ts encodeBlockWriteGroup). The room before also takes
 * the web client's socket message head in front of that request (web/shared/socket-fetch.ts: method
 * and target, a block/put/bulk target being about 200 bytes).
 */
export const FRAGMENT_ROOM_BEFORE = 512
export const FRAGMENT_ROOM_AFTER = 160
/**
 * The buffers of fragment blocks built here (the block and the room around it, nothing else), each
 * with a token of its current use: a recycled buffer gets a new token, so what was written around its
 * previous block (http/wire.ts remembers the signature) is not taken for the new one's.
 */
const withRoom = new WeakMap<ArrayBufferLike, object>()

/** Whether `block` is a fragment built here, with FRAGMENT_ROOM_BEFORE/AFTER free bytes around it in its buffer. */
export function hasRoomAround(block: Uint8Array): boolean {
  return withRoom.has(block.buffer) && block.byteOffset === FRAGMENT_ROOM_BEFORE && block.buffer.byteLength === FRAGMENT_ROOM_BEFORE + block.length + FRAGMENT_ROOM_AFTER
}

/** A token for the current use of a fragment's buffer (hasRoomAround), new each time the buffer is reused. */
export function roomUseOf(block: Uint8Array): object | undefined {
  return withRoom.get(block.buffer)
}

/**
 * A fragment block built with the room around it in another realm and moved here (a web chunk
 * helper's, client/chunk-crypto.ts): its buffer holds the block and the room, nothing else.
 */
export function adoptRoomAround(block: Uint8Array): void {
  if (block.byteOffset === FRAGMENT_ROOM_BEFORE && block.buffer.byteLength === FRAGMENT_ROOM_BEFORE + block.length + FRAGMENT_ROOM_AFTER) withRoom.set(block.buffer, {})
}

/** Fragment buffers at least this large are kept for reuse once given back (releaseFragments). */
const POOLED_MIN_BYTES = 64 * 1024
/**
 * At most this many are kept: the full fragments of a few chunks in flight (an upload's default 3,
 * plus the one being sealed, 5 full fragments each), about 20 MiB.
 */
export const MAX_POOLED_FRAGMENTS = 20
/**
 * Given-back fragment buffers: fragmentWithRoom takes one of the size it needs before allocating. Only
 * buffers it allocated in this realm are kept: fragments built elsewhere and adopted (the web's chunk
 * helpers) would never be drawn from here again, only held.
 */
const fragmentPool = new ReusedBuffers(MAX_POOLED_FRAGMENTS)

/**
 * Gives fragment buffers built here back for reuse by later fragments: call it only once nothing
 * reads or holds the blocks any more (their put has completed). Blocks not built here (adopted ones
 * included), and small ones, are ignored. The steady state of an upload then allocates no new megabytes per chunk, which
 * would otherwise drive V8's full collections (external memory) every few chunks.
 */
export function releaseFragments(blocks: readonly Uint8Array[]): void {
  for (const block of blocks) {
    if (block.buffer.byteLength >= POOLED_MIN_BYTES && hasRoomAround(block)) fragmentPool.giveBack(block.buffer)
  }
}

/** prefix ‖ slice as a block with room around it (see hasRoomAround). */
export function fragmentWithRoom(prefix: Uint8Array, slice: Uint8Array): Uint8Array {
  const length = prefix.length + slice.length
  const buffer = fragmentPool.take(FRAGMENT_ROOM_BEFORE + length + FRAGMENT_ROOM_AFTER)
  withRoom.set(buffer.buffer, {})
  const block = buffer.subarray(FRAGMENT_ROOM_BEFORE, FRAGMENT_ROOM_BEFORE + length)
  block.set(prefix)
  block.set(slice, prefix.length)
  return block
}

export interface FpctBuildOptions {
  /** Zero-padding block size (4096 for files and directories). */
  readonly paddingBlockSize?: number
  readonly maxFragmentSize?: number
  /** The user's mirror BAT id, added to every fragment's prefix. */
  readonly mirrorBatId?: BatId
  /** Nonce to use (random otherwise): lets vectors be reproduced. */
  readonly nonce?: Uint8Array
  /** Per-fragment BATs to use in order (random otherwise). */
  readonly fragmentBats?: readonly Bat[]
}

/** FragmentedPaddedCipherText.pad: zero-pads to whole blocks, plus `excluded` bytes. */
function pad(input: Uint8Array, excluded: number, blockSize: number): Uint8Array {
  const blocks = Math.ceil((input.length - excluded) / blockSize)
  const out = new Uint8Array(Math.max(0, blocks) * blockSize + excluded)
  out.set(input.subarray(0, out.length))
  return out
}

/** The CBOR head of a byte string of `n` bytes (major type 2, shortest length form). */
function byteStringHead(n: number): Uint8Array {
  if (n < 24) return Uint8Array.of(0x40 + n)
  if (n < 0x100) return Uint8Array.of(0x58, n)
  if (n < 0x10000) return Uint8Array.of(0x59, n >> 8, n & 0xff)
  return Uint8Array.of(0x5a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

/** Inputs of secretbox at least this large are assembled in the reused scratch buffer below. */
const SCRATCH_MIN_BYTES = 64 * 1024
/**
 * The input of the last large seal or open: a chunk's padded plaintext (buildFpctOfBytes) or its
 * header ‖ fragments (decryptFpct). Each use is synchronous from filling it to the secretbox call,
 * which writes a new buffer, so every 5 MiB chunk of an upload or download reuses it instead of
 * allocating, faulting in and later collecting 5 MiB of fresh memory (in a loaded client, V8's
 * full collections for external memory came every few chunks).
 */
let scratch = new Uint8Array(0)

/** `size` bytes of the scratch buffer, valid until the next call (never across an await). */
function scratchOf(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size)
  return scratch.subarray(0, size)
}

/**
 * FragmentedPaddedCipherText.build of a CBOR byte string (a file chunk), without serializing it
 * first: head and bytes are written straight into the zero-padded buffer (one copy, not two).
 */
export function buildFpctOfBytes(c: CryptoProvider, key: SymmetricKey, bytes: Uint8Array, opts: FpctBuildOptions = {}): { fpct: FragmentedPaddedCipherText; fragments: FragmentBlock[] } {
  const head = byteStringHead(bytes.length)
  const length = head.length + bytes.length
  const blockSize = opts.paddingBlockSize ?? FPCT_PADDING_BLOCK_SIZE
  const excluded = length <= blockSize ? 0 : MAX_CBOR_OVERHEAD
  const size = Math.max(0, Math.ceil((length - excluded) / blockSize)) * blockSize + excluded
  const out = size < SCRATCH_MIN_BYTES ? new Uint8Array(size) : scratchOf(size)
  out.set(head)
  const copied = Math.min(bytes.length, size - head.length)
  out.set(bytes.subarray(0, copied), head.length)
  if (size >= SCRATCH_MIN_BYTES) out.fill(0, head.length + copied) // the zero padding (the scratch holds an earlier chunk)
  return buildFpct(c, key, out, opts, true)
}

/** FragmentedPaddedCipherText.build over already-serialized plaintext (`isPadded`: already zero-padded to its final size). */
export function buildFpct(c: CryptoProvider, key: SymmetricKey, plaintext: Uint8Array, opts: FpctBuildOptions = {}, isPadded = false): { fpct: FragmentedPaddedCipherText; fragments: FragmentBlock[] } {
  const blockSize = opts.paddingBlockSize ?? FPCT_PADDING_BLOCK_SIZE
  const maxFragment = opts.maxFragmentSize ?? MAX_FRAGMENT_SIZE
  if (!Number.isInteger(blockSize) || blockSize < 1) throw new InvalidObjectError(`Invalid padding block size ${blockSize}`)
  if (!Number.isInteger(maxFragment) || maxFragment < 1 || maxFragment > MAX_FRAGMENT_SIZE) throw new InvalidObjectError(`Invalid fragment size ${maxFragment}`)
  const nonce = opts.nonce ?? createNonce(c)
  const padded = isPadded ? plaintext : pad(plaintext, plaintext.length <= blockSize ? 0 : MAX_CBOR_OVERHEAD, blockSize)
  const cipherText = symmetricEncrypt(c, key, padded, nonce)
  if (padded.length <= 4096 + MAX_CBOR_OVERHEAD) return { fpct: { nonce, fragments: [], bats: [], inline: cipherText }, fragments: [] }

  const { header, datas, bats } = cutFragments(c, cipherText, blockSize, maxFragment, opts)
  const fragments: FragmentBlock[] = datas.map((data) => ({ cid: blockCid(c, data, true), data }))
  return { fpct: { nonce, header, fragments: fragments.map((f) => f.cid), bats }, fragments }
}

/**
 * Splits a boxed chunk into its header (the length modulo the padding block) and fragments of at most
 * `maxFragment` bytes, each behind its BAT prefix with room for its block/put/bulk envelope; the
 * header is copied, the fragments' bytes too (so `cipherText` may be reused afterwards).
 */
export function cutFragments(c: CryptoProvider, cipherText: Uint8Array, blockSize: number, maxFragment: number, opts: Pick<FpctBuildOptions, 'fragmentBats' | 'mirrorBatId'>): { header: Uint8Array; datas: Uint8Array[]; bats: BatWithId[] } {
  const headerSize = cipherText.length % blockSize
  const count = Math.ceil((cipherText.length - headerSize) / maxFragment)
  if (opts.fragmentBats !== undefined && opts.fragmentBats.length < count) throw new InvalidObjectError(`Need ${count} fragment BATs, got ${opts.fragmentBats.length}`)
  const datas: Uint8Array[] = []
  const bats: BatWithId[] = []
  for (let i = 0; i < count; i++) {
    const start = headerSize + i * maxFragment
    const b = opts.fragmentBats?.[i] ?? randomBat(c)
    datas.push(fragmentWithRoom(createRawBlockPrefix(b, opts.mirrorBatId), cipherText.subarray(start, Math.min(cipherText.length, start + maxFragment))))
    bats.push({ bat: b, id: calculateBatId(c, b) })
  }
  return { header: cipherText.slice(0, headerSize), datas, bats }
}

/** Builds an FPCT of a CBOR value (its canonical serialization). */
export function buildFpctCbor(c: CryptoProvider, key: SymmetricKey, value: CborValue, opts?: FpctBuildOptions): { fpct: FragmentedPaddedCipherText; fragments: FragmentBlock[] } {
  if (value instanceof Uint8Array) return buildFpctOfBytes(c, key, value, opts)
  return buildFpct(c, key, encodeCbor(value), opts)
}

export function fpctToCbor(f: FragmentedPaddedCipherText): CborValue {
  if (f.inline !== undefined) return cborMap({ n: f.nonce, h: f.header, f: [f.inline] })
  return cborMap({ n: f.nonce, h: f.header, f: [...f.fragments], bats: f.bats.map(batWithIdToCbor) })
}

/** FragmentedPaddedCipherText.fromCbor: `f` holds one inline byte string (or a legacy identity hash) or only links. */
export function fpctFromCbor(v: CborValue): FragmentedPaddedCipherText {
  const f = Fields.of(v, 'FragmentedPaddedCipherText')
  const nonce = f.bytes('n', NONCE_BYTES)
  const header = f.optBytes('h')
  const list = f.list('f')
  const bats = (f.optList('bats') ?? []).map(batWithIdFromCbor)
  if (list.length > 0 && list[0] instanceof Uint8Array) {
    if (list.length !== 1) throw new InvalidObjectError(`FragmentedPaddedCipherText: ${list.length} inline values`)
    return { nonce, header, fragments: [], bats, inline: asBytes(list[0], 'FragmentedPaddedCipherText.f[0]') }
  }
  const fragments = list.map((l, i) => asLink(l, `FragmentedPaddedCipherText.f[${i}]`))
  if (bats.length !== 0 && bats.length !== fragments.length) throw new InvalidObjectError(`FragmentedPaddedCipherText: ${bats.length} BATs for ${fragments.length} fragments`)
  return { nonce, header, fragments, bats }
}

/** Fetches a fragment block by CID (the BatWithId lets the caller authorise the read). */
export type FragmentFetcher = (cid: CID, bat: BatWithId | undefined) => Promise<Uint8Array>

export interface FpctDecryptOptions {
  readonly maxFragments?: number
  /**
   * Called with each fetched block once its bytes are copied into the secretbox input (never for a
   * block that failed its hash, nor when the chunk fails before the copy): the fetcher may reuse it
   * (receivedBlockBuffer / releaseReceivedBlock).
   */
  readonly release?: (block: Uint8Array) => void
  /**
   * Where a fragmented chunk's padded plaintext of `length` bytes may be opened (its first `length`
   * bytes; the result, and what is decoded from it, are views of that buffer). Undefined or too short:
   * a fresh buffer. The caller must not hand the buffer out again while those views are in use.
   */
  readonly plainInto?: (length: number) => Uint8Array | undefined
}

/**
 * Receive buffers for fragment blocks (MAX_BLOCK_SIZE bytes each), kept for reuse once given back:
 * a download's steady state then receives each 1 MiB reply into memory it already has, instead of a
 * fresh megabyte per block/get (garbage at once, which drove V8's full collections). At most this
 * many are kept (about 20 MiB): the fragments of a download's chunks in flight (2 ahead + 1, 6 each).
 */
export const MAX_POOLED_RECEIVE_BUFFERS = 20
const receivePool = new ReusedBuffers(MAX_POOLED_RECEIVE_BUFFERS)

/**
 * A buffer to receive one fragment block of up to MAX_BLOCK_SIZE bytes into: a given-back one, else a
 * new one. Its owner gives it back with releaseReceivedBlock only once nothing reads or may write it.
 */
export function receivedBlockBuffer(): Uint8Array {
  return receivePool.take(MAX_BLOCK_SIZE)
}

/** How many receive buffers are kept for reuse now (at most MAX_POOLED_RECEIVE_BUFFERS). */
export function pooledReceiveBuffers(): number {
  return receivePool.size
}

/** Gives a block received into receivedBlockBuffer back (any view of it); other blocks and repeats are ignored. */
export function releaseReceivedBlock(block: Uint8Array): void {
  receivePool.giveBack(block.buffer)
}

/** Recombines header ‖ fragments (each hash-checked, ≤ 1 MiB + 100, BAT prefix stripped) and opens them: the padded plaintext. */
export async function decryptFpct(c: CryptoProvider, f: FragmentedPaddedCipherText, key: SymmetricKey, fetch: FragmentFetcher, opts: FpctDecryptOptions = {}): Promise<Uint8Array> {
  const header = f.header ?? new Uint8Array(0)
  if (f.inline !== undefined) return symmetricDecrypt(c, key, header.length === 0 ? f.inline : concatBytes(header, f.inline), f.nonce)
  const max = opts.maxFragments ?? DEFAULT_MAX_FRAGMENTS
  if (f.fragments.length > max) throw new InvalidObjectError(`FragmentedPaddedCipherText has ${f.fragments.length} fragments, more than ${max}`)
  const blocks: Uint8Array[] = []
  const parts = await Promise.all(f.fragments.map(async (cid, i) => {
    if (cid.code !== CODEC_RAW) throw new InvalidObjectError('Fragment links must be raw CIDs')
    const block = await fetch(cid, f.bats[i])
    if (block.length > MAX_BLOCK_SIZE) throw new InvalidObjectError(`Fragment block of ${block.length} bytes exceeds ${MAX_BLOCK_SIZE}`)
    verifyBlock(c, cid, block)
    blocks[i] = block
    return parseRawBlock(block).data
  }))
  let size = header.length
  for (const p of parts) size += p.length
  if (size < SCRATCH_MIN_BYTES) {
    const joined = concatAll([header, ...parts])
    releaseAll(blocks, opts.release)
    return symmetricDecrypt(c, key, joined, f.nonce)
  }
  const boxed = scratchOf(size)
  boxed.set(header)
  let pos = header.length
  for (const p of parts) {
    boxed.set(p, pos)
    pos += p.length
  }
  releaseAll(blocks, opts.release)
  if (size < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
  const into = opts.plainInto?.(size - MAC_BYTES)
  if (into !== undefined && into.length >= size - MAC_BYTES) {
    const plain = into.subarray(0, size - MAC_BYTES)
    c.secretboxOpenInto(plain, boxed, f.nonce, key.key)
    return plain
  }
  const plain = symmetricDecrypt(c, key, boxed, f.nonce)
  return plain.buffer === boxed.buffer ? plain.slice() : plain // a provider opening in place must not hand out the scratch
}

function releaseAll(blocks: readonly Uint8Array[], release: ((block: Uint8Array) => void) | undefined): void {
  if (release !== undefined) for (const b of blocks) release(b)
}

/** decryptFpct, then the CBOR value followed only by zero padding. */
export async function decryptFpctCbor(c: CryptoProvider, f: FragmentedPaddedCipherText, key: SymmetricKey, fetch: FragmentFetcher, opts?: FpctDecryptOptions): Promise<CborValue> {
  // the opened plaintext is a fresh buffer nobody else holds: its byte strings (a file chunk's data)
  // are returned as views of it, not copied again
  return decodePadded(await decryptFpct(c, f, key, fetch, opts), { viewBytes: true })
}
