// The pull protocol of a download stream over a MessagePort: the reader (the download service
// worker, or the page's fallback) sends `pull` for each chunk it wants and `cancel` when it stops;
// the client worker answers each pull with one `chunk` (transferred), `end`, or `error`. Only one
// chunk is ever in flight, so a large file is never held whole in memory.

export type ReaderMessage = { readonly kind: 'pull' } | { readonly kind: 'cancel' }

export type FeederMessage =
  | { readonly kind: 'chunk'; readonly bytes: Uint8Array }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly name: string; readonly message: string }

/**
 * A ReadableStream that pulls its chunks from a feeder on `port`, keeping up to `chunksAhead`
 * received chunks queued ahead of its consumer (pulls stay one at a time).
 */
export function streamFromPort(port: MessagePort, chunksAhead = 1): ReadableStream<Uint8Array> {
  let waiting: ((m: FeederMessage) => void) | undefined
  port.onmessage = (e: MessageEvent<FeederMessage>) => {
    const w = waiting
    waiting = undefined
    w?.(e.data)
  }
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = new Promise<FeederMessage>((resolve) => { waiting = resolve })
      port.postMessage({ kind: 'pull' } satisfies ReaderMessage)
      const m = await next
      if (m.kind === 'chunk') controller.enqueue(m.bytes)
      else if (m.kind === 'end') {
        controller.close()
        port.close()
      } else {
        controller.error(Object.assign(new Error(m.message), { name: m.name }))
        port.close()
      }
    },
    cancel() {
      port.postMessage({ kind: 'cancel' } satisfies ReaderMessage)
      port.close()
    },
  }, { highWaterMark: chunksAhead })
}
