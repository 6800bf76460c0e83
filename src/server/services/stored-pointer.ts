// Reading the signed pointers this server stored (reference §3.3): they were verified when written, so
// the PointerUpdate after the 64-byte signature is decoded without re-checking the signature.
import type { CID } from '../../codec/cid.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import { decodePointerUpdate, type PointerUpdate } from '../../model/pointer-update.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { PointerStore } from '../db/pointer-store.ts'

const SIGNATURE_BYTES = 64

export interface CurrentPointer {
  readonly signed: Uint8Array
  readonly update: PointerUpdate
}

/** The PointerUpdate inside a stored signed pointer (signature ‖ CBOR). */
export function storedPointerUpdate(signed: Uint8Array): PointerUpdate {
  if (signed.length <= SIGNATURE_BYTES) throw new InvalidObjectError(`Stored pointer of ${signed.length} bytes is too short`)
  return decodePointerUpdate(signed.subarray(SIGNATURE_BYTES))
}

/** The writer's stored pointer; `forUpdate`: possibly as this process last wrote it (PointerStore.getForUpdate). */
export async function readCurrentPointer(store: PointerStore, writer: PublicKeyHash, forUpdate = false): Promise<CurrentPointer | undefined> {
  const signed = forUpdate ? await store.getForUpdate(writer) : await store.get(writer)
  return signed === undefined ? undefined : { signed, update: storedPointerUpdate(signed) }
}

/** The writer's current WriterData CID, or undefined (no pointer, or a deleted one). */
export async function currentTarget(store: PointerStore, writer: PublicKeyHash): Promise<CID | undefined> {
  return (await readCurrentPointer(store, writer))?.update.updated ?? undefined
}
