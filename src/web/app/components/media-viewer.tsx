// The file viewer opened from the drive: an image at full size, a video or audio player streamed
// through the service worker (seeking asks it for byte ranges), or the text editor. Escape or Close
// ends it and its media session.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import { errorText } from '../lib/error-text.ts'
import { openMedia, previewKind, type MediaSession } from '../lib/media.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { ErrorBanner } from './error-banner.tsx'
import { Modal } from './modal.tsx'
import { TextEditor } from './text-editor.tsx'

function MediaPlayer({ rpc, entry, kind }: { rpc: WorkerRpc; entry: Entry; kind: 'image' | 'video' | 'audio' }) {
  const [session, setSession] = useState<MediaSession>()
  const [error, setError] = useState<string>()
  useEffect(() => {
    let live = true
    let opened: MediaSession | undefined
    openMedia(rpc, entry).then(
      (s) => {
        opened = s
        if (live) setSession(s)
        else s.close()
      },
      (e) => live && setError(errorText(e)),
    )
    return () => {
      live = false
      opened?.close()
    }
  }, [entry.path])
  const failed = (): void => setError(`This browser cannot show ${entry.name} (${entry.mimeType}). Download it instead.`)
  if (error !== undefined) return <ErrorBanner message={error} />
  if (session === undefined) return <p role="status">Opening {entry.name}…</p>
  if (kind === 'image') return <img class="preview-image" src={session.url} alt={entry.name} onError={failed} />
  if (kind === 'video') return <video class="preview-video" src={session.url} controls preload="metadata" aria-label={`Video ${entry.name}`} onError={failed} />
  return <audio class="preview-audio" src={session.url} controls preload="metadata" aria-label={`Audio ${entry.name}`} onError={failed} />
}

export function MediaViewer({ rpc, entry, onClose, onSaved }: { rpc: WorkerRpc; entry: Entry; onClose: () => void; onSaved: () => void }) {
  const kind = previewKind(entry)
  // unsaved edits are not dropped by Escape or Close without a second, explicit step
  const dirty = useRef(false)
  const [confirming, setConfirming] = useState(false)
  const requestClose = (): void => (dirty.current ? setConfirming(true) : onClose())
  return (
    <Modal title={entry.name} onClose={requestClose}>
      <div class={`media-viewer ${kind ?? 'none'}`}>
        {kind === undefined ? <p>There is no preview for this kind of file.</p>
          : kind === 'text' ? <TextEditor rpc={rpc} entry={entry} onSaved={onSaved} onDirty={(d) => { dirty.current = d; if (!d) setConfirming(false) }} />
          : <MediaPlayer rpc={rpc} entry={entry} kind={kind} />}
      </div>
      {confirming && (
        <div class="error-banner" role="alert">
          <span>{entry.name} has unsaved changes.</span>
          <button type="button" class="danger" onClick={onClose}>Close without saving</button>
        </div>
      )}
      <div class="actions">
        <button type="button" onClick={requestClose}>Close</button>
      </div>
    </Modal>
  )
}
