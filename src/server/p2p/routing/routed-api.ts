// The services a daemon serves through its HTTP API, routed to each owner's home server (reference
// §7.1; Peergos Main wiring of the Proxying* services, with `localAPI` and `p2pAPI`): one bundle for
// clients (forwarding to home servers over p2p) and one for requests that arrived over p2p (served
// here, never forwarded), chosen per request by whether its transport names a remote peer.
import type { CID } from '../../../codec/cid.ts'
import type { CryptoProvider } from '../../../crypto/provider.ts'
import { createApiHandler, type ApiHandler, type ApiHandlerOptions, type ApiServices } from '../../../http/router.ts'
import type { HttpRequest } from '../../../http/transport.ts'
import type { Account } from '../../../services/account.ts'
import type { BatCave } from '../../../services/bat-cave.ts'
import type { ContentAddressedStorage } from '../../../services/content-addressed-storage.ts'
import type { CoreNode } from '../../../services/core-node.ts'
import type { MutablePointers } from '../../../services/mutable-pointers.ts'
import type { SocialNetwork } from '../../../services/social-network.ts'
import type { SpaceUsage } from '../../../services/space-usage.ts'
import type { BlockReadAuthoriser } from '../../services/block-read-auth.ts'
import { BlockCache } from './block-cache.ts'
import { HomeRouter, type HomeRouterOptions, type RouteMode } from './home-router.ts'
import { RoutingAccount, RoutingBatCave, RoutingMutablePointers, RoutingSocialNetwork, RoutingSpaceUsage } from './routing-services.ts'
import { RoutingStorage } from './routing-storage.ts'

export interface LocalServices {
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
  readonly coreNode: CoreNode
  readonly account: Account
  readonly social: SocialNetwork
  readonly batCave: BatCave
  readonly spaceUsage: SpaceUsage
}

export interface RoutedApiOptions extends HomeRouterOptions {
  readonly crypto: CryptoProvider
  readonly auth: BlockReadAuthoriser
  readonly ourId: () => CID
  readonly cache?: BlockCache
}

/** The local services wrapped to route by home server, in one of the two modes. */
export function routedServices(local: LocalServices, router: HomeRouter, mode: RouteMode, o: RoutedApiOptions & { cache: BlockCache }): ApiServices & LocalServices {
  return {
    storage: new RoutingStorage(local.storage, { crypto: o.crypto, router, mode, auth: o.auth, ourId: o.ourId, cache: o.cache }),
    pointers: new RoutingMutablePointers(local.pointers, router, mode),
    coreNode: local.coreNode,
    account: new RoutingAccount(local.account, router, mode),
    social: new RoutingSocialNetwork(local.social, router, mode),
    batCave: new RoutingBatCave(local.batCave, router, mode),
    spaceUsage: new RoutingSpaceUsage(local.spaceUsage, router, mode),
  }
}

export interface RoutedApi {
  readonly router: HomeRouter
  /** What clients get (forwarding to home servers). */
  readonly forwarding: ApiServices & LocalServices
  /** Blocks fetched from home servers. */
  readonly cache: BlockCache
  readonly handler: ApiHandler
}

/**
 * The daemon's API handler: requests whose transport names a remote peer (they came over p2p) get the
 * inbound services, every other request the forwarding ones. `requester` is the transport's peer.
 */
export function createRoutedApi(local: LocalServices, o: RoutedApiOptions, handlerOptions: ApiHandlerOptions & { requester: (req: HttpRequest) => CID | undefined }): RoutedApi {
  const router = new HomeRouter(o)
  const cache = o.cache ?? new BlockCache()
  const forwarding = routedServices(local, router, 'forward', { ...o, cache })
  const inbound = routedServices(local, router, 'inbound', { ...o, cache })
  const forward = createApiHandler(forwarding, handlerOptions)
  const fromPeer = createApiHandler(inbound, handlerOptions)
  const handler = Object.assign(
    (req: HttpRequest) => (handlerOptions.requester(req) === undefined ? forward(req) : fromPeer(req)),
    { maxBodySize: (method: string, path: string) => forward.maxBodySize(method, path) },
  )
  return { router, forwarding, cache, handler }
}
