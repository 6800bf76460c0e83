// The MutablePointers service (reference §3.3, §7.3 "/peergos/v0/mutable/"): one signed pointer
// per writer key, updated by compare-and-swap with a strictly increasing sequence.
import type { SignedPointerUpdate } from '../model/multi-writer-commit.ts'
import type { PublicKeyHash } from '../model/signing-keys.ts'

export interface MutablePointers {
  /** Sets a writer's pointer to a writer-signed PointerUpdate; throws CasFailedError on a stale `original`. */
  setPointer(owner: PublicKeyHash, writer: PublicKeyHash, signedUpdate: Uint8Array): Promise<boolean>
  /** Applies several writers' updates atomically: all or nothing. */
  setPointers(owner: PublicKeyHash, updates: SignedPointerUpdate[]): Promise<boolean>
  /** The current signed PointerUpdate of a writer, or undefined. */
  getPointer(owner: PublicKeyHash, writer: PublicKeyHash): Promise<Uint8Array | undefined>
}
