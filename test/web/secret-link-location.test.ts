// Where a secret link's path goes: the daemon's redirect of `/secret/z<owner>/<label>` to the app
// (only well-formed owners and labels), and the page reading the link back from the redirected URL
// and the fragment the browser kept (never anything else from the query).
import { describe, expect, it } from 'vitest'
import { secretLinkPageLocation } from '../../src/server/http/secret-link-page.ts'
import { looksLikeSecretLink, secretLinkIn } from '../../src/web/app/lib/secret-link-location.ts'

const OWNER = 'z59vuwzfFDowBH656AAxxoPqDuFvhqYVVfvxULePWwVt4HkcRp1hzbd'

describe('secret link pages', () => {
  it('redirects only well-formed secret link paths, relative to the request', () => {
    expect(secretLinkPageLocation(`/secret/${OWNER}/61440827`)).toBe(`../../?secret=${OWNER}/61440827`)
    for (const bad of [`/secret/${OWNER}/0`, `/secret/${OWNER}/12a`, `/secret/${OWNER}/1/`, '/secret/not-base58!/1', `/secret/${OWNER}`, `/x/secret/${OWNER}/1`, `/secret/${OWNER}/1?x=<script>`, `/secret/Q${OWNER.slice(1)}/1`]) {
      expect(secretLinkPageLocation(bad)).toBeUndefined()
    }
    const resolved = new URL(secretLinkPageLocation(`/secret/${OWNER}/7`)!, `http://127.0.0.1:8000/secret/${OWNER}/7`)
    expect(resolved.href).toBe(`http://127.0.0.1:8000/?secret=${OWNER}/7`)
  })

  it('reads the link from the redirected URL and its fragment', () => {
    expect(secretLinkIn(`http://h/?secret=${OWNER}/7#abcDEF123456`)).toBe(`secret/${OWNER}/7#abcDEF123456`)
    expect(secretLinkIn(`http://h/secret/${OWNER}/7#abcDEF123456`)).toBe(`secret/${OWNER}/7#abcDEF123456`)
    expect(secretLinkIn(`http://h/?secret=${OWNER}/7`)).toBeUndefined() // no password
    expect(secretLinkIn('http://h/?secret=%3Cimg%20src%3Dx%3E/7#pw')).toBeUndefined()
    expect(secretLinkIn('http://h/')).toBeUndefined()
    expect(looksLikeSecretLink(`https://peergos.net/secret/${OWNER}/7#abcDEF123456`)).toBe(true)
    expect(looksLikeSecretLink('https://peergos.net/')).toBe(false)
  })
})
