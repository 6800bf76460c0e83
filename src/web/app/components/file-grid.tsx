// The drive's grid view: a card per entry with its checkbox, name, size and date.
import { formatDate, formatSize } from '../lib/format.ts'
import { EntryIcon, PreviewButton } from './entry-media.tsx'
import type { EntriesViewProps } from './file-list.tsx'
import { entryActionLabel } from './entry-name-button.tsx'

export function FileGrid(p: EntriesViewProps) {
  return (
    <ul class="file-grid" aria-label="Files">
      {p.entries.map((e) => (
        <li key={e.path} class={p.selected.has(e.path) ? 'card selected' : 'card'} data-name={e.name}>
          <input type="checkbox" aria-label={`Select ${e.name}`} checked={p.selected.has(e.path)} onChange={() => p.onToggle(e.path)} />
          <button type="button" class="card-open" onClick={() => p.onOpen(e)} aria-label={entryActionLabel(e)}>
            <EntryIcon entry={e} big />
            <span class="entry-name">{e.name}</span>
          </button>
          <span class="meta">{e.isDirectory ? 'Folder' : formatSize(e.size)} · {formatDate(e.modified)}</span>
          <PreviewButton entry={e} />
        </li>
      ))}
    </ul>
  )
}
