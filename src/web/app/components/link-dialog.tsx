// The secret link dialog of a drive item: its links (URL, copy, QR code, limits, revoke) and a form
// for a new one with an optional expiry, maximum of uses, extra password and write access. Anyone
// with a link opens the item without an account; the extra password is not part of the URL.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { SecretLinkInfo } from '../../shared/social-protocol.ts'
import { errorText } from '../lib/error-text.ts'
import { formatDate } from '../lib/format.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'
import { QrCode } from './qr-code.tsx'

function linkNotes(l: SecretLinkInfo): string {
  return [
    l.writable ? 'can edit' : 'view only',
    l.expires === undefined ? '' : `expires ${formatDate(l.expires)}`,
    l.maxUses === undefined ? '' : `${l.maxUses} use${l.maxUses === 1 ? '' : 's'}`,
    l.hasPassword ? 'password' : '',
  ].filter((n) => n !== '').join(' · ')
}

async function copyText(text: string, input: HTMLInputElement | null): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
  } catch {
    // no clipboard permission (an insecure origin): select it and copy the old way
    input?.select()
    if (!document.execCommand('copy')) throw new Error('Copying is not allowed here: select the link and copy it yourself.')
  }
}

function LinkRow({ link, busy, showQr, onQr, onRevoke }: { link: SecretLinkInfo; busy: boolean; showQr: boolean; onQr: () => void; onRevoke: () => void }) {
  const [copied, setCopied] = useState<string>()
  const input = useRef<HTMLInputElement>(null)
  return (
    <li class="secret-link" data-label={String(link.label)}>
      <label>
        Link {link.label}
        <input type="text" readOnly value={link.url} ref={input} aria-label={`Secret link ${link.label}`} onFocus={(e) => e.currentTarget.select()} />
      </label>
      <p class="link-notes">{linkNotes(link)}</p>
      <div class="actions">
        <button type="button" onClick={() => copyText(link.url, input.current).then(() => setCopied('Copied.'), (e) => setCopied(errorText(e)))}>Copy link</button>
        <button type="button" aria-expanded={showQr} onClick={onQr}>{showQr ? 'Hide QR code' : 'QR code'}</button>
        <button type="button" class="danger" disabled={busy} onClick={onRevoke} aria-label={`Revoke link ${link.label}`}>Revoke</button>
      </div>
      {copied !== undefined && <p class="status" role="status">{copied}</p>}
      {showQr && <QrCode text={link.url} label={`QR code of secret link ${link.label}`} />}
    </li>
  )
}

export function LinkDialog({ rpc, entry, onClose }: { rpc: WorkerRpc; entry: Entry; onClose: () => void }) {
  const [links, setLinks] = useState<readonly SecretLinkInfo[]>()
  const [qr, setQr] = useState<number>()
  const [expires, setExpires] = useState('')
  const [maxUses, setMaxUses] = useState('')
  const [password, setPassword] = useState('')
  const [writable, setWritable] = useState(false)
  const [error, setError] = useState<string>()
  const [busy, setBusy] = useState(false)

  const load = (): Promise<void> => rpc.call('itemSharing', { path: entry.path }).then((s) => setLinks(s.links), (e) => setError(errorText(e)))
  useEffect(() => { void load() }, [entry.path])

  const create = async (e: Event): Promise<void> => {
    e.preventDefault()
    const at = expires === '' ? undefined : new Date(expires).getTime()
    if (at !== undefined && (Number.isNaN(at) || at <= Date.now())) return setError('The expiry must be a date in the future.')
    if (maxUses !== '' && !/^[1-9][0-9]{0,9}$/.test(maxUses)) return setError('The maximum number of uses must be a whole number of at least 1.')
    setBusy(true)
    setError(undefined)
    try {
      const made = await rpc.call('createLink', { path: entry.path, options: { writable, expires: at, maxUses: maxUses === '' ? undefined : Number(maxUses), password } })
      setPassword('')
      await load()
      setQr(made.label)
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }
  const revoke = async (l: SecretLinkInfo): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await rpc.call('deleteLink', { path: entry.path, label: l.label })
      await load()
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Modal title={`Secret links to ${entry.name}`} onClose={onClose}>
      <section aria-label="Existing links">
        {links === undefined ? <p>Loading…</p> : links.length === 0 ? <p class="empty">No secret links yet.</p> : (
          <ul class="secret-links">
            {links.map((l) => <LinkRow key={l.label} link={l} busy={busy} showQr={qr === l.label} onQr={() => setQr(qr === l.label ? undefined : l.label)} onRevoke={() => void revoke(l)} />)}
          </ul>
        )}
      </section>
      <form onSubmit={create} aria-label="New secret link">
        <h3>New link</h3>
        <p class="hint">Anyone with the link can open {entry.isDirectory ? 'this folder' : 'this file'} without an account.</p>
        <label>Expires (optional)<input type="datetime-local" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} disabled={busy} /></label>
        <label>Maximum number of uses (optional)<input type="number" min="1" step="1" inputMode="numeric" value={maxUses} onInput={(e) => setMaxUses(e.currentTarget.value)} disabled={busy} /></label>
        <label>Extra password (optional, not part of the link)<input type="password" autocomplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} disabled={busy} /></label>
        <label class="inline"><input type="checkbox" checked={writable} onChange={(e) => setWritable(e.currentTarget.checked)} disabled={busy} /> Anyone with the link can edit</label>
        <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
        <div class="actions">
          <button type="button" onClick={onClose} disabled={busy}>Close</button>
          <button type="submit" class="primary" disabled={busy}>{busy ? 'Working…' : 'Create link'}</button>
        </div>
      </form>
    </Modal>
  )
}
