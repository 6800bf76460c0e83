// Serves the web UI's static bundle (dist/web, or --web-root) from the daemon: GET and HEAD only,
// never under the API's or the p2p gateway's prefixes, no path traversal (decoded segments are
// checked and the resolved path must stay inside the root), content types by extension, and the
// security headers every reply carries: a strict Content-Security-Policy (no inline scripts, wasm
// allowed), nosniff, no referrer, no framing. Anything it does not serve falls through to the API.
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { extname, resolve, sep } from 'node:path'
import { redirectSecretLink } from './secret-link-page.ts'

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' blob: data:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ')

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
}

/** Paths of the HTTP API and the p2p gateway: never static files, whatever the web root holds. */
const RESERVED = /^\/(api|peergos|p2p)(\/|$)/

export function contentTypeOf(path: string): string {
  return CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream'
}

/** The file under `root` that the request path names, or undefined when it names none safely. */
export function staticFilePath(root: string, urlPath: string): string | undefined {
  if (RESERVED.test(urlPath)) return undefined
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined
  const segments = decoded.split('/').slice(1)
  if (segments.some((s) => s === '..' || s === '.' || (s.startsWith('.') && s !== ''))) return undefined
  if (decoded.endsWith('/')) segments[segments.length - 1] = 'index.html'
  const base = resolve(root)
  const file = resolve(base, ...segments)
  return file.startsWith(base + sep) ? file : undefined
}

/** Long caching for content-hashed assets; index.html and sw.js are always revalidated. */
function cacheControl(urlPath: string): string {
  return /\/assets\/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/.test(urlPath) ? 'public, max-age=31536000, immutable' : 'no-cache'
}

export interface StaticSite {
  /** A NodeServerOptions.intercept: true when it took the request. */
  (req: IncomingMessage, res: ServerResponse): boolean
}

/** Serves files of `root`; a missing root answers "/" with a page saying how to build the UI. */
export function staticSite(root: string): StaticSite {
  return (req, res) => {
    const method = req.method ?? ''
    if (method !== 'GET' && method !== 'HEAD') return false
    const target = req.url ?? ''
    if (!target.startsWith('/')) return false
    const urlPath = target.split('?')[0].split('#')[0]
    if (redirectSecretLink(req, res, urlPath)) return true
    const file = staticFilePath(root, urlPath)
    if (file === undefined) return false
    void serveFile(req, res, file, urlPath).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { ...SECURITY_HEADERS, 'Content-Length': 0 })
        res.end()
      } else res.destroy()
    })
    return true
  }
}

async function serveFile(req: IncomingMessage, res: ServerResponse, file: string, urlPath: string): Promise<void> {
  const info = await stat(file).catch(() => undefined)
  if (info === undefined || !info.isFile()) {
    const missingUi = urlPath === '/'
    const body = missingUi ? 'The web UI is not built: run `npm run build:web`, or start the daemon with --web-root DIR.\n' : 'Not found\n'
    res.writeHead(missingUi ? 503 : 404, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) })
    res.end(req.method === 'HEAD' ? undefined : body)
    return
  }
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': contentTypeOf(file),
    'Content-Length': info.size,
    'Cache-Control': cacheControl(urlPath),
    'Last-Modified': info.mtime.toUTCString(),
  })
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  const stream = createReadStream(file)
  stream.on('error', () => res.destroy())
  stream.pipe(res)
}
