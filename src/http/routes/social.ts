// The /peergos/v0/social/ routes (reference §6.1, §7.3; Peergos SocialHandler, HttpSocialNetwork):
// followRequest and removeFollowRequest (bodies ≤ 4096 bytes, reply DataOutput boolean) and
// getFollowRequests (reply Serialize byte array: int length + bytes).
import { DataOutputWriter } from '../../codec/data-output.ts'
import type { SocialNetwork } from '../../services/social-network.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply } from '../transport.ts'
import { booleanReply, route, type Route, type RouteTable } from './route.ts'

export const SOCIAL_PREFIX = '/peergos/v0/social/'
export const MAX_FOLLOW_REQUEST_BODY = 4096

function nonEmpty(body: Uint8Array): Uint8Array {
  if (body.length === 0) throw new BadRequestError('Empty request body')
  return body
}

export function socialRoutes(s: SocialNetwork): RouteTable {
  return new Map<string, Route>([
    ['followRequest', route(MAX_FOLLOW_REQUEST_BODY, async ({ req, params: p }) =>
      booleanReply(await s.sendFollowRequest(p.owner(), nonEmpty(req.body))))],
    ['getFollowRequests', route(0, async ({ params: p }) => {
      const owner = p.owner()
      const requests = await s.getFollowRequests(owner, p.hex('auth', 4096))
      return bytesReply(new DataOutputWriter().writeByteArray(requests).toBytes())
    })],
    ['removeFollowRequest', route(MAX_FOLLOW_REQUEST_BODY, async ({ req, params: p }) =>
      booleanReply(await s.removeFollowRequest(p.owner(), nonEmpty(req.body))))],
  ])
}
