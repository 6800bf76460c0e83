// All the HTTP service clients of one server (or one peer through the p2p proxy), over one Poster:
// what a NetworkAccess needs besides its crypto provider.
import type { Account } from '../../services/account.ts'
import type { BatCave } from '../../services/bat-cave.ts'
import type { ContentAddressedStorage } from '../../services/content-addressed-storage.ts'
import type { CoreNode } from '../../services/core-node.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import type { SocialNetwork } from '../../services/social-network.ts'
import type { SpaceUsage } from '../../services/space-usage.ts'
import type { Poster } from '../poster.ts'
import { HttpAccount } from './account.ts'
import { HttpBatCave } from './bats.ts'
import type { HttpClientOptions } from './common.ts'
import { HttpCoreNode } from './core.ts'
import { HttpMutablePointers } from './mutable.ts'
import { HttpSocialNetwork } from './social.ts'
import { HttpSpaceUsage } from './space.ts'
import { HttpContentAddressedStorage } from './storage.ts'

export interface HttpNetworkServices {
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly coreNode: CoreNode
  readonly account: Account
  readonly social: SocialNetwork
  readonly batCave: BatCave
  readonly spaceUsage: SpaceUsage
}

export function httpNetworkServices(poster: Poster, options: HttpClientOptions = {}): HttpNetworkServices {
  return {
    storage: new HttpContentAddressedStorage(poster, options),
    pointers: new HttpMutablePointers(poster, options),
    coreNode: new HttpCoreNode(poster, options),
    account: new HttpAccount(poster, options),
    social: new HttpSocialNetwork(poster, options),
    batCave: new HttpBatCave(poster, options),
    spaceUsage: new HttpSpaceUsage(poster, options),
  }
}
