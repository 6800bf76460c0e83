// The download service worker (served as sw.js beside index.html, so its scope is the app's base
// path): the page registers a download (a MessagePort fed by the client worker) and then opens
// <scope>download/<id>/<name>; the worker answers that request with a streamed attachment whose
// body pulls the port chunk by chunk, so a large file goes to disk without being held in memory.
// Every other request goes to the network untouched. Media previews can add routes here later.
import { streamFromPort } from '../shared/download-port.ts'
// the media routes (previews, <video>/<audio> with Range requests) register their own listeners
import './media-routes.ts'

export interface RegisterDownload {
  readonly kind: 'register-download'
  readonly id: string
  readonly name: string
  readonly size: number
  readonly mimeType: string
  readonly port: MessagePort
  /** Told 'registered' once the download URL can be opened. */
  readonly ack: MessagePort
}

interface SwScope {
  skipWaiting(): Promise<void>
  clients: { claim(): Promise<void> }
  registration: { scope: string }
  addEventListener(type: 'install' | 'activate', f: (e: { waitUntil(p: Promise<unknown>): void }) => void): void
  addEventListener(type: 'message', f: (e: MessageEvent<RegisterDownload>) => void): void
  addEventListener(type: 'fetch', f: (e: { request: Request; respondWith(r: Response | Promise<Response>): void }) => void): void
}

const sw = self as unknown as SwScope
/** Chunks (5 MiB each) a download keeps queued ahead of the disk writes. */
const DOWNLOAD_CHUNKS_AHEAD = 3
const pending = new Map<string, RegisterDownload>()

sw.addEventListener('install', (e) => e.waitUntil(sw.skipWaiting()))
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()))

sw.addEventListener('message', (e) => {
  const m = e.data
  if (m?.kind !== 'register-download' || typeof m.id !== 'string') return
  pending.set(m.id, m)
  m.ack.postMessage('registered')
  m.ack.close()
})

/** RFC 6266 filename*: the name percent-encoded, so no header injection and any Unicode survives. */
function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`
}

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url)
  const prefix = new URL('download/', sw.registration.scope).pathname
  if (e.request.method !== 'GET' || url.origin !== self.location.origin || !url.pathname.startsWith(prefix)) return
  const id = url.pathname.slice(prefix.length).split('/')[0]
  const d = pending.get(id)
  if (d === undefined) {
    e.respondWith(new Response('This download has expired; start it again from the drive.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }))
    return
  }
  pending.delete(id)
  // a few chunks queued while the browser writes the previous ones to disk
  e.respondWith(new Response(streamFromPort(d.port, DOWNLOAD_CHUNKS_AHEAD), {
    headers: {
      'Content-Type': 'application/octet-stream',
      'Content-Length': String(d.size),
      'Content-Disposition': contentDisposition(d.name),
      'X-Content-Type-Options': 'nosniff',
    },
  }))
})
