// The messages between the client worker and its chunk helpers (worker/chunk-helper.ts): each
// request seals or opens one 5 MiB file chunk (client/chunk-crypto.ts) and gets one reply with its
// id. Keys, bytes and CBOR cross as plain objects and Uint8Arrays (CIDs do not survive structured
// clone, so an FPCT travels as its CBOR); large buffers are transferred, not copied.
import type { SymmetricKey } from '../../model/symmetric-key.ts'

export type ChunkRequest =
  | { readonly kind: 'seal'; readonly id: number; readonly key: SymmetricKey; readonly plain: Uint8Array; readonly mirrorBatId?: Uint8Array }
  | { readonly kind: 'open'; readonly id: number; readonly key: SymmetricKey; readonly fpct: Uint8Array; readonly blocks: readonly Uint8Array[] }

export type ChunkReply =
  | { readonly kind: 'ready' }
  /** `fpct` is the CBOR of the FragmentedPaddedCipherText; `fragments` the data of its fragment blocks, in order. */
  | { readonly kind: 'sealed'; readonly id: number; readonly fpct: Uint8Array; readonly fragments: Uint8Array[]; readonly plainHash: Uint8Array }
  | { readonly kind: 'opened'; readonly id: number; readonly bytes: Uint8Array }
  | { readonly kind: 'failed'; readonly id: number; readonly name: string; readonly message: string }

/** Transfer lists: the buffers of `parts`, each once (views that share a buffer move it once). */
export function buffersOf(parts: readonly Uint8Array[]): ArrayBuffer[] {
  return [...new Set(parts.map((p) => p.buffer as ArrayBuffer))]
}
