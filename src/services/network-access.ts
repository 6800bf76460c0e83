// NetworkAccess: the bundle of services a client talks to (Peergos NetworkAccess).
import type { CryptoProvider } from '../crypto/provider.ts'
import type { Account } from './account.ts'
import type { BatCave } from './bat-cave.ts'
import type { ContentAddressedStorage } from './content-addressed-storage.ts'
import type { CoreNode } from './core-node.ts'
import type { MutablePointers } from './mutable-pointers.ts'
import type { SocialNetwork } from './social-network.ts'
import type { SpaceUsage } from './space-usage.ts'

export interface NetworkAccess {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly coreNode: CoreNode
  readonly account: Account
  readonly social: SocialNetwork
  readonly batCave: BatCave
  readonly spaceUsage: SpaceUsage
}
