// The /peergos/v0/mutable/ routes (reference §3.3, §7.3; Peergos MutationHandler, HttpMutablePointers):
// setPointer (body: the writer-signed PointerUpdate, ≤ 1024 bytes), setPointers (body: CBOR
// MultiWriterCommit, ≤ 1 MiB), both replying a DataOutput boolean; getPointer (raw signed bytes or empty).
import { decodeMultiWriterCommit } from '../../model/multi-writer-commit.ts'
import type { MutablePointers } from '../../services/mutable-pointers.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply } from '../transport.ts'
import { booleanReply, route, type Route, type RouteTable } from './route.ts'

export const MUTABLE_PREFIX = '/peergos/v0/mutable/'
export const MAX_SET_POINTER_BODY = 1024
export const MAX_SET_POINTERS_BODY = 1024 * 1024

export function mutableRoutes(m: MutablePointers): RouteTable {
  return new Map<string, Route>([
    ['setPointer', route(MAX_SET_POINTER_BODY, async ({ req, params: p }) => {
      const owner = p.owner()
      const writer = p.publicKeyHash('writer')
      if (req.body.length === 0) throw new BadRequestError('Empty pointer update')
      return booleanReply(await m.setPointer(owner, writer, req.body))
    })],
    ['setPointers', route(MAX_SET_POINTERS_BODY, async ({ req, params: p }) => {
      const owner = p.owner()
      const commit = decodeMultiWriterCommit(req.body)
      return booleanReply(await m.setPointers(owner, [...commit.updates]))
    })],
    ['getPointer', route(0, async ({ params: p }) => {
      const owner = p.owner()
      const signed = await m.getPointer(owner, p.publicKeyHash('writer'))
      return bytesReply(signed ?? new Uint8Array(0))
    })],
  ])
}
