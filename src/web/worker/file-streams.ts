// Bytes between browser objects and the client library: a File read as the async iterable
// FileSystem.writeFile takes (File.stream(), never whole in memory), and a file of the drive fed
// chunk by chunk into a download MessagePort as its reader pulls (shared/download-port.ts).
import type { FeederMessage, ReaderMessage } from '../shared/download-port.ts'

export async function* fileChunks(file: Blob, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader()
  let finished = false
  try {
    for (;;) {
      signal?.throwIfAborted()
      const { done, value } = await reader.read()
      if (done) {
        finished = true
        return
      }
      yield value
    }
  } finally {
    // stopped early (cancelled, or the upload failed): the browser stops reading the file
    if (!finished) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/** Answers each pull on `port` with the next chunk of `chunks`; resolves once the reader has all or went away. */
export function feedPort(port: MessagePort, chunks: AsyncGenerator<Uint8Array>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    let busy = false
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
        const next = await chunks.next()
        if (next.done === true) {
          send({ kind: 'end' })
          return finish()
        }
        // a copy of our own, so moving its buffer takes nothing from the client library
        const bytes = next.value.slice()
        send({ kind: 'chunk', bytes }, [bytes.buffer])
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
