// Reads a request body from a node:http stream with a hard size limit (security checklist 36): a
// declared Content-Length over the limit is refused unread, and a streamed body is abandoned as
// soon as it passes the limit, so nothing beyond `limit` bytes is ever buffered. With a BufferPool
// (routes whose body is transient) the body lands in a pooled buffer, copied in as each chunk arrives
// when the length is declared, so neither the body nor the chunks cost a fresh allocation that outlives them.
// `alignAt` (with an aligned pool) looks at the first chunk and names the byte of the body to place
// page-aligned: the block of a block write, which the block store then writes with O_DIRECT in place.
import type { IncomingMessage } from 'node:http'
import type { BufferPool } from '../buffer-pool.ts'

export type BodyResult = { readonly ok: true; readonly body: Uint8Array } | { readonly ok: false; readonly reason: 'too-large' }

/**
 * target.set(source, at), fast also when `target` is shared memory (the daemon's body pool). V8 copies
 * into a SharedArrayBuffer with relaxed atomic stores (word by word where source and target addresses
 * agree modulo 8, byte by byte otherwise: 2.2 s per GB), so such a copy goes through Node's
 * Buffer#fill instead, which with a buffer as its value is one memcpy (0.03-0.04 s per GB measured,
 * against 0.12-0.14 for a bounce through an ordinary buffer at the matching offset, pass 5 of
 * bench/server-profile.md). Nothing reads a body while it is being filled.
 */
export function copyInto(target: Uint8Array, source: Uint8Array, at: number): void {
  if (!(target.buffer instanceof SharedArrayBuffer) || source.length === 0) {
    target.set(source, at)
    return
  }
  if (at < 0 || at + source.length > target.length) throw new RangeError('offset is out of bounds')
  Buffer.prototype.fill.call(target, source, at, at + source.length)
}

/** Whether the declared Content-Length already exceeds the limit. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length']
  return declared !== undefined && Number(declared) > limit
}

/** Given the first bytes of a body, the offset in it of the byte to place page-aligned (0 when none). */
export type BodyAlignment = (firstChunk: Uint8Array) => number

/**
 * The whole body, at most `limit` bytes. With `pool`, a body that is returned lies in a buffer leased
 * from it (the caller releases it when done); on failure nothing stays leased.
 */
export function readBody(req: IncomingMessage, limit: number, pool?: BufferPool, alignAt?: BodyAlignment): Promise<BodyResult> {
  if (declaredTooLarge(req, limit)) return Promise.resolve({ ok: false, reason: 'too-large' })
  const declared = req.headers['content-length'] === undefined ? NaN : Number(req.headers['content-length'])
  // node:http delivers exactly the declared length (or fails the request), so it can be allocated up
  // front; with `alignAt`, once the first chunk shows where the body's aligned byte is.
  const pooledDeclared = pool !== undefined && Number.isSafeInteger(declared) && declared > 0
  let direct = pooledDeclared && alignAt === undefined ? pool.acquire(declared) : undefined
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = 0
    /** Bytes copied into `direct` so far. */
    let filled = 0
    let settled = false
    const done = (r: BodyResult | Error): void => {
      if (settled) return
      settled = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
      if (direct !== undefined && (r instanceof Error || !r.ok)) pool!.release(direct)
      if (r instanceof Error) reject(r)
      else resolve(r)
    }
    const onData = (chunk: Uint8Array): void => {
      total += chunk.length
      if (total > limit) {
        chunks.length = 0
        req.pause()
        done({ ok: false, reason: 'too-large' })
        return
      }
      if (pooledDeclared && direct === undefined && filled === 0 && chunks.length === 0) direct = pool!.acquire(declared, alignAt!(chunk))
      if (direct !== undefined && chunks.length === 0 && total <= direct.length) {
        copyInto(direct, chunk, filled)
        filled = total
      } else chunks.push(chunk)
    }
    const onEnd = (): void => {
      if (direct !== undefined) {
        if (filled === direct.length && chunks.length === 0) return done({ ok: true, body: direct })
        // Not what was declared (cannot happen through node:http): assemble what came, unpooled.
        pool!.release(direct)
        chunks.unshift(direct.slice(0, filled))
        direct = undefined
      }
      if (pool !== undefined && total > 0) {
        direct = pool.acquire(total)
        let pos = 0
        for (const c of chunks) {
          copyInto(direct, c, pos)
          pos += c.length
        }
        return done({ ok: true, body: direct })
      }
      if (chunks.length === 1) return done({ ok: true, body: chunks[0] })
      // Every byte is overwritten below, so skip zero-filling (bodies are up to ~2 MiB of blocks).
      const buf = Buffer.allocUnsafeSlow(total)
      const body = new Uint8Array(buf.buffer, buf.byteOffset, total)
      let pos = 0
      for (const c of chunks) {
        body.set(c, pos)
        pos += c.length
      }
      done({ ok: true, body })
    }
    const onError = (e: Error): void => done(e)
    const onClose = (): void => done(new Error('Request closed before its body was complete'))
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}
