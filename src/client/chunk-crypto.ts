// Sealing and opening the data of file chunks (reference §0.4: a chunk is a CBOR byte string in a
// FragmentedPaddedCipherText, ≤ 1 MiB raw fragments behind a BAT prefix), behind an async interface
// so that a host can move the work elsewhere: the web client worker hands it to helper workers that
// hash with WebCrypto (async, native). Node keeps the in-thread default: the provider's sha256, the
// model's decryptFpct, and for chunks above the inline size sealing into reused buffers (the Node
// provider's secretboxInto, or our wasm secretbox in its own memory), fragments cut straight from
// there (no 5 MiB output allocated per chunk; the model's encryptFileChunk where neither applies). Every implementation gives the same bytes;
// only where and when the work runs differs.
import * as Digest from 'multiformats/hashes/digest'
import { asBytes } from '../codec/cbor-read.ts'
import { CID, CODEC_RAW, cidToString, equalBytes, HASH_SHA2_256, verifyBlock } from '../codec/cid.ts'
import { BlockHashMismatchError } from '../codec/errors.ts'
import { DecryptionFailedError } from '../crypto/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { Bat } from '../model/bat.ts'
import type { BatId } from '../model/bat-id.ts'
import { parseRawBlock } from '../model/bat-prefix.ts'
import { decodePadded } from '../model/cipher-text.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import { encryptFileChunk } from '../model/cryptree-node.ts'
import { readCryptreeBlock, readFileChunk, type ReadCryptreeBlock } from '../model/cryptree-read.ts'
import { InvalidObjectError } from '../model/errors.ts'
import {
  cutFragments, decryptFpct, DEFAULT_MAX_FRAGMENTS, FPCT_PADDING_BLOCK_SIZE, MAX_BLOCK_SIZE, MAX_FRAGMENT_SIZE,
  type FragmentBlock, type FragmentedPaddedCipherText, type FragmentFetcher,
} from '../model/fragmented-cipher-text.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'
import { createNonce, type SymmetricKey } from '../model/symmetric-key.ts'
import { loadWasmSecretbox } from '../crypto/wasm-secretbox.ts'

/** A chunk's sealed data: the FPCT for its cryptree node, the raw fragments to store, the plaintext's hash. */
export interface SealedChunk {
  readonly fpct: FragmentedPaddedCipherText
  readonly fragments: FragmentBlock[]
  /** sha256 of the plaintext (the chunk's leaf in the file's hash tree). */
  readonly plainHash: Uint8Array
}

export interface SealOptions {
  /** The user's mirror BAT id, added to every fragment's BAT prefix. */
  readonly mirrorBatId?: BatId
  /** A fixed nonce and fragment BATs (random otherwise): lets tests compare implementations byte for byte. */
  readonly nonce?: Uint8Array
  readonly fragmentBats?: readonly Bat[]
}

export interface ChunkCrypto {
  /** encryptFileChunk and sha256 of `plain`, which is only read (and not changed by the caller until this settles). */
  seal(dataKey: SymmetricKey, plain: Uint8Array, opts?: SealOptions): Promise<SealedChunk>
  /**
   * A file chunk's bytes from its FPCT (with fragments) and its fragment blocks as fetched, in the
   * FPCT's order and not yet verified: each is checked against its CID, then the whole is opened.
   */
  open(fpct: FragmentedPaddedCipherText, dataKey: SymmetricKey, blocks: readonly Uint8Array[]): Promise<Uint8Array>
  /**
   * Optional: the fragments (blocks of `owner`, each with its BAT) fetched where the chunk is opened,
   * each checked against its CID and the whole opened as by `open`; undefined when they could not be
   * fetched there (the caller then fetches them and calls `open`).
   */
  fetchAndOpen?(owner: PublicKeyHash, fpct: FragmentedPaddedCipherText, dataKey: SymmetricKey): Promise<Uint8Array | undefined>
}

/** The work in the calling thread, as the model does it (encryptFileChunk and decryptFpct). */
function modelChunkCrypto(c: CryptoProvider): ChunkCrypto {
  return {
    async seal(dataKey, plain, opts = {}) {
      const { fpct, fragments } = encryptFileChunk(c, dataKey, plain, { mirrorBatId: opts.mirrorBatId, random: { data: opts.nonce, fragmentBats: opts.fragmentBats } })
      return { fpct, fragments, plainHash: c.sha256(plain) }
    },
    async open(fpct, dataKey, blocks) {
      const padded = await decryptFpct(c, fpct, dataKey, async (cid) => blocks[fpct.fragments.indexOf(cid)])
      return chunkBytes(padded)
    },
  }
}

/** The wasm secretbox, loaded once (undefined where WebAssembly SIMD is missing). */
let wasmBox: Promise<ChunkSecretbox | undefined> | undefined
function wasmSecretboxOnce(): Promise<ChunkSecretbox | undefined> {
  wasmBox ??= loadWasmSecretbox().catch(() => undefined)
  return wasmBox
}

/** One in-thread chunk crypto per provider: its reused buffers serve every upload (a seal is synchronous from fill to use). */
const inThread = new WeakMap<CryptoProvider, ChunkCrypto>()

/**
 * The work in the calling thread. Large chunks are sealed into reused buffers, never a fresh 5 MiB
 * output per chunk (that garbage drove V8 into a full collection every few chunks): with the Node
 * provider by sodium-native's secretbox into a reused output (secretboxInto; measured 1.0-1.3 ms per
 * MiB with the copies in and out against 1.6-2.6 for our wasm, bench/client-profile.md, seventh
 * pass), with the portable one (whose secretboxInto copies out of libsodium.js) by the wasm secretbox
 * in its own memory. The buffers (two of the largest chunk sealed, or the wasm memory) are kept for
 * the provider's lifetime. Opening stays with the model (decryptFpct).
 */
export function inThreadChunkCrypto(c: CryptoProvider): ChunkCrypto {
  const known = inThread.get(c)
  if (known !== undefined) return known
  const model = modelChunkCrypto(c)
  const sha256: AsyncSha256 = async (bytes) => c.sha256(bytes)
  let inPlace: ChunkCrypto | undefined = c.name === 'node' ? asyncHashChunkCrypto(c, sha256, reusedOutputSecretbox(c)) : undefined
  const cc: ChunkCrypto = {
    async seal(dataKey, plain, opts) {
      if (inPlace === undefined) {
        const box = await wasmSecretboxOnce()
        if (box === undefined) return model.seal(dataKey, plain, opts)
        inPlace = asyncHashChunkCrypto(c, sha256, box)
      }
      return inPlace.seal(dataKey, plain, opts)
    },
    open: model.open,
  }
  inThread.set(c, cc)
  return cc
}

/** An async SHA-256, e.g. WebCrypto's crypto.subtle.digest (native, off the calling thread). */
export type AsyncSha256 = (bytes: Uint8Array) => Promise<Uint8Array>

/** CBOR head of a byte string of `n` bytes (major type 2, shortest form), as FragmentedPaddedCipherText writes a chunk. */
function byteStringHead(n: number): Uint8Array {
  if (n < 24) return Uint8Array.of(0x40 + n)
  if (n < 0x100) return Uint8Array.of(0x58, n)
  if (n < 0x10000) return Uint8Array.of(0x59, n >> 8, n & 0xff)
  return Uint8Array.of(0x5a, n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
}

/** FPCT padding of a chunk: whole 4096-byte blocks, plus the 6 bytes of CBOR overhead above one block. */
const MAX_CBOR_OVERHEAD = 6
/** Sealed data up to this size stays inline in the node (no fragments, nothing large to hash). */
const MAX_INLINE = FPCT_PADDING_BLOCK_SIZE + MAX_CBOR_OVERHEAD
/** XSalsa20-Poly1305's MAC, ahead of the ciphertext. */
const MAC_BYTES = 16

/**
 * The secretbox of one chunk with its input written in place: the default through the provider and
 * one reused buffer; a host may write straight into its secretbox's own memory (the web's chunk
 * helpers: libsodium's wasm heap), which saves a 5 MiB copy each way.
 */
export interface ChunkSecretbox {
  /**
   * Seals the `length` bytes `fill` writes (every one of them) and hands the boxed bytes (MAC ‖
   * ciphertext) to `use`; both views are valid only during the call.
   */
  seal<T>(key: Uint8Array, nonce: Uint8Array, length: number, fill: (input: Uint8Array) => void, use: (boxed: Uint8Array) => T): T
  /** Opens the `length` boxed bytes `fill` writes: a fresh plaintext, or DecryptionFailedError. */
  open(key: Uint8Array, nonce: Uint8Array, length: number, fill: (boxed: Uint8Array) => void): Uint8Array
}

/**
 * The provider's secretbox over one reused buffer: a chunk's input lives only from its filling to
 * the (synchronous) secretbox call, so 5 MiB of fresh, zeroed and later collected memory is not
 * taken for each chunk.
 */
export function scratchSecretbox(c: CryptoProvider): ChunkSecretbox {
  let scratch = new Uint8Array(0)
  const scratchOf = (n: number): Uint8Array => {
    if (scratch.length < n) scratch = new Uint8Array(n)
    return scratch.subarray(0, n)
  }
  return {
    seal(key, nonce, length, fill, use) {
      const input = scratchOf(length)
      fill(input)
      return use(c.secretbox(input, nonce, key))
    },
    open(key, nonce, length, fill) {
      const boxed = scratchOf(length)
      fill(boxed)
      const plain = c.secretboxOpen(boxed, nonce, key)
      return plain.buffer === boxed.buffer ? plain.slice() : plain
    },
  }
}

/**
 * The provider's secretbox with both sides reused: the input filled in one buffer and sealed into
 * another (secretboxInto), so a chunk allocates nothing. Opening as scratchSecretbox (a fresh plaintext).
 */
export function reusedOutputSecretbox(c: CryptoProvider): ChunkSecretbox {
  const scratch = scratchSecretbox(c)
  let input = new Uint8Array(0)
  let output = new Uint8Array(0)
  return {
    seal(key, nonce, length, fill, use) {
      if (input.length < length) {
        input = new Uint8Array(length)
        output = new Uint8Array(length + MAC_BYTES)
      }
      const message = input.subarray(0, length)
      const boxed = output.subarray(0, length + MAC_BYTES)
      fill(message)
      c.secretboxInto(boxed, message, nonce, key)
      return use(boxed)
    },
    open: scratch.open,
  }
}

/**
 * The same sealing and opening with the large hashes (the plaintext, each fragment, each fetched
 * block) done by `sha256`: with WebCrypto they run natively while the thread encrypts.
 */
export function asyncHashChunkCrypto(c: CryptoProvider, sha256: AsyncSha256, box: ChunkSecretbox = scratchSecretbox(c)): ChunkCrypto {
  const inThread = modelChunkCrypto(c)
  return {
    async seal(dataKey, plain, opts = {}) {
      const head = byteStringHead(plain.length)
      const length = head.length + plain.length
      const excluded = length <= FPCT_PADDING_BLOCK_SIZE ? 0 : MAX_CBOR_OVERHEAD
      const paddedLength = Math.ceil((length - excluded) / FPCT_PADDING_BLOCK_SIZE) * FPCT_PADDING_BLOCK_SIZE + excluded
      if (paddedLength <= MAX_INLINE) return inThread.seal(dataKey, plain, opts)
      const plainHash = sha256(plain)
      const nonce = opts.nonce ?? createNonce(c)
      const fill = (padded: Uint8Array): void => {
        padded.set(head)
        padded.set(plain, head.length)
        padded.fill(0, length)
      }
      // the fragments are copied out of the boxed bytes while they are valid (no await in between)
      const { header, datas, bats } = box.seal(dataKey.key, nonce, paddedLength, fill, (cipherText) => cutFragments(c, cipherText, FPCT_PADDING_BLOCK_SIZE, MAX_FRAGMENT_SIZE, opts))
      const cids = (await Promise.all(datas.map(sha256))).map((d) => CID.createV1(CODEC_RAW, Digest.create(HASH_SHA2_256, d)))
      const fragments = datas.map((data, i) => ({ cid: cids[i], data }))
      return { fpct: { nonce, header, fragments: cids, bats }, fragments, plainHash: await plainHash }
    },

    async open(fpct, dataKey, blocks) {
      if (fpct.inline !== undefined) return inThread.open(fpct, dataKey, blocks)
      if (fpct.fragments.length > DEFAULT_MAX_FRAGMENTS) throw new InvalidObjectError(`FragmentedPaddedCipherText has ${fpct.fragments.length} fragments, more than ${DEFAULT_MAX_FRAGMENTS}`)
      if (blocks.length !== fpct.fragments.length) throw new InvalidObjectError(`${blocks.length} blocks for ${fpct.fragments.length} fragments`)
      const parts = await Promise.all(fpct.fragments.map(async (cid, i) => {
        if (cid.code !== CODEC_RAW) throw new InvalidObjectError('Fragment links must be raw CIDs')
        const block = blocks[i]
        if (block.length > MAX_BLOCK_SIZE) throw new InvalidObjectError(`Fragment block of ${block.length} bytes exceeds ${MAX_BLOCK_SIZE}`)
        if (cid.multihash.code !== HASH_SHA2_256) verifyBlock(c, cid, block)
        else if (!equalBytes(await sha256(block), cid.multihash.digest)) throw new BlockHashMismatchError(`Block does not hash to ${cidToString(cid)}`)
        return parseRawBlock(block).data
      }))
      const header = fpct.header ?? new Uint8Array(0)
      const length = parts.reduce((n, p) => n + p.length, header.length)
      if (length < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
      return chunkBytes(box.open(dataKey.key, fpct.nonce, length, (joined) => {
        joined.set(header)
        let at = header.length
        for (const p of parts) {
          joined.set(p, at)
          at += p.length
        }
      }))
    },
  }
}

/** A chunk's padded plaintext → its bytes: one CBOR byte string followed only by zeros (a view, not a copy). */
function chunkBytes(padded: Uint8Array): Uint8Array {
  return asBytes(decodePadded(padded, { viewBytes: true }), 'file chunk')
}

const registered = new WeakMap<CryptoProvider, ChunkCrypto>()

/** Makes uploads and downloads through provider `c` seal and open file chunks with `cc` (undefined: back to the in-thread default). */
export function useChunkCrypto(c: CryptoProvider, cc: ChunkCrypto | undefined): void {
  if (cc === undefined) registered.delete(c)
  else registered.set(c, cc)
}

/** The chunk crypto registered for `c`, if any (uploads fall back to inThreadChunkCrypto, reads to the model's own path). */
export function chunkCryptoOf(c: CryptoProvider): ChunkCrypto | undefined {
  return registered.get(c)
}

/**
 * TreeReader.readChunk of a file's data through `cc`: the node read in-thread (metadata, or a
 * directory's children), the fragments fetched by `cc` where it can, else here, verified and opened by `cc`.
 */
export async function readFileChunkWith(cc: ChunkCrypto, c: CryptoProvider, block: Uint8Array, cap: AbsoluteCapability, fetch: FragmentFetcher): Promise<ReadCryptreeBlock> {
  const read = await readCryptreeBlock(c, block, cap.rBaseKey, fetch, cap.wBaseKey, { fileData: false })
  if (read.view.isDirectory) return read
  const fpct = read.node.data
  if (fpct.inline !== undefined) return { ...read, data: await readFileChunk(c, read.node, read.view.dataKey!, fetch) }
  if (fpct.fragments.length > DEFAULT_MAX_FRAGMENTS) throw new InvalidObjectError(`FragmentedPaddedCipherText has ${fpct.fragments.length} fragments, more than ${DEFAULT_MAX_FRAGMENTS}`)
  const opened = await cc.fetchAndOpen?.(cap.owner, fpct, read.view.dataKey!)
  if (opened !== undefined) return { ...read, data: opened }
  const blocks = await Promise.all(fpct.fragments.map((cid, i) => fetch(cid, fpct.bats[i])))
  return { ...read, data: await cc.open(fpct, read.view.dataKey!, blocks) }
}
