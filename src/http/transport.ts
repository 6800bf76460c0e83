// A minimal HTTP request/response model independent of node:http (reference §7.2), the query parsing
// Peergos handlers see (URI.getQuery() percent-decodes, then HttpUtil.parseQuery splits on '&' and
// the first '='), and replies in Peergos' conventions, errors as 400 + URL-encoded `Trailer`.
import { BadRequestError, ERROR_CLASS_HEADER, errorToWire } from './errors.ts'
import { javaUrlEncode, uriDecode } from './url-encoding.ts'

/** Query parameters: every value of each name, in order. A Map, so no name can reach Object.prototype. */
export type QueryParams = ReadonlyMap<string, readonly string[]>

export interface HttpRequest {
  readonly method: string
  /** The raw path (not decoded, not normalised), e.g. "/api/v0/block/get". */
  readonly path: string
  readonly query: QueryParams
  /** Lower-case header names. */
  readonly headers: ReadonlyMap<string, string>
  readonly body: Uint8Array
}

export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
}

export type HttpHandler = (req: HttpRequest) => Promise<HttpResponse>

/** A request target (query string) that cannot be parsed. */
export class InvalidQueryError extends BadRequestError {}

/** Longest request target accepted (Node's default header limit is 16 KiB anyway). */
export const MAX_QUERY_LENGTH = 16 * 1024

/**
 * Parses a raw query (without '?') as a Peergos handler sees it: the whole string percent-decoded
 * first (not '+'), then split on '&' and each part on its first '='. Strict where Peergos would
 * throw: a part without '=' (including an empty part) or a malformed escape is refused.
 */
export function parseQuery(raw: string): QueryParams {
  const out = new Map<string, string[]>()
  if (raw === '') return out
  if (raw.length > MAX_QUERY_LENGTH) throw new InvalidQueryError('Query string too long')
  const decoded = uriDecode(raw)
  if (decoded === undefined) throw new InvalidQueryError('Malformed query string')
  for (const part of decoded.split('&')) {
    const sep = part.indexOf('=')
    if (sep < 0) throw new InvalidQueryError('Malformed query string')
    const key = part.slice(0, sep)
    const values = out.get(key)
    if (values === undefined) out.set(key, [part.slice(sep + 1)])
    else values.push(part.slice(sep + 1))
  }
  return out
}

/** Splits a request target ("/path?query") into its raw path and parsed query. */
export function parseTarget(target: string): { path: string; query: QueryParams } {
  const q = target.indexOf('?')
  const path = q < 0 ? target : target.slice(0, q)
  return { path, query: parseQuery(q < 0 ? '' : target.slice(q + 1)) }
}

const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff' }
const EMPTY = new Uint8Array(0)

export function bytesReply(body: Uint8Array, contentType = 'application/octet-stream', extra: Record<string, string> = {}): HttpResponse {
  return { status: 200, headers: { 'Content-Type': contentType, ...SECURITY_HEADERS, ...extra }, body }
}

export function textReply(text: string, contentType = 'text/plain; charset=utf-8', extra: Record<string, string> = {}): HttpResponse {
  return bytesReply(new TextEncoder().encode(text), contentType, extra)
}

/** A bare status without a message (404 unknown path, 405 method not allowed). */
export function statusReply(status: number, extra: Record<string, string> = {}): HttpResponse {
  return { status, headers: { 'Content-Type': 'text/plain', ...SECURITY_HEADERS, ...extra }, body: EMPTY }
}

/** HttpUtil.replyError: the message URL-encoded into `Trailer` (so it cannot split headers), empty text/plain body. */
export function errorReply(error: unknown): HttpResponse {
  const wire = errorToWire(error)
  const headers: Record<string, string> = { 'Content-Type': 'text/plain', ...SECURITY_HEADERS, Trailer: javaUrlEncode(wire.message) }
  if (wire.errorClass !== undefined) headers[ERROR_CLASS_HEADER] = wire.errorClass
  return { status: wire.status, headers, body: EMPTY }
}
