// "Open a secret link" under the login form: a pasted link (`.../secret/z<owner>/<label>#<password>`)
// is opened here without an account, through this server, whichever server's address it carries.
import { useState } from 'preact/hooks'
import { looksLikeSecretLink } from '../lib/secret-link-location.ts'
import { ErrorBanner } from './error-banner.tsx'

export function OpenLinkForm({ onOpen }: { onOpen: (link: string) => void }) {
  const [text, setText] = useState('')
  const [error, setError] = useState<string>()
  const submit = (e: Event): void => {
    e.preventDefault()
    const link = text.trim()
    if (!looksLikeSecretLink(link)) return setError('That is not a secret link: it looks like https://…/secret/z…/123#password.')
    setError(undefined)
    onOpen(link.slice(link.indexOf('secret/')))
  }
  return (
    <form class="open-link" onSubmit={submit} aria-label="Open a secret link">
      <h2>Open a secret link</h2>
      <label>
        Secret link
        <input type="text" value={text} onInput={(e) => setText(e.currentTarget.value)} autocomplete="off" spellcheck={false} placeholder="https://…/secret/z…/123#…" />
      </label>
      <ErrorBanner message={error} />
      <div class="actions"><button type="submit">Open link</button></div>
    </form>
  )
}
