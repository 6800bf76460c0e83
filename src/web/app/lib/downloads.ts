// Downloads streamed to disk: the client worker feeds a MessagePort, the download service worker
// (sw/download-sw.ts) serves it as an attachment at <base>download/<id>/<name>, opened in a hidden
// iframe. Without a controlling service worker (first visit in a browser that refuses it, private
// modes) the stream is collected into a Blob (Chromium keeps large blobs on disk) and saved from it.
import { streamFromPort } from '../../shared/download-port.ts'
import type { RegisterDownload } from '../../sw/download-sw.ts'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { WorkerRpc } from './worker-rpc.ts'

let registration: Promise<boolean> | undefined

/** The download service worker registered (once) and ready; false where service workers are unavailable or blocked. */
function registerOnce(): Promise<boolean> {
  registration ??= (async () => {
    if (!('serviceWorker' in navigator)) return false
    try {
      const registered = navigator.serviceWorker.register(new URL('sw.js', document.baseURI), { scope: './', type: 'module' }).then(() => navigator.serviceWorker.ready)
      // a browser that blocks service workers may never settle: downloads then go through a Blob
      if (!(await Promise.race([registered.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]))) return false
      if (navigator.serviceWorker.controller === null) {
        // clients.claim() in the worker's activate makes it control this page shortly
        await new Promise<void>((resolve) => {
          navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true })
          setTimeout(resolve, 3000)
        })
      }
      return true
    } catch {
      return false
    }
  })()
  return registration
}

/**
 * The service worker controlling this page now, if any. Asked at each use: a new build of sw.js
 * replaces the controller (skipWaiting), and a message to the old one would go nowhere.
 */
export async function downloadWorker(): Promise<ServiceWorker | undefined> {
  return (await registerOnce()) ? navigator.serviceWorker.controller ?? undefined : undefined
}

/** Tells the service worker about a download; false when it does not answer within 5 s. */
async function registerDownload(sw: ServiceWorker, m: Omit<RegisterDownload, 'ack'>): Promise<boolean> {
  const ack = new MessageChannel()
  const answered = new Promise<boolean>((resolve) => {
    ack.port1.onmessage = () => resolve(true)
    setTimeout(() => resolve(false), 5000)
  })
  sw.postMessage({ ...m, ack: ack.port2 } satisfies RegisterDownload, [m.port, ack.port2])
  const ok = await answered
  ack.port1.close()
  return ok
}

/** Saves a Blob as a download named `name` (the fallback when no service worker streams it). */
export function saveBlob(blob: Blob, name: string): void {
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

/** Saves `entry` to disk; resolves once every byte has been handed to the browser. */
export async function download(rpc: WorkerRpc, entry: Entry): Promise<void> {
  const sw = await downloadWorker()
  if (sw !== undefined) {
    const channel = new MessageChannel()
    const id = crypto.randomUUID()
    if (await registerDownload(sw, { kind: 'register-download', id, name: entry.name, size: entry.size, mimeType: entry.mimeType, port: channel.port2 })) {
      const feeding = rpc.call('download', { path: entry.path, port: channel.port1 })
      const frame = document.createElement('iframe')
      frame.hidden = true
      frame.title = 'download'
      frame.src = new URL(`download/${id}/${encodeURIComponent(entry.name)}`, document.baseURI).href
      document.body.append(frame)
      try {
        await feeding
      } finally {
        setTimeout(() => frame.remove(), 1000)
      }
      return
    }
    channel.port1.close()
  }
  const channel = new MessageChannel()
  const feeding = rpc.call('download', { path: entry.path, port: channel.port1 })
  const blob = await new Response(streamFromPort(channel.port2)).blob()
  await feeding
  saveBlob(blob, entry.name)
}
