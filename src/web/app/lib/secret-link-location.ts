// A secret link the page was opened for: the daemon redirects `/secret/z<owner>/<label>#<password>`
// to `?secret=z<owner>/<label>` and the browser keeps the fragment, so the link is the query's value
// plus the fragment (which never reached the server). Checked against the link's form before use.
const SECRET_PARAM = /^z[1-9A-HJ-NP-Za-km-z]{1,100}\/[1-9][0-9]{0,15}$/

/** The secret link (`secret/z<owner>/<label>#<password>`) in `url`, or undefined when there is none. */
export function secretLinkIn(url: string): string | undefined {
  const u = new URL(url)
  const param = u.searchParams.get('secret')
  if (param !== null) return SECRET_PARAM.test(param) && u.hash.length > 1 ? `secret/${param}${u.hash}` : undefined
  // the link itself, when a static host serves the app for /secret/... paths
  const at = u.pathname.lastIndexOf('/secret/')
  if (at < 0) return undefined
  const rest = u.pathname.slice(at + '/secret/'.length)
  return SECRET_PARAM.test(rest) && u.hash.length > 1 ? `secret/${rest}${u.hash}` : undefined
}

/** Whether `text` (pasted by a user) looks like a secret link. */
export function looksLikeSecretLink(text: string): boolean {
  return /(^|\/)secret\/z[1-9A-HJ-NP-Za-km-z]{1,100}\/[1-9][0-9]{0,15}#.+$/.test(text.trim())
}
