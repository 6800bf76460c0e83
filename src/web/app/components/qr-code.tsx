// A QR code of a text (a secret link) drawn as SVG elements by Preact: the modules come from the
// pinned qrcode-generator library (no markup strings, no inline script or style, so CSP-safe).
import qrcode from 'qrcode-generator'
import { useMemo } from 'preact/hooks'

/** Quiet zone around the code, in modules (the QR standard's four). */
const MARGIN = 4

/** The SVG path of the dark modules of `text`'s QR code (error correction M), and its size in modules. */
export function qrPath(text: string): { d: string; size: number } {
  const q = qrcode(0, 'M')
  q.addData(text, 'Byte')
  q.make()
  const n = q.getModuleCount()
  let d = ''
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < n; c++) if (q.isDark(r, c)) d += `M${c + MARGIN} ${r + MARGIN}h1v1h-1z`
  }
  return { d, size: n + 2 * MARGIN }
}

export function QrCode({ text, label }: { text: string; label: string }) {
  const { d, size } = useMemo(() => qrPath(text), [text])
  return (
    <svg class="qr-code" role="img" aria-label={label} viewBox={`0 0 ${size} ${size}`} width="220" height="220" shape-rendering="crispEdges">
      <rect width={size} height={size} fill="#fff" />
      <path d={d} fill="#000" />
    </svg>
  )
}
