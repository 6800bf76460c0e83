// Image thumbnails made in the client worker on upload, as Peergos makes them: the picture scaled to
// cover a 400 × 400 square, centred and cropped (JavaImageThumbnailer), encoded as WebP, else JPEG,
// else PNG, and kept only under FileProperties' 100 KiB limit. createImageBitmap and OffscreenCanvas
// decode and draw off the page's thread; an image the browser cannot decode simply gets none.
import { THUMBNAIL_MAX_BYTES, type Thumbnail } from '../../model/file-properties.ts'
import { coverSquare, THUMBNAIL_SIZE } from '../shared/thumbnail-geometry.ts'

/** Peergos makes no thumbnail for a file this small (MimeTypes.HEADER_BYTES_TO_IDENTIFY_MIME_TYPE). */
const MIN_IMAGE_BYTES = 40

/** Whether Peergos would make a thumbnail for this mime type (images other than SVG). */
export function hasImageThumbnail(mimeType: string): boolean {
  return mimeType.startsWith('image/') && mimeType !== 'image/svg+xml'
}

async function encode(canvas: OffscreenCanvas, type: string, quality?: number): Promise<Thumbnail | undefined> {
  const blob = await canvas.convertToBlob({ type, quality }).catch(() => undefined)
  // a browser that cannot encode `type` answers with PNG
  if (blob === undefined || blob.type !== type || blob.size === 0 || blob.size > THUMBNAIL_MAX_BYTES) return undefined
  return { mimeType: type, data: new Uint8Array(await blob.arrayBuffer()) }
}

/** The thumbnail of an image file, or undefined (not an image, undecodable, or no canvas here). */
export async function imageThumbnail(image: Blob, mimeType: string): Promise<Thumbnail | undefined> {
  if (!hasImageThumbnail(mimeType) || image.size <= MIN_IMAGE_BYTES) return undefined
  if (typeof createImageBitmap !== 'function' || typeof OffscreenCanvas !== 'function') return undefined
  const bitmap = await createImageBitmap(image).catch(() => undefined)
  if (bitmap === undefined) return undefined
  try {
    if (bitmap.width === 0 || bitmap.height === 0) return undefined
    const canvas = new OffscreenCanvas(THUMBNAIL_SIZE, THUMBNAIL_SIZE)
    const ctx = canvas.getContext('2d')
    if (ctx === null) return undefined
    ctx.imageSmoothingEnabled = true
    ctx.imageSmoothingQuality = 'high'
    const { x, y, w, h } = coverSquare(bitmap.width, bitmap.height)
    ctx.drawImage(bitmap, x, y, w, h)
    for (const [type, quality] of [['image/webp', 0.85], ['image/webp', 0.6], ['image/jpeg', 0.8], ['image/jpeg', 0.5]] as const) {
      const t = await encode(canvas, type, quality)
      if (t !== undefined) return t
    }
    return await encode(canvas, 'image/png')
  } finally {
    bitmap.close()
  }
}
