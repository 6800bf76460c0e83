// The web UI's page for a secret link (reference §1.4: `/secret/z<owner>/<label>#<password>`): a GET of
// that path is redirected to the app at the site's root as `?secret=z<owner>/<label>`, relative to
// the request so any path prefix is kept. The browser keeps the URL's fragment across the redirect,
// so the password (which never reaches a server) follows to the page, which opens the link in its
// client worker. Only a well-formed owner and label are redirected; anything else falls through.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { SECURITY_HEADERS } from './static-files.ts'

/** `/secret/z<base58btc owner>/<label>`: the path part of a secret link. */
const SECRET_LINK_PATH = /^\/secret\/(z[1-9A-HJ-NP-Za-km-z]{1,100})\/([1-9][0-9]{0,15})$/

/** Where the app opens the link at `urlPath`, or undefined when it is not a secret link's path. */
export function secretLinkPageLocation(urlPath: string): string | undefined {
  const m = SECRET_LINK_PATH.exec(urlPath)
  return m === null ? undefined : `../../?secret=${m[1]}/${m[2]}`
}

/** Redirects a GET or HEAD of a secret link's path to the app; true when it took the request. */
export function redirectSecretLink(req: IncomingMessage, res: ServerResponse, urlPath: string): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false
  const location = secretLinkPageLocation(urlPath)
  if (location === undefined) return false
  res.writeHead(302, { ...SECURITY_HEADERS, Location: location, 'Cache-Control': 'no-store', 'Content-Length': 0 })
  res.end()
  return true
}
