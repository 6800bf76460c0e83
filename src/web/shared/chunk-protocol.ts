// The messages between the client worker and its chunk helpers (worker/chunk-helper.ts): each
// request seals or opens one 5 MiB file chunk (client/chunk-crypto.ts), or fetches a chunk's
// fragments from the server and opens them, or sends one request with a body the client worker
// moved to it (a fragment write), and gets one reply with its id. Keys, bytes and CBOR cross as plain objects and Uint8Arrays (CIDs do not survive structured
// clone, so an FPCT travels as its CBOR); large buffers are transferred, not copied.
import type { SymmetricKey } from '../../model/symmetric-key.ts'

export type ChunkRequest =
  | { readonly kind: 'seal'; readonly id: number; readonly key: SymmetricKey; readonly plain: Uint8Array; readonly mirrorBatId?: Uint8Array }
  | { readonly kind: 'open'; readonly id: number; readonly key: SymmetricKey; readonly fpct: Uint8Array; readonly blocks: readonly Uint8Array[] }
  /** `urls`: the block/get URL of each fragment, in the FPCT's order (built by the client worker's HTTP client rules). */
  | { readonly kind: 'fetch-open'; readonly id: number; readonly key: SymmetricKey; readonly fpct: Uint8Array; readonly urls: readonly string[] }
  /** One POST of `body` to `url` (sent as a Blob), its reply returned whole. */
  | { readonly kind: 'post'; readonly id: number; readonly url: string; readonly headers: readonly (readonly [string, string])[]; readonly body: Uint8Array }

export type ChunkReply =
  | { readonly kind: 'ready' }
  /** `fpct` is the CBOR of the FragmentedPaddedCipherText; `fragments` the data of its fragment blocks, in order. */
  | { readonly kind: 'sealed'; readonly id: number; readonly fpct: Uint8Array; readonly fragments: Uint8Array[]; readonly plainHash: Uint8Array }
  | { readonly kind: 'opened'; readonly id: number; readonly bytes: Uint8Array }
  /** A fetch-open whose fragments could not all be fetched as plain 200 replies: the client worker fetches them its usual way. */
  | { readonly kind: 'unfetched'; readonly id: number; readonly reason: string }
  | { readonly kind: 'posted'; readonly id: number; readonly status: number; readonly statusText: string; readonly headers: readonly (readonly [string, string])[]; readonly body: Uint8Array }
  | { readonly kind: 'failed'; readonly id: number; readonly name: string; readonly message: string }

/** Transfer lists: the buffers of `parts`, each once (views that share a buffer move it once). */
export function buffersOf(parts: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(parts.map((p) => p.buffer as ArrayBuffer))]
}
