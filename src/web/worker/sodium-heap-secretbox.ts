// The chunk helpers' secretbox (client/chunk-crypto.ts ChunkSecretbox) straight in libsodium's wasm
// memory: a chunk's padded plaintext (or joined ciphertext) is written into one region kept for the
// helper's life and sealed (opened) into another, where libsodium-wrappers' own calls would copy it
// in and copy it out into a fresh 5 MiB buffer each time. The same XSalsa20-Poly1305 calls, so the
// same bytes. Where libsodium's module does not expose what this needs, the provider's secretbox
// over a reused buffer is used instead.
import sodium from 'libsodium-wrappers'
import { scratchSecretbox, type ChunkSecretbox } from '../../client/chunk-crypto.ts'
import { DecryptionFailedError, InvalidCryptoInputError } from '../../crypto/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { MAC_BYTES, NONCE_BYTES, SECRETBOX_KEY_BYTES as KEY_BYTES } from '../../crypto/sizes.ts'

/** The parts of libsodium's emscripten module used here (present in libsodium-wrappers 0.7 and 0.8). */
interface SodiumModule {
  HEAPU8: Uint8Array
  _malloc(n: number): number
  _free(p: number): void
  /** (c, m, mlen low, mlen high, n, k) → 0 on success */
  _crypto_secretbox_easy(c: number, m: number, mlenLow: number, mlenHigh: number, n: number, k: number): number
  _crypto_secretbox_open_easy(m: number, c: number, clenLow: number, clenHigh: number, n: number, k: number): number
}

function sodiumModule(): SodiumModule | undefined {
  const m = (sodium as unknown as { libsodium?: Partial<SodiumModule> }).libsodium
  if (m === undefined || !(m.HEAPU8 instanceof Uint8Array)) return undefined
  for (const f of ['_malloc', '_free', '_crypto_secretbox_easy', '_crypto_secretbox_open_easy'] as const) if (typeof m[f] !== 'function') return undefined
  return m as SodiumModule
}

/** Whether libsodium's module exposes its memory and secretbox calls (else sodiumHeapSecretbox falls back). */
export function sodiumHeapAvailable(): boolean {
  return sodiumModule() !== undefined
}

/** The secretbox in libsodium's memory (after `sodium.ready`, which createPortableCrypto awaits). */
export function sodiumHeapSecretbox(c: CryptoProvider): ChunkSecretbox {
  const m = sodiumModule()
  if (m === undefined) return scratchSecretbox(c)
  // one region: key ‖ nonce ‖ input ‖ output (input + 16 for the MAC)
  let base = 0
  let capacity = 0
  const region = (length: number): { key: number; nonce: number; input: number; output: number } => {
    if (length > capacity) {
      if (base !== 0) m._free(base)
      capacity = length
      base = m._malloc(KEY_BYTES + NONCE_BYTES + 2 * capacity + MAC_BYTES)
      if (base === 0) throw new InvalidCryptoInputError(`libsodium could not allocate ${2 * capacity} bytes`)
    }
    const input = base + KEY_BYTES + NONCE_BYTES
    return { key: base, nonce: base + KEY_BYTES, input, output: input + capacity }
  }
  const check = (key: Uint8Array, nonce: Uint8Array): void => {
    if (key.length !== KEY_BYTES) throw new InvalidCryptoInputError(`secretbox key must be ${KEY_BYTES} bytes`)
    if (nonce.length !== NONCE_BYTES) throw new InvalidCryptoInputError(`secretbox nonce must be ${NONCE_BYTES} bytes`)
  }
  /** Key, nonce and input written into the heap, `call` run on them, the key wiped; the heap view and the output region. */
  const run = (key: Uint8Array, nonce: Uint8Array, length: number, fill: (input: Uint8Array) => void, call: (r: ReturnType<typeof region>) => number): { rc: number; heap: Uint8Array; output: number } => {
    check(key, nonce)
    const r = region(length)
    const heap = m.HEAPU8 // read after any allocation: a grown memory has a new view
    heap.set(key, r.key)
    heap.set(nonce, r.nonce)
    fill(heap.subarray(r.input, r.input + length))
    const rc = call(r)
    heap.fill(0, r.key, r.key + KEY_BYTES)
    return { rc, heap, output: r.output }
  }
  return {
    seal(key, nonce, length, fill, use) {
      const { rc, heap, output } = run(key, nonce, length, fill, (r) => m._crypto_secretbox_easy(r.output, r.input, length, 0, r.nonce, r.key))
      if (rc !== 0) throw new InvalidCryptoInputError('crypto_secretbox_easy failed')
      const result = use(heap.subarray(output, output + length + MAC_BYTES))
      // a libsodium call inside `use` that grew the memory would have left it reading a detached view
      if (m.HEAPU8.buffer !== heap.buffer) throw new InvalidCryptoInputError("libsodium's memory grew while a sealed chunk was read")
      return result
    },
    open(key, nonce, length, fill) {
      check(key, nonce) // before the length, as for seal
      if (length < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
      const { rc, heap, output } = run(key, nonce, length, fill, (r) => m._crypto_secretbox_open_easy(r.output, r.input, length, 0, r.nonce, r.key))
      if (rc !== 0) throw new DecryptionFailedError('secretbox failed to open')
      return heap.slice(output, output + length - MAC_BYTES)
    },
  }
}
