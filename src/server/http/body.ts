// Reads a request body from a node:http stream with a hard size limit (security checklist 36): a
// declared Content-Length over the limit is refused unread, and a streamed body is abandoned as
// soon as it passes the limit, so nothing beyond `limit` bytes is ever buffered.
import type { IncomingMessage } from 'node:http'

export type BodyResult = { readonly ok: true; readonly body: Uint8Array } | { readonly ok: false; readonly reason: 'too-large' }

/** Whether the declared Content-Length already exceeds the limit. */
export function declaredTooLarge(req: IncomingMessage, limit: number): boolean {
  const declared = req.headers['content-length']
  return declared !== undefined && Number(declared) > limit
}

export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  if (declaredTooLarge(req, limit)) return Promise.resolve({ ok: false, reason: 'too-large' })
  return new Promise((resolve, reject) => {
    const chunks: Uint8Array[] = []
    let total = 0
    let settled = false
    const done = (r: BodyResult | Error): void => {
      if (settled) return
      settled = true
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
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
      chunks.push(chunk)
    }
    const onEnd = (): void => {
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
