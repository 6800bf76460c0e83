// XSalsa20-Poly1305 (NaCl crypto_secretbox_easy: 16-byte MAC ‖ ciphertext) in our own WebAssembly
// with 128-bit SIMD: 4-way Salsa20 interleaved with a two-blocks-a-step Poly1305 (source:
// scripts/wasm-secretbox/xsalsa20poly1305.ts, built by scripts/build-wasm.mjs). About 3×
// libsodium.js's wasm in V8. Same bytes as any NaCl secretbox. The caller writes its input straight
// into the module's memory (`fill`) and reads the result there, so no 5 MiB copy goes in or out.
// Loaded asynchronously (browsers refuse to compile modules over 4 KiB synchronously on a page);
// undefined where WebAssembly SIMD is unavailable, so the caller falls back to libsodium.
import { DecryptionFailedError, InvalidCryptoInputError } from './errors.ts'
import { XSALSA20POLY1305_WASM_BASE64 } from './generated/xsalsa20poly1305-wasm.ts'
import { MAC_BYTES, NONCE_BYTES, SECRETBOX_KEY_BYTES as KEY_BYTES } from './sizes.ts'
import { wasmModuleBytes, wasmSimdAvailable } from './wasm-module.ts'

const PAGE = 65536

/** The secretbox over the module's memory; views handed to `fill` and `use` are valid only during the call. */
export interface WasmSecretbox {
  /** Seals the `length` bytes `fill` writes (every one of them), hands MAC ‖ ciphertext to `use`. */
  seal<T>(key: Uint8Array, nonce: Uint8Array, length: number, fill: (input: Uint8Array) => void, use: (boxed: Uint8Array) => T): T
  /** Opens the `length` boxed bytes `fill` writes: a fresh plaintext, or DecryptionFailedError. */
  open(key: Uint8Array, nonce: Uint8Array, length: number, fill: (boxed: Uint8Array) => void): Uint8Array
}

interface Exports {
  memory: WebAssembly.Memory
  keyOffset(): number
  nonceOffset(): number
  dataOffset(): number
  seal(n: number): void
  open(n: number): number
}

function check(key: Uint8Array, nonce: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new InvalidCryptoInputError(`secretbox key must be ${KEY_BYTES} bytes`)
  if (nonce.length !== NONCE_BYTES) throw new InvalidCryptoInputError(`secretbox nonce must be ${NONCE_BYTES} bytes`)
}

/** The SIMD secretbox, or undefined where WebAssembly SIMD (or WebAssembly) is unavailable. */
export async function loadWasmSecretbox(): Promise<WasmSecretbox | undefined> {
  if (!wasmSimdAvailable()) return undefined
  const { instance } = await WebAssembly.instantiate(wasmModuleBytes(XSALSA20POLY1305_WASM_BASE64))
  const x = instance.exports as unknown as Exports
  const keyAt = x.keyOffset()
  const nonceAt = x.nonceOffset()
  const base = x.dataOffset()
  /** The memory, grown to hold 32 bytes of NaCl padding and `length` more after the data offset. */
  const heap = (length: number): Uint8Array => {
    if (!Number.isSafeInteger(length) || length < 0) throw new InvalidCryptoInputError(`secretbox length ${length}`)
    const need = base + 32 + length + MAC_BYTES
    const have = x.memory.buffer.byteLength
    if (need > have) {
      try {
        x.memory.grow(Math.ceil((need - have) / PAGE))
      } catch {
        throw new InvalidCryptoInputError(`the secretbox could not grow its memory to ${need} bytes`)
      }
    }
    return new Uint8Array(x.memory.buffer)
  }
  const keyed = (key: Uint8Array, nonce: Uint8Array, length: number): Uint8Array => {
    check(key, nonce)
    const h = heap(length)
    h.set(key, keyAt) // wiped by the module after each call
    h.set(nonce, nonceAt)
    return h
  }
  return {
    seal(key, nonce, length, fill, use) {
      const h = keyed(key, nonce, length)
      fill(h.subarray(base + 32, base + 32 + length))
      x.seal(length)
      const result = use(h.subarray(base + 16, base + 32 + length))
      if (x.memory.buffer !== h.buffer) throw new InvalidCryptoInputError("the secretbox's memory grew while a sealed box was read")
      return result
    },
    open(key, nonce, length, fill) {
      check(key, nonce)
      if (length < MAC_BYTES) throw new DecryptionFailedError('secretbox ciphertext shorter than its MAC')
      const h = keyed(key, nonce, length)
      fill(h.subarray(base + 16, base + 16 + length))
      if (x.open(length) !== 0) throw new DecryptionFailedError('secretbox failed to open')
      return h.slice(base + 32, base + 16 + length)
    },
  }
}

/** One-shot helpers over a loaded box (tests, microbenchmarks): crypto_secretbox_easy and its open. */
export function secretboxEasy(box: WasmSecretbox, message: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return box.seal(key, nonce, message.length, (input) => input.set(message), (boxed) => boxed.slice())
}

export function secretboxOpenEasy(box: WasmSecretbox, boxed: Uint8Array, nonce: Uint8Array, key: Uint8Array): Uint8Array {
  return box.open(key, nonce, boxed.length, (into) => into.set(boxed))
}
