// gzip with the platform's CompressionStream / DecompressionStream (Node ≥ 18 and browsers), for
// Peergos' gzip-encoded replies (getUsernamesGzip, reference §7.3) and postUnzip.
import { HttpTransportError } from './errors.ts'

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, maxOutput: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter()
  void writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {})
  void writer.close().catch(() => {})
  const reader = stream.readable.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > maxOutput) {
      await reader.cancel()
      throw new HttpTransportError(`Decompressed reply exceeds ${maxOutput} bytes`)
    }
    chunks.push(value)
  }
  const out = new Uint8Array(total)
  let pos = 0
  for (const c of chunks) {
    out.set(c, pos)
    pos += c.length
  }
  return out
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return pipe(bytes, new CompressionStream('gzip'), Number.MAX_SAFE_INTEGER)
}

/** Gunzips at most `maxOutput` bytes (a gzip bomb fails instead of filling memory). */
export async function gunzip(bytes: Uint8Array, maxOutput: number): Promise<Uint8Array> {
  try {
    return await pipe(bytes, new DecompressionStream('gzip'), maxOutput)
  } catch (e) {
    if (e instanceof HttpTransportError) throw e
    throw new HttpTransportError('Invalid gzip data', { cause: e })
  }
}
