// Our extension transport (not Peergos'): the same HTTP API requests carried as binary WebSocket
// messages on one socket, so that a browser moves a block as one message instead of a request of its
// own (bench/web-profile.md, pass 6). A request is its method, target (path and query, as on the
// HTTP request line) and body bytes; a reply is the status, headers and body bytes the HTTP route
// gives. Each message carries an id chosen by the client; replies may come in any order. The server
// opens with a text hello naming the protocol, so a client knows the socket is ours before using it.
// Layout, big-endian: request = id u32 | method length u8 | method | target length u16 | target | body;
// reply = id u32 | status u16 | headers length u32 | headers (JSON array of [name, value]) | body.
import { BadRequestError } from './errors.ts'

/** Where the server offers the socket (GET with Upgrade: websocket). */
export const SOCKET_PATH = '/peergos-ts/v0/ws'
/** The server's first (text) message. */
export const SOCKET_HELLO = 'peergos-ts-ws 1'
/**
 * The close code of a socket the server ends after it sat idle (no request in flight, none received for
 * its idle timeout). The server answers nothing it receives once it has decided so, so a client may send
 * again, on a new socket, every request still waiting when this close arrives: none was handled.
 */
export const SOCKET_IDLE_CLOSE = 4000
/** Largest method and target a request may carry (the HTTP server's own header limit is 16 KiB). */
export const MAX_SOCKET_TARGET = 16 * 1024 + 1024

/** A socket message that is not a well-formed request or reply. */
export class MalformedSocketMessageError extends BadRequestError {}

export interface SocketRequest {
  readonly id: number
  readonly method: string
  readonly target: string
  readonly body: Uint8Array
}

export interface SocketReply {
  readonly id: number
  readonly status: number
  readonly headers: readonly (readonly [string, string])[]
  readonly body: Uint8Array
}

const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { fatal: true })
const METHOD = /^[A-Z]{1,16}$/

/** A request as one message: the header and the body copied behind it. */
export function encodeSocketRequest(r: SocketRequest): Uint8Array<ArrayBuffer> {
  if (!METHOD.test(r.method)) throw new MalformedSocketMessageError('Bad request method')
  const target = encoder.encode(r.target)
  if (target.length > MAX_SOCKET_TARGET || !r.target.startsWith('/')) throw new MalformedSocketMessageError('Bad request target')
  const head = 4 + 1 + r.method.length + 2 + target.length
  const out = new Uint8Array(head + r.body.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, r.id >>> 0)
  out[4] = r.method.length
  out.set(encoder.encode(r.method), 5)
  v.setUint16(5 + r.method.length, target.length)
  out.set(target, 7 + r.method.length)
  out.set(r.body, head)
  return out
}

/** The id of a message, or undefined when it is too short to hold one. */
export function socketMessageId(m: Uint8Array): number | undefined {
  return m.length < 4 ? undefined : new DataView(m.buffer, m.byteOffset, m.length).getUint32(0)
}

/** A request message; the body is a view into `m`. */
export function decodeSocketRequest(m: Uint8Array): SocketRequest {
  const id = socketMessageId(m)
  if (id === undefined || m.length < 7) throw new MalformedSocketMessageError('Request message too short')
  const methodLength = m[4]
  if (m.length < 7 + methodLength) throw new MalformedSocketMessageError('Request message too short')
  const method = String.fromCharCode(...m.subarray(5, 5 + methodLength))
  if (!METHOD.test(method)) throw new MalformedSocketMessageError('Bad request method')
  const targetLength = new DataView(m.buffer, m.byteOffset, m.length).getUint16(5 + methodLength)
  const at = 7 + methodLength
  if (targetLength > MAX_SOCKET_TARGET || m.length < at + targetLength) throw new MalformedSocketMessageError('Bad request target')
  let target: string
  try {
    target = decoder.decode(m.subarray(at, at + targetLength))
  } catch {
    throw new MalformedSocketMessageError('Bad request target')
  }
  if (!target.startsWith('/')) throw new MalformedSocketMessageError('Bad request target')
  return { id, method, target, body: m.subarray(at + targetLength) }
}

/** A reply's header part (id, status, headers); the body follows it in the same message. */
export function encodeSocketReplyHead(id: number, status: number, headers: readonly (readonly [string, string])[]): Uint8Array<ArrayBuffer> {
  const h = encoder.encode(JSON.stringify(headers))
  const out = new Uint8Array(10 + h.length)
  const v = new DataView(out.buffer)
  v.setUint32(0, id >>> 0)
  v.setUint16(4, status)
  v.setUint32(6, h.length)
  out.set(h, 10)
  return out
}

/** A reply message; the body is a view into `m`. */
export function decodeSocketReply(m: Uint8Array): SocketReply {
  if (m.length < 10) throw new MalformedSocketMessageError('Reply message too short')
  const v = new DataView(m.buffer, m.byteOffset, m.length)
  const length = v.getUint32(6)
  if (m.length < 10 + length) throw new MalformedSocketMessageError('Reply headers cut short')
  let headers: unknown
  try {
    headers = JSON.parse(decoder.decode(m.subarray(10, 10 + length)))
  } catch {
    throw new MalformedSocketMessageError('Reply headers unreadable')
  }
  if (!Array.isArray(headers) || !headers.every((h) => Array.isArray(h) && h.length === 2 && typeof h[0] === 'string' && typeof h[1] === 'string')) {
    throw new MalformedSocketMessageError('Reply headers unreadable')
  }
  return { id: v.getUint32(0), status: v.getUint16(4), headers: headers as [string, string][], body: m.subarray(10 + length) }
}
