// The page's side of previews: which viewer a file opens in, thumbnails fetched from the client
// worker once per file version and shown through object URLs, and media sessions: a file served by
// the service worker (sw/media-routes.ts) at <base>media/<id>/<name> with Range support, fed by the
// client worker's serveMedia, so <video>, <audio> and <img> stream it. Without a service worker the
// file is read whole into a Blob instead.
import { streamFromPort } from '../../shared/download-port.ts'
import type { MediaKeepAlive, RegisterMedia, UnregisterMedia } from '../../shared/media-protocol.ts'
import type { Entry } from '../../shared/rpc-protocol.ts'
import { downloadWorker } from './downloads.ts'
import type { WorkerRpc } from './worker-rpc.ts'

export type PreviewKind = 'image' | 'video' | 'audio' | 'text'

const TEXT_TYPES = new Set(['application/json', 'application/xml', 'application/javascript', 'application/x-sh', 'application/toml', 'application/yaml'])

export function previewKind(e: Entry): PreviewKind | undefined {
  if (e.isDirectory) return undefined
  const m = e.mimeType.toLowerCase()
  if (m.startsWith('image/') && m !== 'image/svg+xml') return 'image'
  if (m.startsWith('video/')) return 'video'
  if (m.startsWith('audio/')) return 'audio'
  if (m.startsWith('text/') || TEXT_TYPES.has(m) || isMarkdown(e)) return 'text'
  return undefined
}

export function isMarkdown(e: Pick<Entry, 'name' | 'mimeType'>): boolean {
  return e.mimeType === 'text/markdown' || /\.(md|markdown)$/i.test(e.name)
}

/** Whether a file may carry a thumbnail (Peergos makes them for images and videos, and from MP3 covers). */
export function mayHaveThumbnail(e: Entry): boolean {
  return !e.isDirectory && /^(image|video|audio)\//.test(e.mimeType) && e.mimeType !== 'image/svg+xml'
}

const THUMBNAIL_CACHE = 400
const thumbnails = new Map<string, Promise<string | undefined>>()

/**
 * An object URL of the file's stored thumbnail (undefined when it has none), fetched once per
 * version. "None" is not remembered: an upload stores the thumbnail just after the file appears.
 */
export function thumbnailUrl(rpc: WorkerRpc, e: Entry): Promise<string | undefined> {
  const key = `${e.path}\u0000${e.modified}\u0000${e.size}`
  const cached = thumbnails.get(key)
  if (cached !== undefined) return cached
  const p = rpc.call('thumbnail', { path: e.path }).then(
    (t) => (t === null ? undefined : URL.createObjectURL(new Blob([t.data as Uint8Array<ArrayBuffer>], { type: t.mimeType }))),
    () => undefined,
  )
  thumbnails.set(key, p)
  void p.then((u) => { if (u === undefined && thumbnails.get(key) === p) thumbnails.delete(key) })
  if (thumbnails.size > THUMBNAIL_CACHE) {
    const [oldest, url] = thumbnails.entries().next().value!
    thumbnails.delete(oldest)
    void url.then((u) => u !== undefined && URL.revokeObjectURL(u))
  }
  return p
}

/** A file opened for a viewer: its URL, until close(). */
export interface MediaSession {
  readonly url: string
  /** Whether it streams through the service worker (with Range support) rather than a Blob. */
  readonly streamed: boolean
  close(): void
}

/** How often an open viewer reminds the browser that the service worker (holding the session) is in use. */
const KEEPALIVE_MS = 20_000

export async function openMedia(rpc: WorkerRpc, e: Entry): Promise<MediaSession> {
  const sw = await downloadWorker()
  if (sw === undefined) {
    const channel = new MessageChannel()
    const feeding = rpc.call('download', { path: e.path, port: channel.port1 })
    const blob = await new Response(streamFromPort(channel.port2)).blob()
    await feeding
    const url = URL.createObjectURL(new Blob([blob], { type: e.mimeType }))
    return { url, streamed: false, close: () => URL.revokeObjectURL(url) }
  }
  const abort = new AbortController()
  const channel = new MessageChannel()
  rpc.call('serveMedia', { path: e.path, port: channel.port1 }, { signal: abort.signal }).catch(() => {})
  const id = crypto.randomUUID()
  const ack = new MessageChannel()
  const registered = new Promise<void>((resolve) => { ack.port1.onmessage = () => resolve() })
  const message: RegisterMedia = { kind: 'register-media', id, size: e.size, mimeType: e.mimeType, port: channel.port2, ack: ack.port2 }
  sw.postMessage(message, [channel.port2, ack.port2])
  await registered
  ack.port1.close()
  const keepAlive = setInterval(() => sw.postMessage({ kind: 'media-keepalive' } satisfies MediaKeepAlive), KEEPALIVE_MS)
  return {
    url: new URL(`media/${id}/${encodeURIComponent(e.name)}`, document.baseURI).href,
    streamed: true,
    close() {
      clearInterval(keepAlive)
      sw.postMessage({ kind: 'unregister-media', id } satisfies UnregisterMedia)
      abort.abort()
    },
  }
}
