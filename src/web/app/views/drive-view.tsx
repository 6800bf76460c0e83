// The drive: one folder of the signed-in user's files at a time, with breadcrumbs, list or grid,
// sorting, multi-select, uploads (picker and drag and drop, folders too), downloads, new folder,
// rename, move, copy and delete with confirmation.
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Entry, SessionInfo } from '../../shared/rpc-protocol.ts'
import { Breadcrumbs } from '../components/breadcrumbs.tsx'
import { ConfirmDialog } from '../components/confirm-dialog.tsx'
import { DriveToolbar, type SelectionAction } from '../components/drive-toolbar.tsx'
import { ErrorBanner } from '../components/error-banner.tsx'
import { ItemSharing } from '../components/item-sharing.tsx'
import { FileGrid } from '../components/file-grid.tsx'
import { FileList } from '../components/file-list.tsx'
import { MediaContext } from '../components/entry-media.tsx'
import { MediaViewer } from '../components/media-viewer.tsx'
import { NameDialog } from '../components/name-dialog.tsx'
import { UploadPanel } from '../components/upload-panel.tsx'
import { fromDrop, fromInput } from '../lib/chosen-files.ts'
import { download } from '../lib/downloads.ts'
import { errorText } from '../lib/error-text.ts'
import { joinPath, nameProblem, parentOf } from '../lib/paths.ts'
import { sortEntries, type SortKey, type SortOrder } from '../lib/sort.ts'
import { UploadQueue } from '../lib/upload-queue.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'

type Dialog = { kind: 'mkdir' } | { kind: 'rename'; entry: Entry } | { kind: 'move' | 'copy'; entries: Entry[] } | { kind: 'delete'; entries: Entry[] }

const VIEW_KEY = 'peergos.drive.view'

/** Runs a worker call and turns its failure into readable text (for the dialogs, which show it). */
async function readable<T>(p: Promise<T>): Promise<T> {
  try {
    return await p
  } catch (e) {
    throw new Error(errorText(e))
  }
}

export function DriveView({ rpc, session, initialPath }: { rpc: WorkerRpc; session: SessionInfo; initialPath?: string }) {
  const home = `/${session.username}`
  const [path, setPath] = useState(initialPath ?? home)
  const [entries, setEntries] = useState<Entry[]>([])
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set())
  const [view, setView] = useState<'list' | 'grid'>(() => (localStorage.getItem(VIEW_KEY) === 'grid' ? 'grid' : 'list'))
  const [sort, setSort] = useState<SortOrder>({ key: 'name', ascending: true })
  const [dialog, setDialog] = useState<Dialog>()
  const [dragging, setDragging] = useState(false)
  const [reloads, setReloads] = useState(0)
  const reload = (): void => setReloads((n) => n + 1)
  const queue = useMemo(() => new UploadQueue(rpc, () => reload()), [rpc])
  // previews: thumbnails in the listing, and the viewer / editor of one file
  const [preview, setPreview] = useState<Entry>()
  const media = useMemo(() => ({ rpc, onPreview: setPreview }), [rpc])

  useEffect(() => {
    let live = true
    setLoading(true)
    rpc.call('list', { path }).then(
      (list) => {
        if (!live) return
        setEntries(list)
        setSelected((s) => new Set([...s].filter((p) => list.some((e) => e.path === p))))
        setLoading(false)
      },
      (e) => {
        if (!live) return
        setError(errorText(e))
        setLoading(false)
      },
    )
    return () => { live = false }
  }, [path, reloads])

  const sorted = useMemo(() => sortEntries(entries, sort), [entries, sort])
  const chosen = sorted.filter((e) => selected.has(e.path))

  const open = (p: string): void => {
    setSelected(new Set())
    setError(undefined)
    setPath(p)
  }
  const startDownload = (e: Entry): void => {
    setStatus(`Downloading ${e.name}…`)
    download(rpc, e).then(() => setStatus(`Downloaded ${e.name}`), (err) => {
      setStatus(undefined)
      setError(errorText(err))
    })
  }
  const onOpen = (e: Entry): void => (e.isDirectory ? open(e.path) : startDownload(e))
  const toggle = (p: string): void => setSelected((s) => {
    const n = new Set(s)
    if (!n.delete(p)) n.add(p)
    return n
  })
  const toggleAll = (): void => setSelected((s) => (entries.length > 0 && entries.every((e) => s.has(e.path)) ? new Set() : new Set(entries.map((e) => e.path))))
  const onSortColumn = (key: SortKey): void => setSort((s) => (s.key === key ? { key, ascending: !s.ascending } : { key, ascending: true }))
  const onView = (v: 'list' | 'grid'): void => {
    localStorage.setItem(VIEW_KEY, v)
    setView(v)
  }
  const onAction = (a: SelectionAction): void => {
    if (a === 'download') return startDownload(chosen[0])
    if (a === 'rename') return setDialog({ kind: 'rename', entry: chosen[0] })
    setDialog({ kind: a, entries: chosen })
  }
  const done = (): void => {
    setDialog(undefined)
    setSelected(new Set())
    reload()
  }
  const onDrop = async (e: DragEvent): Promise<void> => {
    e.preventDefault()
    setDragging(false)
    if (e.dataTransfer === null) return
    try {
      queue.add(path, await fromDrop(e.dataTransfer))
    } catch (err) {
      setError(errorText(err))
    }
  }

  return (
    <main
      class={dragging ? 'drive dragging' : 'drive'}
      onDragOver={(e) => {
        e.preventDefault()
        setDragging(true)
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false)
      }}
      onDrop={onDrop}
    >
      <h1 class="visually-hidden">Drive</h1>
      <Breadcrumbs path={path} onOpen={open} />
      <DriveToolbar
        view={view} sort={sort} selectedCount={chosen.length} singleFile={chosen.length === 1 && !chosen[0].isDirectory}
        onView={onView} onSort={setSort} onNewFolder={() => setDialog({ kind: 'mkdir' })}
        onFiles={(files) => queue.add(path, fromInput(files))} onAction={onAction}
      />
      <ItemSharing rpc={rpc} home={home} selected={chosen} />
      <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
      {status !== undefined && <p class="status" role="status">{status}</p>}
      <UploadPanel queue={queue} />
      <MediaContext.Provider value={media}>
      <section class="listing" aria-label="Folder contents" aria-busy={loading}>
        {loading && entries.length === 0 ? <p>Loading…</p>
          : sorted.length === 0 ? <p class="empty">This folder is empty. Drop files here or use “Upload files”.</p>
          : view === 'list'
            ? <FileList entries={sorted} selected={selected} sort={sort} onSort={onSortColumn} onToggle={toggle} onToggleAll={toggleAll} onOpen={onOpen} />
            : <FileGrid entries={sorted} selected={selected} sort={sort} onSort={onSortColumn} onToggle={toggle} onToggleAll={toggleAll} onOpen={onOpen} />}
      </section>
      </MediaContext.Provider>
      {preview !== undefined && <MediaViewer rpc={rpc} entry={preview} onClose={() => setPreview(undefined)} onSaved={reload} />}
      {dragging && <div class="drop-hint" aria-hidden="true">Drop to upload into {path}</div>}

      {dialog?.kind === 'mkdir' && (
        <NameDialog title="New folder" label="Folder name" initial="" submitLabel="Create" check={nameProblem} onClose={() => setDialog(undefined)}
          onSubmit={async (name) => { await readable(rpc.call('mkdir', { path: joinPath(path, name) })); done() }} />
      )}
      {dialog?.kind === 'rename' && (
        <NameDialog title={`Rename ${dialog.entry.name}`} label="New name" initial={dialog.entry.name} submitLabel="Rename" check={nameProblem} onClose={() => setDialog(undefined)}
          onSubmit={async (name) => { await readable(rpc.call('move', { from: dialog.entry.path, to: joinPath(parentOf(dialog.entry.path), name) })); done() }} />
      )}
      {(dialog?.kind === 'move' || dialog?.kind === 'copy') && (
        <NameDialog
          title={`${dialog.kind === 'move' ? 'Move' : 'Copy'} ${dialog.entries.length === 1 ? dialog.entries[0].name : `${dialog.entries.length} items`}`}
          label="Destination folder" initial={path} submitLabel={dialog.kind === 'move' ? 'Move' : 'Copy'} onClose={() => setDialog(undefined)}
          check={(to) => (to.startsWith(home + '/') || to === home ? undefined : `The destination must be inside ${home}.`)}
          onSubmit={async (to) => {
            for (const e of dialog.entries) await readable(rpc.call(dialog.kind, { from: e.path, to: to.replace(/\/+$/, '') || '/' }))
            done()
          }} />
      )}
      {dialog?.kind === 'delete' && (
        <ConfirmDialog title={`Delete ${dialog.entries.length === 1 ? dialog.entries[0].name : `${dialog.entries.length} items`}?`} items={dialog.entries.map((e) => e.name)} confirmLabel="Delete" onClose={() => setDialog(undefined)}
          onConfirm={async () => {
            for (const e of dialog.entries) await readable(rpc.call('remove', { path: e.path }))
            done()
          }} />
      )}
    </main>
  )
}
