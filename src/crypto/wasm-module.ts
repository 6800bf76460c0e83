// What our WebAssembly modules (wasm-secretbox.ts, wasm-scrypt.ts) share: the check that the engine
// runs 128-bit SIMD, and a module's bytes from the base64 string scripts/build-wasm.mjs generates.

/** A module of one function returning an i32x4.splat: valid only where WebAssembly SIMD is. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 17, 11])

/** Whether this engine runs WebAssembly with 128-bit SIMD. */
export function wasmSimdAvailable(): boolean {
  try {
    return typeof WebAssembly === 'object' && WebAssembly.validate(SIMD_PROBE)
  } catch {
    return false
  }
}

/** A generated module's bytes from its base64 text. */
export function wasmModuleBytes(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64)
  const bytes = new Uint8Array(text.length)
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i)
  return bytes
}
