// Bytes between browser objects and the client library: a File read as the async iterable
// FileSystem.writeFile takes (read in 5 MiB pieces a little ahead, never whole in memory), and a file of the drive fed
// chunk by chunk into a download MessagePort as its reader pulls (shared/download-port.ts).
import type { FeederMessage, ReaderMessage } from '../shared/download-port.ts'
import { markMovable, takeMovable } from './movable-buffers.ts'

/** Bytes read from a file at once: a client chunk (5 MiB), so each costs one read from the browser. */
const READ_PIECE = 5 * 1024 * 1024
/** Pieces read ahead of the one being consumed, so the next chunk's bytes are in hand when it is needed. */
const READS_AHEAD = 2

/**
 * A file's bytes in READ_PIECE pieces, read with Blob.slice().arrayBuffer() up to READS_AHEAD pieces
 * ahead: File.stream() hands over ~64-512 KiB per read, and each read is a round trip to the
 * browser process that waits its turn on a loaded machine.
 */
export async function* fileChunks(file: Blob, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reads: Promise<ArrayBuffer>[] = []
  let next = 0
  const schedule = (): void => {
    while (next < file.size && reads.length <= READS_AHEAD) {
      const read = file.slice(next, Math.min(file.size, next + READ_PIECE)).arrayBuffer()
      read.catch(() => undefined) // awaited in order below, or dropped when the upload stops
      reads.push(read)
      next += READ_PIECE
    }
  }
  schedule()
  while (reads.length > 0) {
    signal?.throwIfAborted()
    const buffer = await reads.shift()!
    markMovable(buffer) // a chunk helper may take it once it is sealed (movable-buffers.ts)
    const bytes = new Uint8Array(buffer)
    schedule()
    yield bytes
  }
}

/** Answers each pull on `port` with the next chunk of `chunks`; resolves once the reader has all or went away. */
export function feedPort(port: MessagePort, chunks: AsyncGenerator<Uint8Array>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let busy = false
    let ahead: Promise<IteratorResult<Uint8Array>> | undefined
    const finish = (): void => {
      signal.removeEventListener('abort', onAbort)
      port.onmessage = null
      port.close()
      void chunks.return(undefined).catch(() => {})
      resolve()
    }
    const send = (m: FeederMessage, transfer: Transferable[] = []): void => port.postMessage(m, transfer)
    const onAbort = (): void => {
      send({ kind: 'error', name: 'AbortError', message: 'Download cancelled' })
      finish()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    port.onmessage = async (e: MessageEvent<ReaderMessage>) => {
      if (e.data.kind === 'cancel') return finish()
      if (busy) return
      busy = true
      try {
        const next = await (ahead ?? chunks.next())
        ahead = undefined
        if (next.done === true) {
          send({ kind: 'end' })
          return finish()
        }
        // a chunk a helper opened is ours to move; anything else is copied, so moving it takes nothing from the client library
        const bytes = takeMovable(next.value, true) ? next.value : next.value.slice()
        send({ kind: 'chunk', bytes }, [bytes.buffer as ArrayBuffer])
        // the next chunk is read while this one travels, so the reader's next pull finds it ready
        ahead = chunks.next()
        ahead.catch(() => undefined) // awaited at the next pull
      } catch (err) {
        const er = err instanceof Error ? err : new Error(String(err))
        send({ kind: 'error', name: er.name, message: er.message })
        finish()
      } finally {
        busy = false
      }
    }
    port.start()
  })
}
