// Video thumbnails, made on the page once a video is uploaded, as Peergos' web client does (a
// worker cannot decode video): the file plays muted in a detached <video> from a Blob URL, a frame a
// little way in is drawn to cover a 400 × 400 canvas, encoded like image thumbnails (WebP, else
// JPEG, ≤ 100 KiB) and stored in the file's properties by the client worker. Best effort: a video
// the browser cannot decode, or one that takes too long, simply gets none.
import type { ThumbnailData } from '../../shared/media-protocol.ts'
import type { Entry } from '../../shared/rpc-protocol.ts'
import { coverSquare, THUMBNAIL_SIZE } from '../../shared/thumbnail-geometry.ts'
import type { WorkerRpc } from './worker-rpc.ts'

const MAX_BYTES = 100 * 1024
const WAIT_MS = 10_000

function once(target: EventTarget, ok: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (v: boolean): void => {
      clearTimeout(timer)
      target.removeEventListener(ok, onOk)
      target.removeEventListener('error', onErr)
      resolve(v)
    }
    const onOk = (): void => done(true)
    const onErr = (): void => done(false)
    const timer = setTimeout(() => done(false), timeoutMs)
    target.addEventListener(ok, onOk)
    target.addEventListener('error', onErr)
  })
}

function encode(canvas: HTMLCanvasElement, type: string, quality: number): Promise<Blob | null> {
  return new Promise((resolve) => canvas.toBlob(resolve, type, quality))
}

/** A thumbnail of a frame of `video`, or undefined. */
export async function videoThumbnail(video: Blob): Promise<ThumbnailData | undefined> {
  const url = URL.createObjectURL(video)
  const v = document.createElement('video')
  v.muted = true
  v.preload = 'auto'
  v.playsInline = true
  try {
    v.src = url
    if (!(await once(v, 'loadeddata', WAIT_MS)) || v.videoWidth === 0 || v.videoHeight === 0) return undefined
    // a frame a little way in (the first is often black); streams of unknown length keep the first
    const at = Number.isFinite(v.duration) ? Math.min(1, v.duration / 4) : 0
    if (at > 0) {
      v.currentTime = at
      if (!(await once(v, 'seeked', WAIT_MS))) return undefined
    }
    const canvas = document.createElement('canvas')
    canvas.width = THUMBNAIL_SIZE
    canvas.height = THUMBNAIL_SIZE
    const ctx = canvas.getContext('2d')
    if (ctx === null) return undefined
    ctx.imageSmoothingQuality = 'high'
    const { x, y, w, h } = coverSquare(v.videoWidth, v.videoHeight)
    ctx.drawImage(v, x, y, w, h)
    for (const [type, quality] of [['image/webp', 0.85], ['image/webp', 0.6], ['image/jpeg', 0.7]] as const) {
      const blob = await encode(canvas, type, quality)
      if (blob !== null && blob.type === type && blob.size > 0 && blob.size <= MAX_BYTES) return { mimeType: type, data: new Uint8Array(await blob.arrayBuffer()) }
    }
    return undefined
  } finally {
    v.removeAttribute('src')
    v.load()
    URL.revokeObjectURL(url)
  }
}

/** After an upload: a video gets its thumbnail (images get theirs in the client worker). Never throws. */
export async function afterUpload(rpc: WorkerRpc, stored: Entry, file: Blob): Promise<void> {
  if (!stored.mimeType.startsWith('video/') || typeof document === 'undefined') return
  try {
    const thumbnail = await videoThumbnail(file)
    if (thumbnail !== undefined) await rpc.call('setThumbnail', { path: stored.path, thumbnail })
  } catch {
    // best effort, as in Peergos: the file is stored either way
  }
}
