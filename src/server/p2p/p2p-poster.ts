// A Poster (http/poster.ts) whose requests go to one peer over Peergos' `/http` protocol, as a Peergos
// server's proxying clients reach another server through Nabu (reference §7.1): the same contract as
// the HTTP posters (Peergos' error convention decoded into named errors, gzip replies decoded,
// timeouts, a cap on reply size), so every HTTP service client works between servers unchanged.
import { gunzipSync } from 'node:zlib'
import type { Libp2p, PeerId } from '@libp2p/interface'
import { ERROR_CLASS_HEADER, errorFromWire, HttpTransportError } from '../../http/errors.ts'
import type { PostOptions, Poster } from '../../http/poster.ts'
import { p2pHttpRequest, readP2pBody } from './http-protocol.ts'

export interface P2pPosterOptions {
  /** Default timeout when a call gives none (Peergos' proxy timeout: 60 s); -1 for none. */
  readonly timeoutMs?: number
  /** Replies larger than this fail (default 64 MiB). */
  readonly maxResponseBytes?: number
}

/** What "no timeout" (-1) becomes: long enough for any call, short enough to end a dead exchange. */
const NO_TIMEOUT_MS = 10 * 60_000

function header(v: string | string[] | undefined): string | null {
  return typeof v === 'string' ? v : null
}

export class P2pPoster implements Poster {
  constructor(private readonly libp2p: Libp2p, readonly peer: PeerId, private readonly options: P2pPosterOptions = {}) {}

  async post(path: string, body: Uint8Array = new Uint8Array(0), options: PostOptions = {}): Promise<Uint8Array> {
    if (!path.startsWith('/')) throw new TypeError('Poster paths are absolute')
    const requested = options.timeoutMs ?? this.options.timeoutMs ?? 60_000
    const timeoutMs = requested < 0 ? NO_TIMEOUT_MS : requested
    const max = this.options.maxResponseBytes ?? 64 * 1024 * 1024
    const res = await p2pHttpRequest(this.libp2p, this.peer, 'POST', path, [['Accept-Encoding', 'gzip']], body, { timeoutMs, idleTimeoutMs: timeoutMs })
    if (res.status !== 200) {
      res.body.resume()
      throw errorFromWire(res.status, header(res.headers.trailer), header(res.headers[ERROR_CLASS_HEADER.toLowerCase()]))
    }
    const bytes = await readP2pBody(res, max)
    if (res.headers['content-encoding'] !== 'gzip') return bytes
    try {
      const out = gunzipSync(bytes, { maxOutputLength: max })
      return new Uint8Array(out.buffer, out.byteOffset, out.length)
    } catch (e) {
      throw new HttpTransportError(`Reply could not be decompressed: ${path.split('?')[0]}`, { cause: e })
    }
  }
}
