// Which secretbox the chunk helpers use: our SIMD WebAssembly XSalsa20-Poly1305
// (crypto/wasm-secretbox.ts, about 2.5× libsodium.js's wasm) where the engine runs WebAssembly SIMD
// and may compile it, else libsodium's own wasm in its heap (sodium-heap-secretbox.ts). Both are
// NaCl's crypto_secretbox_easy, so the same bytes. Each seal and open is recorded in the
// performance timeline as `peergos:secretbox:<kind>` (profiles and tests see which box ran).
import type { ChunkSecretbox } from '../../client/chunk-crypto.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { loadWasmSecretbox } from '../../crypto/wasm-secretbox.ts'
import { sodiumHeapSecretbox } from './sodium-heap-secretbox.ts'

export type ChunkSecretboxKind = 'wasm-simd' | 'libsodium-heap'

/** The fastest secretbox this engine runs, and its name. */
export async function chunkSecretbox(c: CryptoProvider): Promise<{ box: ChunkSecretbox; kind: ChunkSecretboxKind }> {
  // a page whose CSP refuses WebAssembly compilation, or a failed instantiation, falls back too
  const simd = await loadWasmSecretbox().catch(() => undefined)
  return simd === undefined ? { box: sodiumHeapSecretbox(c), kind: 'libsodium-heap' } : { box: simd, kind: 'wasm-simd' }
}

/** `box` with each seal and open measured as `peergos:secretbox:<kind>`. */
export function measuredSecretbox(box: ChunkSecretbox, kind: ChunkSecretboxKind): ChunkSecretbox {
  const name = `peergos:secretbox:${kind}`
  return {
    seal(key, nonce, length, fill, use) {
      const start = performance.now()
      try {
        return box.seal(key, nonce, length, fill, use)
      } finally {
        performance.measure(name, { start })
      }
    },
    open(key, nonce, length, fill) {
      const start = performance.now()
      try {
        return box.open(key, nonce, length, fill)
      } finally {
        performance.measure(name, { start })
      }
    },
  }
}
