// Deleting an account (Peergos UserContext.deleteAccount): once the password (and second factor) are
// checked by signing in again, the home directory writer's pointer and then the identity's pointer are
// set to empty, each a compare-and-swap from the current target with the next sequence, signed by that
// writer. Nothing of the account's tree is reachable afterwards (friends reading what it shared find
// nothing), and signing in says the user has been deleted. Peergos also asks the server for a 1 MB quota
// in between (SpaceUsage.requestQuota), a service this implementation does not offer yet.
import { nextSequence, pointerUpdate, signPointerUpdate } from '../model/pointer-update.ts'
import type { PublicKeyHash, SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import type { VerifiedPointers } from './pointer-cache.ts'

export interface AccountKeys {
  readonly owner: PublicKeyHash
  /** The writer of the home directory. */
  readonly root: SigningPrivateKeyAndPublicHash
  readonly identity: SigningPrivateKeyAndPublicHash
}

/** Empties the root writer's pointer, then the identity's. */
export async function clearAccountPointers(pointers: VerifiedPointers, keys: AccountKeys): Promise<void> {
  await clearPointer(pointers, keys.owner, keys.root)
  await clearPointer(pointers, keys.owner, keys.identity)
}

async function clearPointer(pointers: VerifiedPointers, owner: PublicKeyHash, writer: SigningPrivateKeyAndPublicHash): Promise<void> {
  const current = await pointers.get(owner, writer.publicKeyHash)
  if (current === undefined || current.updated === null) return
  const sequence = nextSequence(current.sequence)
  const signed = signPointerUpdate(pointers.crypto, writer.secretKey, pointerUpdate(current.updated, null, sequence))
  await pointers.pointers.setPointer(owner, writer.publicKeyHash, signed)
  pointers.observe(writer.publicKeyHash, sequence)
}
