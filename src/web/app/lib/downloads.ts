// Downloads streamed to disk: the client worker feeds a MessagePort, the download service worker
// (sw/download-sw.ts) serves it as an attachment at <base>download/<id>/<name>, opened in a hidden
// iframe. Without a controlling service worker (first visit in a browser that refuses it, private
// modes) the stream is collected into a Blob (Chromium keeps large blobs on disk) and saved from it.
import { streamFromPort } from '../../shared/download-port.ts'
import type { RegisterDownload } from '../../sw/download-sw.ts'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { WorkerRpc } from './worker-rpc.ts'

let registration: Promise<ServiceWorker | undefined> | undefined

/** Registers sw.js (once) and resolves with the worker controlling this page, if any. */
export function downloadWorker(): Promise<ServiceWorker | undefined> {
  registration ??= (async () => {
    if (!('serviceWorker' in navigator)) return undefined
    try {
      const registered = navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './', type: 'module' }).then(() => navigator.serviceWorker.ready)
      // a browser that blocks service workers may never settle: downloads then go through a Blob
      if (!(await Promise.race([registered.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]))) return undefined
      if (navigator.serviceWorker.controller === null) {
        // clients.claim() in the worker's activate makes it control this page shortly
        await new Promise<void>((resolve) => {
          navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
          setTimeout(resolve, 3000)
        })
      }
      return navigator.serviceWorker.controller ?? undefined
    } catch {
      return undefined
    }
  })()
  return registration
}

function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.append(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** Starts saving `entry` to disk; resolves once the browser has taken the download over. */
export async function download(rpc: WorkerRpc, entry: Entry): Promise<void> {
  const channel = new MessageChannel()
  const feeding = rpc.call('download', { path: entry.path, port: channel.port1 })
  const sw = await downloadWorker()
  if (sw === undefined) {
    const blob = await new Response(streamFromPort(channel.port2)).blob()
    await feeding
    saveBlob(blob, entry.name)
    return
  }
  const id = crypto.randomUUID()
  const ack = new MessageChannel()
  const registered = new Promise<void>((resolve) => { ack.port1.onmessage = () => resolve() })
  const message: RegisterDownload = { kind: 'register-download', id, name: entry.name, size: entry.size, mimeType: entry.mimeType, port: channel.port2, ack: ack.port2 }
  sw.postMessage(message, [channel.port2, ack.port2])
  await registered
  ack.port1.close()
  const frame = document.createElement('iframe')
  frame.hidden = true
  frame.title = 'download'
  frame.src = new URL(`download/${id}/${encodeURIComponent(entry.name)}`, document.baseURI).href
  document.body.append(frame)
  feeding.finally(() => setTimeout(() => frame.remove(), 1000)).catch(() => {})
}
