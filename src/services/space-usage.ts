// The SpaceUsage service (reference §7.5): bytes used and quota per owner, as the server counts them.
import type { PublicKeyHash } from '../model/signing-keys.ts'

export interface SpaceUsage {
  getUsage(owner: PublicKeyHash, signedTime: Uint8Array, local: boolean): Promise<number>
  getQuota(owner: PublicKeyHash, signedTime: Uint8Array): Promise<number>
}
