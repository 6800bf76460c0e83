// SHA-256 of large buffers in the browser: WebCrypto's digest (native, async, off the calling
// thread) where the page is a secure context (https, or http on localhost); elsewhere
// crypto.subtle is absent and the crypto provider's own (wasm) sha256 does it.
import type { AsyncSha256 } from '../../client/chunk-crypto.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'

export function webSha256(c: CryptoProvider): AsyncSha256 {
  const subtle = globalThis.crypto?.subtle
  if (subtle === undefined) return async (bytes) => c.sha256(bytes)
  return async (bytes) => new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
}
