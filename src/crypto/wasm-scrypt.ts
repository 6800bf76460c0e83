// scrypt (RFC 7914) with its memory-hard ROMix in our own WebAssembly with 128-bit SIMD (source:
// scripts/wasm-scrypt/romix.ts, built by scripts/build-wasm.mjs; Percival's diagonal Salsa20 layout),
// and the two one-iteration PBKDF2-HMAC-SHA256 steps around it in JavaScript (@noble/hashes). Same
// bytes as any scrypt. Each lane's V (128·r·N bytes, 128 MiB for a Peergos login) lives in the
// instance's memory and is wiped after every call (any block of V lets a password guess be checked
// without the memory). The compiled module is kept; an instance (and its memory) either lives on
// (`keepMemory`: no page faults on the next call, and no garbage collection of 128 MiB right after a
// sign-in), optionally only until `releaseAfterMs` pass without a call (a browser worker should not
// hold 128 MiB for ever), or is dropped after each call. Loaded asynchronously; undefined where
// WebAssembly SIMD is unavailable, so the caller keeps its own scrypt.
import { pbkdf2 } from '@noble/hashes/pbkdf2.js'
import { sha256 } from '@noble/hashes/sha2.js'
import { InvalidCryptoInputError } from './errors.ts'
import { SCRYPT_ROMIX_WASM_BASE64 } from './generated/scrypt-romix-wasm.ts'
import { checkScrypt } from './providers/shared.ts'
import { wasmModuleBytes, wasmSimdAvailable } from './wasm-module.ts'

const PAGE = 65536
/** The largest memory wasm32 addresses (V8's limit in Node 20 and Chromium). */
const MAX_MEMORY = 2 ** 32

export interface WasmScrypt {
  /** scrypt with N = 2^log2N, within checkScrypt's limits (InvalidCryptoInputError otherwise). */
  scrypt(password: Uint8Array, salt: Uint8Array, log2N: number, r: number, p: number, dkLen: number): Promise<Uint8Array>
  /** The instance memory kept between calls (wiped: all zeros), or undefined when none is kept. */
  heldMemory(): ArrayBuffer | undefined
}

export interface WasmScryptOptions {
  /** Keep one instance and its grown memory between calls (wiped, but resident); default: a fresh instance per call. */
  keepMemory?: boolean
  /** With keepMemory: drop the kept instance once this long has passed without a call (default: never). */
  releaseAfterMs?: number
}

interface Exports {
  memory: WebAssembly.Memory
  memoryOffset(): number
  laneOffset(r: number, n: number): number
  romix(r: number, n: number): void
}

/** The compiled module, once per process (or worker). */
let compiled: Promise<WebAssembly.Module> | undefined

/** ROMix of each of the p lanes of `b` (128·r bytes each) in place, in the instance's memory. */
function romixLanes(x: Exports, b: Uint8Array, r: number, n: number, p: number): void {
  const base = x.memoryOffset()
  const lane = 128 * r
  const need = base + lane * (n + 3)
  if (need > MAX_MEMORY) throw new InvalidCryptoInputError(`scrypt needs ${need} bytes of WebAssembly memory, above 4 GiB`)
  const have = x.memory.buffer.byteLength
  if (need > have) {
    try {
      x.memory.grow(Math.ceil((need - have) / PAGE))
    } catch (e) {
      throw new InvalidCryptoInputError(`scrypt could not grow its WebAssembly memory to ${need} bytes`, { cause: e })
    }
  }
  const heap = new Uint8Array(x.memory.buffer, base, lane * (n + 3))
  const laneAt = x.laneOffset(r, n) - base
  try {
    for (let i = 0; i < p; i++) {
      const at = i * lane
      heap.set(b.subarray(at, at + lane), laneAt)
      x.romix(r, n)
      b.set(heap.subarray(laneAt, laneAt + lane), at)
    }
  } finally {
    heap.fill(0)
  }
}

/** scrypts whose V (128·r·N bytes) is at most this leave a kept instance kept (a login's is 128 MiB). */
export const WASM_SCRYPT_KEEPS_V_UP_TO = 2 ** 28
/** A kept instance whose memory grew beyond this (V, scratch and the module's own) is dropped after its call. */
const KEEP_AT_MOST = WASM_SCRYPT_KEEPS_V_UP_TO + 4 * 2 ** 20

/** The SIMD scrypt, or undefined where WebAssembly SIMD (or WebAssembly) is unavailable. */
export async function loadWasmScrypt(options: WasmScryptOptions = {}): Promise<WasmScrypt | undefined> {
  if (!wasmSimdAvailable()) return undefined
  compiled ??= WebAssembly.compile(wasmModuleBytes(SCRYPT_ROMIX_WASM_BASE64))
  const module = await compiled
  const instantiate = async () => (await WebAssembly.instantiate(module)).exports as unknown as Exports
  let kept = options.keepMemory === true ? await instantiate() : undefined
  let release: ReturnType<typeof setTimeout> | undefined
  const keep = (x: Exports) => {
    kept = x
    if (options.releaseAfterMs === undefined) return
    clearTimeout(release)
    release = setTimeout(() => { kept = undefined }, options.releaseAfterMs)
    // Node: the timer must not keep a command-line process alive
    ;(release as unknown as { unref?: () => void }).unref?.()
  }
  return {
    async scrypt(password, salt, log2N, r, p, dkLen) {
      const n = checkScrypt(password, salt, log2N, r, p, dkLen)
      const x = kept ?? await instantiate()
      kept = undefined // two calls at once each get their own instance
      const b = pbkdf2(sha256, password, salt, { c: 1, dkLen: 128 * r * p })
      try {
        romixLanes(x, b, r, n, p)
        return pbkdf2(sha256, password, b, { c: 1, dkLen })
      } finally {
        b.fill(0)
        if (options.keepMemory === true && x.memory.buffer.byteLength <= KEEP_AT_MOST) keep(x)
      }
    },
    heldMemory: () => kept?.memory.buffer,
  }
}
