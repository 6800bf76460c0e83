// The server's SpaceUsage service (reference §7.2, §7.5; Peergos SpaceCheckingKeyFilter.getUsage,
// UserQuotas.getQuota): the owner's usage and quota, each authorised by the owner's signed time (300 s).
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { SigningKeyResolver } from '../../model/user-public-key-link.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { SpaceUsage } from '../../services/space-usage.ts'
import { requireKey } from '../services/key-resolver.ts'
import { verifySignedTime, type Clock } from '../services/signed-time.ts'
import type { SpaceAccounting } from './space-accounting.ts'

/** TimeLimited.isAllowedTime window of the usage and quota calls. */
export const SPACE_AUTH_WINDOW_SECONDS = 300

export interface LocalSpaceUsageOptions {
  readonly crypto: CryptoProvider
  readonly accounting: SpaceAccounting
  /** The owner's public signing key (identity hashes carry it inline). */
  readonly resolveKey: SigningKeyResolver
  readonly now?: Clock
}

export class LocalSpaceUsage implements SpaceUsage {
  private readonly now: Clock

  constructor(private readonly o: LocalSpaceUsageOptions) {
    this.now = o.now ?? Date.now
  }

  private async authorise(owner: PublicKeyHash, signedTime: Uint8Array): Promise<void> {
    verifySignedTime(this.o.crypto, signedTime, await requireKey(this.o.resolveKey, owner), SPACE_AUTH_WINDOW_SECONDS, this.now())
  }

  /** Confirmed bytes, or with `local` also the bytes written and not yet committed (UserUsage.expectedUsage). */
  async getUsage(owner: PublicKeyHash, signedTime: Uint8Array, local: boolean): Promise<number> {
    await this.authorise(owner, signedTime)
    const usage = await this.o.accounting.usage(owner)
    return local ? usage.expected : usage.total
  }

  /** The explicit quota (`peergos-ts quota set`), else the server's default quota. */
  async getQuota(owner: PublicKeyHash, signedTime: Uint8Array): Promise<number> {
    await this.authorise(owner, signedTime)
    return this.o.accounting.quota(await this.o.accounting.usernameFor(owner), true) // read afresh, as UserQuotas.getQuota does
  }
}
