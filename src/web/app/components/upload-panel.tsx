// The uploads of this session: a progress bar per file and one overall, cancel per file or all.
import { useEffect, useState } from 'preact/hooks'
import { formatSize, percent } from '../lib/format.ts'
import type { UploadQueue } from '../lib/upload-queue.ts'

const STATUS: Record<string, string> = { queued: 'Waiting', uploading: 'Uploading', done: 'Done', failed: 'Failed', cancelled: 'Cancelled' }

export function UploadPanel({ queue }: { queue: UploadQueue }) {
  const [, setTick] = useState(0)
  useEffect(() => queue.subscribe(() => setTick((t) => t + 1)), [queue])
  if (queue.items.length === 0) return null
  const all = queue.overall()
  const overall = percent(all.bytes, all.total)
  return (
    <section class="uploads" aria-label="Uploads">
      <header>
        <h2>Uploads</h2>
        <span class="overall-text" aria-live="polite">{overall} % of {formatSize(all.total)}</span>
        {all.active
          ? <button type="button" onClick={() => queue.cancelAll()}>Cancel all</button>
          : <button type="button" onClick={() => queue.clearFinished()}>Clear</button>}
      </header>
      <progress class="overall" max={100} value={overall} aria-label="Overall upload progress" />
      <ul>
        {queue.items.map((u) => {
          const pc = u.status === 'done' ? 100 : percent(u.bytes, u.total)
          return (
            <li key={u.id} class={`upload ${u.status}`} data-name={u.name}>
              <span class="upload-name">{u.name}</span>
              <progress max={100} value={pc} aria-label={`Upload progress of ${u.name}`} />
              <span class="upload-status">{STATUS[u.status]} {u.status === 'uploading' || u.status === 'done' ? `${pc} %` : ''}</span>
              {u.error !== undefined && <span class="upload-error" role="alert">{u.error}</span>}
              {(u.status === 'queued' || u.status === 'uploading') && (
                <button type="button" class="link" onClick={() => queue.cancel(u.id)} aria-label={`Cancel upload of ${u.name}`}>Cancel</button>
              )}
            </li>
          )
        })}
      </ul>
    </section>
  )
}
