// The geometry of Peergos thumbnails (JavaImageThumbnailer), shared by the client worker's image
// thumbnails and the page's video thumbnails: a 400 × 400 square the picture covers, centred.

export const THUMBNAIL_SIZE = 400

/** The offset and drawn size that make a `width` × `height` picture cover the square (integer maths as Peergos). */
export function coverSquare(width: number, height: number, size = THUMBNAIL_SIZE): { x: number; y: number; w: number; h: number } {
  const tall = height > width
  const w = tall ? size : Math.trunc((width * size) / height)
  const h = tall ? Math.trunc((height * size) / width) : size
  return { x: tall ? 0 : 0 - Math.trunc((w - size) / 2), y: tall ? 0 - Math.trunc((h - size) / 2) : 0, w, h }
}
