// Shared pieces of the HTTP service clients (reference §7.3): the optional p2p path prefix, query
// building as Peergos' Java clients write it, and the reply decoders they all use.
import { decodeCbor } from '../../codec/cbor.ts'
import { asLong } from '../../codec/cbor-read.ts'
import { DataInputReader } from '../../codec/data-output.ts'
import { HttpTransportError } from '../errors.ts'
import type { PostOptions, Poster } from '../poster.ts'

export interface HttpClientOptions {
  /** "/" (default) talks to the poster's server; p2pPrefix(peerId) goes through its p2p proxy to `peerId`. */
  readonly prefix?: string
}

/** Query values exactly as Peergos' clients send them: all are hex, base58, numbers, booleans, usernames or comma lists. */
export function query(params: ReadonlyArray<readonly [string, string | number | boolean | undefined]>): string {
  const parts: string[] = []
  for (const [k, v] of params) if (v !== undefined) parts.push(`${k}=${encodeURIComponent(String(v)).replace(/%2C/g, ',')}`)
  return parts.length === 0 ? '' : `?${parts.join('&')}`
}

export class HttpClientBase {
  protected readonly prefix: string

  constructor(protected readonly poster: Poster, options: HttpClientOptions = {}) {
    const prefix = options.prefix ?? '/'
    if (!prefix.startsWith('/') || !prefix.endsWith('/')) throw new TypeError('A client prefix starts and ends with "/"')
    this.prefix = prefix
  }

  /** Peergos poster.get(): an empty POST whose reply may be gzipped. */
  protected read(path: string, options: PostOptions = {}): Promise<Uint8Array> {
    return this.poster.post(this.prefix + path, new Uint8Array(0), { gzip: true, get: true, ...options })
  }

  protected send(path: string, body: Uint8Array, options: PostOptions = {}): Promise<Uint8Array> {
    return this.poster.post(this.prefix + path, body, options)
  }
}

/** A DataOutput boolean reply (one byte). */
export function readBoolean(reply: Uint8Array): boolean {
  const din = new DataInputReader(reply)
  const b = din.readBoolean()
  din.expectEnd()
  return b
}

/** A CBOR long reply as a JavaScript number (exact). */
export function readLong(reply: Uint8Array, what: string): number {
  const n = asLong(decodeCbor(reply, { maxDepth: 1 }), what)
  if (n > BigInt(Number.MAX_SAFE_INTEGER) || n < BigInt(Number.MIN_SAFE_INTEGER)) throw new HttpTransportError(`${what} out of range`)
  return Number(n)
}

const utf8 = new TextDecoder('utf-8', { fatal: true })

export function readText(reply: Uint8Array, what: string): string {
  try {
    return utf8.decode(reply)
  } catch {
    throw new HttpTransportError(`${what}: reply is not UTF-8`)
  }
}

export function readJson(reply: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(readText(reply, what))
  } catch (e) {
    if (e instanceof HttpTransportError) throw e
    throw new HttpTransportError(`${what}: reply is not JSON`)
  }
}
