// What the drive's list and grid show of a file's media: its stored thumbnail (or its icon), and a
// Preview / Edit button for files the viewer opens. The drive view provides the worker and the
// opener through MediaContext; without it both fall back to the plain icon and no button.
import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import type { Entry } from '../../shared/rpc-protocol.ts'
import { mayHaveThumbnail, previewKind, thumbnailUrl } from '../lib/media.ts'
import type { WorkerRpc } from '../lib/worker-rpc.ts'
import { TypeIcon } from './type-icon.tsx'

export interface MediaContextValue {
  readonly rpc: WorkerRpc
  readonly onPreview: (e: Entry) => void
}

export const MediaContext = createContext<MediaContextValue | undefined>(undefined)

/** The entry's thumbnail once loaded, else its icon; `big` in the grid. */
export function EntryIcon({ entry, big }: { entry: Entry; big?: boolean }) {
  const media = useContext(MediaContext)
  const [url, setUrl] = useState<string>()
  useEffect(() => {
    if (media === undefined || !mayHaveThumbnail(entry)) return setUrl(undefined)
    let live = true
    void thumbnailUrl(media.rpc, entry).then((u) => { if (live) setUrl(u) })
    return () => { live = false }
    // every listing brings new Entry objects: a thumbnail stored since the last one shows up
  }, [media?.rpc, entry])
  const cls = big === true ? 'big-icon' : 'icon'
  if (url !== undefined) return <img class={`${cls} thumbnail`} src={url} alt="" width={big === true ? 96 : 24} height={big === true ? 96 : 24} />
  return <TypeIcon folder={entry.isDirectory} class={cls} />
}

/** "Preview" for images, video and audio, "Edit" for text; nothing for other files. */
export function PreviewButton({ entry }: { entry: Entry }) {
  const media = useContext(MediaContext)
  const kind = previewKind(entry)
  if (media === undefined || kind === undefined) return null
  const verb = kind === 'text' ? 'Edit' : 'Preview'
  return <button type="button" class="preview-button" onClick={() => media.onPreview(entry)} aria-label={`${verb} ${entry.name}`}>{verb}</button>
}
