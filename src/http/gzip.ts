// gzip with the platform's CompressionStream / DecompressionStream (Node ≥ 18 and browsers), for
// Peergos' gzip-encoded replies (getUsernamesGzip, reference §7.3) and postUnzip; readLimited, the
// size-capped stream reader they and FetchPoster share.
import { concatAll } from '../model/bytes.ts'
import { HttpTransportError } from './errors.ts'

/**
 * Reads a byte stream to its end, at most `max` bytes: past that it cancels the stream and throws
 * HttpTransportError(`${what} exceeds ${max} bytes`). Also FetchPoster's reply reader.
 */
export async function readLimited(stream: ReadableStream<Uint8Array>, max: number, what: string): Promise<Uint8Array> {
  const reader = stream.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.length
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw new HttpTransportError(`${what} exceeds ${max} bytes`)
    }
    chunks.push(value)
  }
  return chunks.length === 1 ? chunks[0] : concatAll(chunks)
}

async function pipe(bytes: Uint8Array, stream: CompressionStream | DecompressionStream, maxOutput: number): Promise<Uint8Array> {
  const writer = stream.writable.getWriter()
  void writer.write(bytes as Uint8Array<ArrayBuffer>).catch(() => {})
  void writer.close().catch(() => {})
  return readLimited(stream.readable, maxOutput, 'Decompressed reply')
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
