// The /peergos/v0/storage/ routes (reference §7.5; Peergos SpaceHandler, HttpSpaceUsage): usage and
// quota, each replying a CBOR long. payment-properties and request (paid plans) are not served.
import { encodeCbor } from '../../codec/cbor.ts'
import type { SpaceUsage } from '../../services/space-usage.ts'
import { bytesReply } from '../transport.ts'
import { route, type Route, type RouteTable } from './route.ts'

export const SPACE_PREFIX = '/peergos/v0/storage/'

function longReply(n: number) {
  if (!Number.isSafeInteger(n)) throw new Error('space figure is not an integer')
  return bytesReply(encodeCbor(n), 'application/cbor')
}

export function spaceRoutes(s: SpaceUsage): RouteTable {
  return new Map<string, Route>([
    ['usage', route(0, async ({ params: p }) => {
      const owner = p.owner()
      const local = p.optBool('local', false)
      return longReply(await s.getUsage(owner, p.hex('auth', 4096), local))
    })],
    ['quota', route(0, async ({ params: p }) => {
      const owner = p.owner()
      return longReply(await s.getQuota(owner, p.hex('auth', 4096)))
    })],
  ])
}
