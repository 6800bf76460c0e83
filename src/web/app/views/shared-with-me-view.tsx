// What other users shared with us, read from their sharing folders on each visit and mounted in the
// drive at its path (/<owner>/...): folders open in the drive, files download. Items whose access was
// revoked are not shown (their old capability finds nothing).
import { useEffect, useState } from 'preact/hooks'
import type { SharedWithMe } from '../../shared/social-protocol.ts'
import { ErrorBanner } from '../components/error-banner.tsx'
import { download } from '../lib/downloads.ts'
import { errorText } from '../lib/error-text.ts'
import { entrySize, formatDate } from '../lib/format.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { TypeIcon } from '../components/type-icon.tsx'
import { EntryNameButton } from '../components/entry-name-button.tsx'

export function SharedWithMeView({ rpc, onOpenFolder }: { rpc: WorkerRpc; onOpenFolder: (path: string) => void }) {
  const [items, setItems] = useState<SharedWithMe[]>()
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [reloads, setReloads] = useState(0)

  useEffect(() => {
    let live = true
    setItems(undefined)
    rpc.call('sharedWithMe', {}).then((i) => live && setItems(i), (e) => {
      if (!live) return
      setItems([])
      setError(errorText(e))
    })
    return () => { live = false }
  }, [reloads])

  const get = (e: SharedWithMe): void => {
    setStatus(`Downloading ${e.name}…`)
    download(rpc, e).then(() => setStatus(`Downloaded ${e.name}`), (err) => {
      setStatus(undefined)
      setError(errorText(err))
    })
  }
  const owners = [...new Set((items ?? []).map((i) => i.owner))].sort()
  return (
    <main class="shared-with-me">
      <h1>Shared with me</h1>
      <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
      {status !== undefined && <p class="status" role="status">{status}</p>}
      <section aria-label="Items shared with me" aria-busy={items === undefined}>
        {items === undefined ? <p>Reading what your friends shared…</p>
          : items.length === 0 ? <p class="empty">Nothing is shared with you yet.</p>
          : owners.map((owner) => (
            <section key={owner} class="owner-items" aria-label={`Shared by ${owner}`}>
              <h2>From {owner}</h2>
              <table class="file-list">
                <thead><tr><th scope="col">Name</th><th scope="col">Path</th><th scope="col">Size</th><th scope="col">Modified</th></tr></thead>
                <tbody>
                  {items.filter((i) => i.owner === owner).map((e) => (
                    <tr key={e.path} data-name={e.name}>
                      <td class="name">
                        <TypeIcon folder={e.isDirectory} class="icon" />
                        <EntryNameButton entry={e} onOpen={() => (e.isDirectory ? onOpenFolder(e.path) : get(e))} />
                      </td>
                      <td class="path">{e.path}</td>
                      <td class="size">{entrySize(e)}</td>
                      <td class="date">{formatDate(e.modified)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          ))}
      </section>
      <p><button type="button" class="link" onClick={() => setReloads((n) => n + 1)}>Refresh</button></p>
    </main>
  )
}
