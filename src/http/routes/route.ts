// The shape of a route table (one per Peergos handler, reference §7.3) and the reply encodings the
// handlers share: DataOutput booleans, CBOR, JSON, and the immutable-cache headers of block replies.
import { encodeCbor, type CborValue } from '../../codec/cbor.ts'
import { cidToString, type CID } from '../../codec/cid.ts'
import { DataOutputWriter } from '../../codec/data-output.ts'
import { bytesReply, textReply, type HttpRequest, type HttpResponse } from '../transport.ts'
import type { Params } from './params.ts'

export interface RouteContext {
  readonly req: HttpRequest
  readonly params: Params
  /** What follows the method name after a '/', for methods that take a path suffix (getUsernamesGzip/<prefix>). */
  readonly suffix?: string
  /** The requesting node's peer id as the transport authenticated it (a libp2p stream); absent over plain HTTP. */
  readonly requester?: CID
}

export interface Route {
  /** The largest body this route reads; larger requests are refused before being buffered. */
  readonly maxBody: number
  /** Whether the method name may be followed by "/<suffix>". */
  readonly takesSuffix?: boolean
  /**
   * The handler keeps no reference to the request body, nor to any view of it, once its promise has
   * settled (and starts no work that outlives it), so a transport may reuse the body's memory then.
   */
  readonly transientBody?: boolean
  handle(ctx: RouteContext): Promise<HttpResponse>
}

/** Method name (the path after the handler's prefix) → route. */
export type RouteTable = ReadonlyMap<string, Route>

export function route(maxBody: number, handle: (ctx: RouteContext) => Promise<HttpResponse>, takesSuffix = false): Route {
  return { maxBody, handle, takesSuffix }
}

/** `r`, declared to keep nothing of its request body once handled (see Route.transientBody). */
export function transientBody(r: Route): Route {
  return { ...r, transientBody: true }
}

/** DataOutputStream.writeBoolean: one byte. */
export function booleanReply(b: boolean): HttpResponse {
  return bytesReply(new DataOutputWriter().writeBoolean(b).toBytes())
}

export function cborReply(v: CborValue, extra?: Record<string, string>): HttpResponse {
  return bytesReply(encodeCbor(v), 'application/cbor', extra)
}

export function jsonReply(json: string, extra?: Record<string, string>): HttpResponse {
  return textReply(json, 'application/json', extra)
}

/** StorageHandler's headers for content-addressed replies (block/get, block/stat, champ/get). */
export function immutable(cid: CID): Record<string, string> {
  return { 'Cache-Control': 'public, max-age=31622400 immutable', ETag: `"${cidToString(cid)}"` }
}
