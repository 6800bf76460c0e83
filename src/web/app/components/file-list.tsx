// The drive's list view: a table with a checkbox per row, sortable column headers, sizes and dates.
import type { Entry } from '../../shared/rpc-protocol.ts'
import { entrySize, formatDate } from '../lib/format.ts'
import type { SortKey, SortOrder } from '../lib/sort.ts'
import { EntryIcon, PreviewButton } from './entry-media.tsx'
import { EntryNameButton } from './entry-name-button.tsx'

export interface EntriesViewProps {
  readonly entries: readonly Entry[]
  readonly selected: ReadonlySet<string>
  readonly sort: SortOrder
  readonly onSort: (key: SortKey) => void
  readonly onToggle: (path: string) => void
  readonly onToggleAll: () => void
  /** A folder opens; a file downloads. */
  readonly onOpen: (e: Entry) => void
}

function SortHeader({ label, k, sort, onSort }: { label: string; k: SortKey; sort: SortOrder; onSort: (k: SortKey) => void }) {
  const active = sort.key === k
  return (
    <th scope="col" aria-sort={active ? (sort.ascending ? 'ascending' : 'descending') : 'none'}>
      <button type="button" class="link" onClick={() => onSort(k)} aria-label={`Sort by ${label}`}>
        {label} {active ? (sort.ascending ? '▲' : '▼') : ''}
      </button>
    </th>
  )
}

export function FileList(p: EntriesViewProps) {
  const all = p.entries.length > 0 && p.entries.every((e) => p.selected.has(e.path))
  return (
    <table class="file-list">
      <thead>
        <tr>
          <th scope="col" class="check"><input type="checkbox" aria-label="Select all" checked={all} onChange={p.onToggleAll} /></th>
          <SortHeader label="Name" k="name" sort={p.sort} onSort={p.onSort} />
          <SortHeader label="Size" k="size" sort={p.sort} onSort={p.onSort} />
          <SortHeader label="Modified" k="modified" sort={p.sort} onSort={p.onSort} />
        </tr>
      </thead>
      <tbody>
        {p.entries.map((e) => (
          <tr key={e.path} class={p.selected.has(e.path) ? 'selected' : ''} data-name={e.name}>
            <td class="check"><input type="checkbox" aria-label={`Select ${e.name}`} checked={p.selected.has(e.path)} onChange={() => p.onToggle(e.path)} /></td>
            <td class="name">
              <EntryIcon entry={e} />
              <EntryNameButton entry={e} onOpen={p.onOpen} />
              <PreviewButton entry={e} />
            </td>
            <td class="size">{entrySize(e)}</td>
            <td class="date">{formatDate(e.modified)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
