// The API dispatcher (reference §7.2, §7.3; Peergos UserService.addHandler): routes a request by
// Peergos' URL prefixes to the service implementations given, enforcing POST-only unless the
// server is public (HttpUtil.allowedQuery), per-route body limits, and Peergos' error replies.
import type { CID } from '../codec/cid.ts'
import type { Account } from '../services/account.ts'
import type { BatCave } from '../services/bat-cave.ts'
import type { ContentAddressedStorage } from '../services/content-addressed-storage.ts'
import type { CoreNode } from '../services/core-node.ts'
import type { MutablePointers } from '../services/mutable-pointers.ts'
import type { SocialNetwork } from '../services/social-network.ts'
import type { SpaceUsage } from '../services/space-usage.ts'
import { BodyTooLargeError } from './errors.ts'
import { BATS_PREFIX, batRoutes } from './routes/bats.ts'
import { CORE_PREFIX, coreRoutes } from './routes/core.ts'
import { LOGIN_PREFIX, loginRoutes } from './routes/login.ts'
import { MUTABLE_PREFIX, mutableRoutes } from './routes/mutable.ts'
import { Params } from './routes/params.ts'
import type { Route, RouteTable } from './routes/route.ts'
import { SOCIAL_PREFIX, socialRoutes } from './routes/social.ts'
import { SPACE_PREFIX, spaceRoutes } from './routes/space.ts'
import { STORAGE_PREFIX, storageRoutes } from './routes/storage.ts'
import { errorReply, statusReply, type HttpRequest, type HttpResponse } from './transport.ts'

/** The services to expose; each one left out is simply not routed (404). */
export interface ApiServices {
  readonly storage?: ContentAddressedStorage
  readonly pointers?: MutablePointers
  readonly coreNode?: CoreNode
  readonly account?: Account
  readonly social?: SocialNetwork
  readonly batCave?: BatCave
  readonly spaceUsage?: SpaceUsage
}

export interface ApiHandlerOptions {
  /** A public server also accepts GET (Peergos isPublicServer); otherwise API calls are POST only. */
  readonly publicServer?: boolean
  /** Called with every error replied, for logging (the reply never carries internal details). */
  readonly onError?: (error: unknown, req: HttpRequest) => void
  /**
   * The peer id of the node that sent `req`, as its transport authenticated it (the p2p layer knows
   * the libp2p stream's remote peer), or undefined. Never derive it from the request's own headers
   * or parameters: a BlockAuth (block/get `auth=`) is bound to it. Without it, as on plain HTTP,
   * `auth=` is ignored, as Peergos' StorageHandler does, and reads need `bat=`.
   */
  readonly requester?: (req: HttpRequest) => CID | undefined
}

export interface ApiHandler {
  (req: HttpRequest): Promise<HttpResponse>
  /** The largest body the route at `path` reads (0 for unknown paths): a transport refuses bigger bodies unread. */
  maxBodySize(method: string, path: string): number
  /** Whether the route at `path` keeps nothing of its body once handled (Route.transientBody), so its memory may be reused. */
  bodyIsTransient?(method: string, path: string): boolean
}

interface Resolved {
  readonly route: Route
  readonly suffix?: string
}

/** A method-name suffix (getUsernamesGzip/<prefix>): one segment, never '.' or '..'; the route percent-decodes it. */
const SUFFIX = /^(?!\.\.?$)[A-Za-z0-9._%-]{0,256}$/

/** Exact method names only: a path with extra segments, '..', '//' or escapes names no route (404). */
function resolve(tables: ReadonlyArray<readonly [string, RouteTable]>, path: string): Resolved | undefined {
  for (const [prefix, table] of tables) {
    if (!path.startsWith(prefix)) continue
    const method = path.slice(prefix.length)
    const exact = table.get(method)
    if (exact !== undefined) return { route: exact }
    const slash = method.indexOf('/')
    if (slash < 0) return undefined
    const withSuffix = table.get(method.slice(0, slash))
    const suffix = method.slice(slash + 1)
    if (withSuffix?.takesSuffix === true && SUFFIX.test(suffix)) return { route: withSuffix, suffix }
    return undefined
  }
  return undefined
}

export function createApiHandler(services: ApiServices, options: ApiHandlerOptions = {}): ApiHandler {
  const tables: Array<readonly [string, RouteTable]> = []
  if (services.storage !== undefined) tables.push([STORAGE_PREFIX, storageRoutes(services.storage)])
  if (services.pointers !== undefined) tables.push([MUTABLE_PREFIX, mutableRoutes(services.pointers)])
  if (services.coreNode !== undefined) tables.push([CORE_PREFIX, coreRoutes(services.coreNode)])
  if (services.account !== undefined) tables.push([LOGIN_PREFIX, loginRoutes(services.account)])
  if (services.social !== undefined) tables.push([SOCIAL_PREFIX, socialRoutes(services.social)])
  if (services.batCave !== undefined) tables.push([BATS_PREFIX, batRoutes(services.batCave)])
  if (services.spaceUsage !== undefined) tables.push([SPACE_PREFIX, spaceRoutes(services.spaceUsage)])
  const publicServer = options.publicServer === true

  const allowed = (method: string): boolean => method === 'POST' || (publicServer && method === 'GET')

  const handler = async (req: HttpRequest): Promise<HttpResponse> => {
    const resolved = resolve(tables, req.path)
    if (resolved === undefined) return statusReply(404)
    if (!allowed(req.method)) return statusReply(405, { Allow: publicServer ? 'GET, POST' : 'POST' })
    try {
      if (req.body.length > resolved.route.maxBody) throw new BodyTooLargeError(`Input exceeds maximum size of ${resolved.route.maxBody} bytes`)
      const requester = options.requester?.(req)
      return await resolved.route.handle({
        req, params: new Params(req.query), ...(resolved.suffix === undefined ? {} : { suffix: resolved.suffix }), ...(requester === undefined ? {} : { requester }),
      })
    } catch (e) {
      options.onError?.(e, req)
      return errorReply(e)
    }
  }
  return Object.assign(handler, {
    maxBodySize(method: string, path: string): number {
      if (!allowed(method)) return 0
      return resolve(tables, path)?.route.maxBody ?? 0
    },
    bodyIsTransient(method: string, path: string): boolean {
      return allowed(method) && resolve(tables, path)?.route.transientBody === true
    },
  })
}
