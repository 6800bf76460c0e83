// The text viewer and editor: the file's text in a labelled textarea, saved back through the client
// worker (FileSystem.writeFile keeps the file's capability), with a Markdown preview for .md files
// rendered as elements only (markdown-view.tsx). Unsaved changes are kept until saved or discarded.
import { useEffect, useMemo, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import { errorText } from '../lib/error-text.ts'
import { parseMarkdown } from '../lib/markdown.ts'
import { isMarkdown } from '../lib/media.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { ErrorBanner } from './error-banner.tsx'
import { MarkdownView } from './markdown-view.tsx'

export function TextEditor({ rpc, entry, onSaved, onDirty }: { rpc: WorkerRpc; entry: Entry; onSaved: () => void; onDirty?: (dirty: boolean) => void }) {
  const markdown = isMarkdown(entry)
  const [saved, setSaved] = useState<string>()
  const [text, setText] = useState('')
  const [mode, setMode] = useState<'edit' | 'preview'>(markdown ? 'preview' : 'edit')
  const [error, setError] = useState<string>()
  const [status, setStatus] = useState<string>()
  const [busy, setBusy] = useState(false)

  useEffect(() => {
    let live = true
    rpc.call('readText', { path: entry.path }).then(
      (t) => {
        if (!live) return
        setSaved(t.text)
        setText(t.text)
      },
      (e) => live && setError(errorText(e)),
    )
    return () => { live = false }
  }, [entry.path])

  const doc = useMemo(() => (markdown && mode === 'preview' ? parseMarkdown(text) : []), [markdown, mode, text])
  const dirty = saved !== undefined && text !== saved
  useEffect(() => onDirty?.(dirty), [dirty])

  const save = async (): Promise<void> => {
    setBusy(true)
    setError(undefined)
    try {
      await rpc.call('writeText', { path: entry.path, text, mimeType: entry.mimeType })
      setSaved(text)
      setStatus(`Saved ${entry.name}`)
      onSaved()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(false)
    }
  }

  if (saved === undefined) return error === undefined ? <p role="status">Loading {entry.name}…</p> : <ErrorBanner message={error} />
  return (
    <div class="text-editor">
      {markdown && (
        <div class="group" role="group" aria-label="View">
          <button type="button" aria-pressed={mode === 'edit'} onClick={() => setMode('edit')}>Edit</button>
          <button type="button" aria-pressed={mode === 'preview'} onClick={() => setMode('preview')}>Preview</button>
        </div>
      )}
      {mode === 'edit' || !markdown
        ? <textarea aria-label={`Contents of ${entry.name}`} value={text} spellcheck={false} onInput={(e) => { setText(e.currentTarget.value); setStatus(undefined) }} />
        : <MarkdownView doc={doc} label={`Preview of ${entry.name}`} />}
      <ErrorBanner message={error} onDismiss={() => setError(undefined)} />
      {status !== undefined && <p class="status" role="status">{status}</p>}
      <div class="actions">
        {dirty && <span class="unsaved">Unsaved changes</span>}
        <button type="button" disabled={!dirty || busy} onClick={() => setText(saved)}>Discard changes</button>
        <button type="button" class="primary" disabled={!dirty || busy} onClick={() => void save()}>{busy ? 'Saving…' : 'Save'}</button>
      </div>
    </div>
  )
}
