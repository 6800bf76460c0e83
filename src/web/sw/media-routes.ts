// The service worker's media routes (imported by download-sw.ts): the page registers a media session
// (a MessagePort to the client worker's serveMedia) and points an <img>, <video> or <audio> element
// at <scope>media/<id>/<name>. Each request is answered from the session with HTTP Range support:
// "Range: bytes=a-b" gets 206 Partial Content with just those bytes, read by the client worker from
// that offset (FileSystem.readFile's seek: one lookup for the chunk holding it), so a media element
// seeks without the file being fetched whole. Bodies are pulled chunk by chunk (download-port.ts).
import { streamFromPort } from '../shared/download-port.ts'
import { contentRange, resolveRange } from '../shared/byte-range.ts'
import type { MediaSwMessage, RangeRequest, RegisterMedia } from '../shared/media-protocol.ts'

interface MediaSwScope {
  registration: { scope: string }
  location: Location
  addEventListener(type: 'message', f: (e: MessageEvent<MediaSwMessage>) => void): void
  addEventListener(type: 'fetch', f: (e: { request: Request; respondWith(r: Response | Promise<Response>): void }) => void): void
}

const sw = self as unknown as MediaSwScope
const sessions = new Map<string, RegisterMedia>()

sw.addEventListener('message', (e) => {
  const m = e.data
  if (m?.kind === 'register-media' && typeof m.id === 'string') {
    sessions.set(m.id, m)
    m.ack.postMessage('registered')
    m.ack.close()
  } else if (m?.kind === 'unregister-media') {
    sessions.get(m.id)?.port.close()
    sessions.delete(m.id)
  }
})

/** A safe Content-Type for a stored file: only media and image types pass, as the page shows nothing else here. */
function mediaType(mimeType: string): string {
  return /^(image|video|audio)\/[a-z0-9.+-]+$/i.test(mimeType) && !/svg/i.test(mimeType) ? mimeType : 'application/octet-stream'
}

function answer(s: RegisterMedia, request: Request): Response {
  const size = s.size
  const range = resolveRange(request.headers.get('Range'), size)
  const common = {
    'Accept-Ranges': 'bytes',
    'Content-Type': mediaType(s.mimeType),
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-store',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  }
  if (range.kind === 'unsatisfiable') return new Response(null, { status: 416, headers: { ...common, 'Content-Range': `bytes */${size}` } })
  const offset = range.kind === 'partial' ? range.offset : 0
  const length = range.kind === 'partial' ? range.length : size
  let body: ReadableStream<Uint8Array> | null = null
  if (length > 0) {
    const channel = new MessageChannel()
    s.port.postMessage({ kind: 'range', offset, length, port: channel.port1 } satisfies RangeRequest, [channel.port1])
    body = streamFromPort(channel.port2)
  }
  if (range.kind === 'whole') return new Response(body, { status: 200, headers: { ...common, 'Content-Length': String(size) } })
  return new Response(body, { status: 206, headers: { ...common, 'Content-Length': String(length), 'Content-Range': contentRange(offset, length, size) } })
}

sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url)
  const prefix = new URL('media/', sw.registration.scope).pathname
  if (e.request.method !== 'GET' || url.origin !== sw.location.origin || !url.pathname.startsWith(prefix)) return
  const s = sessions.get(url.pathname.slice(prefix.length).split('/')[0])
  if (s === undefined) {
    e.respondWith(new Response('This preview has expired; open it again from the drive.', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } }))
    return
  }
  e.respondWith(answer(s, e.request))
})
