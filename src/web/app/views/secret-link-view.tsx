// A secret link opened without an account: the worker fetches and decrypts the link (asking here for
// its extra password when it has one), then the shared file (download) or folder (listing, subfolders,
// downloads) is shown; through a writable link to a folder, files can be uploaded into it. Nothing of
// the link but its path reaches the server; the password stays in the URL's fragment and in the page.
import { useEffect, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import type { OpenedLink } from '../../shared/social-protocol.ts'
import { ErrorBanner } from '../components/error-banner.tsx'
import { errorText } from '../lib/error-text.ts'
import { entrySize, formatDate, formatSize, percent } from '../lib/format.ts'
import { downloadFromLink } from '../lib/link-download.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { TypeIcon } from '../components/type-icon.tsx'
import { EntryNameButton } from '../components/entry-name-button.tsx'

export function SecretLinkView({ rpc, link, onLeave }: { rpc: WorkerRpc; link: string; onLeave: () => void }) {
  const [opened, setOpened] = useState<OpenedLink>()
  const [asking, setAsking] = useState(false)
  const [password, setPassword] = useState('')
  const [dir, setDir] = useState<string>()
  const [entries, setEntries] = useState<Entry[]>()
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [attempt, setAttempt] = useState(0)
  const [listings, setListings] = useState(0)
  const [upload, setUpload] = useState<{ name: string; bytes: number; total: number }>()

  useEffect(() => {
    let live = true
    setError(undefined)
    rpc.call('openLink', { link }, { onProgress: () => live && setAsking(true) }).then(
      (o) => {
        if (!live) return
        setAsking(false)
        setOpened(o)
        if (o.entry.isDirectory) setDir(o.path)
      },
      (e) => {
        if (!live) return
        setAsking(false)
        setError(errorText(e))
      },
    )
    return () => { live = false }
  }, [link, attempt])

  useEffect(() => {
    if (dir === undefined) return
    let live = true
    setEntries(undefined)
    rpc.call('linkList', { path: dir }).then((l) => live && setEntries(l), (e) => live && setError(errorText(e)))
    return () => { live = false }
  }, [dir, listings])

  const submitPassword = (e: Event): void => {
    e.preventDefault()
    setAsking(false)
    void rpc.call('linkPassword', { password })
    setPassword('')
  }
  const get = (e: Entry): void => {
    setStatus(`Downloading ${e.name}…`)
    downloadFromLink(rpc, e).then(() => setStatus(`Downloaded ${e.name}`), (err) => {
      setStatus(undefined)
      setError(errorText(err))
    })
  }
  const uploadFiles = async (files: FileList | null): Promise<void> => {
    if (files === null || dir === undefined) return
    setError(undefined)
    try {
      for (const file of [...files]) {
        setUpload({ name: file.name, bytes: 0, total: file.size })
        await rpc.call('linkUpload', { dir, file }, { onProgress: (p) => setUpload({ name: file.name, ...p }) })
        setStatus(`Uploaded ${file.name}`)
      }
    } catch (e) {
      setError(errorText(e))
    } finally {
      setUpload(undefined)
      setListings((n) => n + 1)
    }
  }
  const crumbs = opened !== undefined && dir !== undefined
    ? [opened.path, ...dir.slice(opened.path.length).split('/').filter((s) => s !== '').map((_, i, all) => `${opened.path}/${all.slice(0, i + 1).join('/')}`)]
    : []

  return (
    <main class="secret-link-view">
      <h1>Shared with you by a secret link</h1>
      {opened === undefined && error === undefined && !asking && <p role="status">Opening the link… (decrypting it in your browser)</p>}
      {asking && (
        <form onSubmit={submitPassword} aria-label="Link password">
          <p>This link is protected by an extra password.</p>
          <label>Password of the link<input type="password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} autocomplete="off" required /></label>
          <div class="actions"><button type="submit" class="primary">Open</button></div>
        </form>
      )}
      <ErrorBanner message={error} />
      {error !== undefined && opened === undefined && <p><button type="button" onClick={() => setAttempt((n) => n + 1)}>Try again</button></p>}
      {status !== undefined && <p class="status" role="status">{status}</p>}
      {opened !== undefined && !opened.entry.isDirectory && (
        <section class="linked-file" aria-label="Shared file">
          <h2 class="entry-name">{opened.entry.name}</h2>
          <p class="meta">{formatSize(opened.entry.size)} · {formatDate(opened.entry.modified)} · from {opened.path.split('/')[1]}</p>
          <button type="button" class="primary" onClick={() => get(opened.entry)} aria-label={`Download ${opened.entry.name}`}>Download</button>
        </section>
      )}
      {opened !== undefined && dir !== undefined && (
        <section class="linked-folder" aria-label="Shared folder">
          <nav class="breadcrumbs" aria-label="Breadcrumbs">
            <ol>{crumbs.map((c) => <li key={c}><button type="button" class="link" onClick={() => setDir(c)}>{c.slice(c.lastIndexOf('/') + 1)}</button></li>)}</ol>
          </nav>
          {opened.writable && (
            <div class="link-upload">
              <label>
                Upload files into this folder
                <input type="file" multiple disabled={upload !== undefined} onChange={(e) => {
                  const input = e.currentTarget
                  void uploadFiles(input.files).finally(() => { input.value = '' })
                }} />
              </label>
              {upload !== undefined && (
                <p>
                  <span class="upload-name">{upload.name}</span>{' '}
                  <progress max={100} value={percent(upload.bytes, upload.total)} aria-label={`Upload progress of ${upload.name}`} />
                </p>
              )}
            </div>
          )}
          {entries === undefined ? <p>Loading…</p> : entries.length === 0 ? <p class="empty">This folder is empty.</p> : (
            <table class="file-list">
              <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
              <tbody>
                {entries.map((e) => (
                  <tr key={e.path} data-name={e.name}>
                    <td class="name">
                      <TypeIcon folder={e.isDirectory} class="icon" />
                      <EntryNameButton entry={e} onOpen={() => (e.isDirectory ? setDir(e.path) : get(e))} />
                    </td>
                    <td class="size">{entrySize(e)}</td>
                    <td class="date">{formatDate(e.modified)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      )}
      <p><button type="button" class="link" onClick={onLeave}>Go to Peergos (log in or sign up)</button></p>
    </main>
  )
}
