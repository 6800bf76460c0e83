// The drive's toolbar: new folder, upload files or a folder, list/grid, sort; and the actions on
// the selection (download, rename, move, copy, delete).
import { useRef } from 'preact/hooks'
import type { SortKey, SortOrder } from '../lib/sort.ts'

export type SelectionAction = 'download' | 'rename' | 'move' | 'copy' | 'delete'

export interface DriveToolbarProps {
  readonly view: 'list' | 'grid'
  readonly sort: SortOrder
  readonly selectedCount: number
  /** Whether the one selected item is a file (download). */
  readonly singleFile: boolean
  readonly onView: (v: 'list' | 'grid') => void
  readonly onSort: (o: SortOrder) => void
  readonly onNewFolder: () => void
  readonly onFiles: (files: FileList | null) => void
  readonly onAction: (a: SelectionAction) => void
}

export function DriveToolbar(p: DriveToolbarProps) {
  const files = useRef<HTMLInputElement>(null)
  const folder = useRef<HTMLInputElement>(null)
  const picked = (input: HTMLInputElement | null): void => {
    if (input === null) return
    p.onFiles(input.files)
    input.value = ''
  }
  return (
    <div class="toolbar" role="toolbar" aria-label="Drive actions">
      <div class="group">
        <button type="button" onClick={p.onNewFolder}>New folder</button>
        <button type="button" onClick={() => files.current?.click()}>Upload files</button>
        <button type="button" onClick={() => folder.current?.click()}>Upload folder</button>
        <input ref={files} type="file" multiple hidden aria-label="Files to upload" onChange={() => picked(files.current)} />
        {/* webkitdirectory: the browser's folder picker (relative paths in webkitRelativePath) */}
        <input ref={folder} type="file" multiple hidden aria-label="Folder to upload" {...{ webkitdirectory: true }} onChange={() => picked(folder.current)} />
      </div>
      {p.selectedCount > 0 && (
        <div class="group selection" aria-label="Selection">
          <span>{p.selectedCount} selected</span>
          {p.selectedCount === 1 && p.singleFile && <button type="button" onClick={() => p.onAction('download')}>Download</button>}
          {p.selectedCount === 1 && <button type="button" onClick={() => p.onAction('rename')}>Rename</button>}
          <button type="button" onClick={() => p.onAction('move')}>Move</button>
          <button type="button" onClick={() => p.onAction('copy')}>Copy</button>
          <button type="button" class="danger" onClick={() => p.onAction('delete')}>Delete</button>
        </div>
      )}
      <div class="group">
        <label>Sort
          <select aria-label="Sort by" value={p.sort.key} onChange={(e) => p.onSort({ ...p.sort, key: e.currentTarget.value as SortKey })}>
            <option value="name">Name</option>
            <option value="size">Size</option>
            <option value="modified">Date</option>
          </select>
        </label>
        <button type="button" aria-label={p.sort.ascending ? 'Sort descending' : 'Sort ascending'} onClick={() => p.onSort({ ...p.sort, ascending: !p.sort.ascending })}>{p.sort.ascending ? '↑' : '↓'}</button>
        <button type="button" aria-pressed={p.view === 'list'} onClick={() => p.onView('list')}>List</button>
        <button type="button" aria-pressed={p.view === 'grid'} onClick={() => p.onView('grid')}>Grid</button>
      </div>
    </div>
  )
}
