// The client worker's media methods (MediaApi in shared/media-protocol.ts, merged into the method
// table of methods.ts): a file's thumbnail read from its FileProperties, the thumbnail made and
// stored after an image upload (videos: made on the page, stored here), text loaded and saved for
// the editor, and a media session feeding the service worker's byte ranges from any offset
// (FileSystem.readFile's seek).
import { PeergosError } from '../../errors.ts'
import { THUMBNAIL_MAX_BYTES } from '../../model/file-properties.ts'
import type { UserContext } from '../../client/user-context.ts'
import { TEXT_EDIT_MAX_BYTES, type MediaApi, type RangeRequest } from '../shared/media-protocol.ts'
import type { Method } from './methods.ts'
import { feedPort } from './file-streams.ts'
import { currentUser } from './session.ts'
import { hasImageThumbnail, imageThumbnail } from './thumbnails.ts'

/** A text file too large for the editor. */
export class FileTooLargeToEditError extends PeergosError {}
/** A file opened as text that is not UTF-8. */
export class NotTextError extends PeergosError {}
/** A thumbnail from the page that FileProperties cannot hold. */
export class InvalidThumbnailError extends PeergosError {}
/** A media range request the service worker should never send. */
export class InvalidRangeError extends PeergosError {}

type MediaMethods = { [M in keyof MediaApi]: Method<M> }

/** Makes the thumbnail of an uploaded image and stores it in its properties; never fails the upload. */
export async function attachThumbnail(user: UserContext, path: string, file: Blob, mimeType: string, signal?: AbortSignal): Promise<boolean> {
  if (!hasImageThumbnail(mimeType)) return false
  try {
    const thumbnail = await imageThumbnail(file, mimeType)
    if (thumbnail === undefined || signal?.aborted === true) return false
    await user.fs.setThumbnail(path, thumbnail)
    return true
  } catch {
    return false
  }
}

function isRangeRequest(m: unknown): m is RangeRequest {
  const r = m as RangeRequest | null
  return r?.kind === 'range' && r.port instanceof MessagePort
}

export const mediaMethods: MediaMethods = {
  async thumbnail({ path }) {
    const user = currentUser()
    const cap = await user.fs.capabilityOf(path)
    const entry = await user.reader.snapshot().stat(cap)
    const t = entry.properties.thumbnail
    return t === undefined ? null : { mimeType: t.mimeType, data: t.data }
  },

  async setThumbnail({ path, thumbnail }) {
    if (!(thumbnail?.data instanceof Uint8Array) || !/^image\/(webp|jpeg|png)$/.test(thumbnail.mimeType) || thumbnail.data.length > THUMBNAIL_MAX_BYTES) {
      throw new InvalidThumbnailError('A thumbnail is a WebP, JPEG or PNG image of at most 100 KiB')
    }
    await currentUser().fs.setThumbnail(path, { mimeType: thumbnail.mimeType, data: thumbnail.data })
  },

  async readText({ path }) {
    const fs = currentUser().fs
    const info = await fs.stat(path)
    if (info.size > TEXT_EDIT_MAX_BYTES) throw new FileTooLargeToEditError(`${info.name} is too large to edit here (${info.size} bytes; at most ${TEXT_EDIT_MAX_BYTES})`)
    const bytes = await fs.readFileBytes(path)
    try {
      return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), mimeType: info.mimeType, size: info.size }
    } catch {
      throw new NotTextError(`${info.name} is not UTF-8 text`)
    }
  },

  async writeText({ path, text, mimeType }, _progress, signal) {
    const info = await currentUser().fs.writeFile(path, new TextEncoder().encode(text), { overwrite: true, mimeType, signal })
    return { size: info.size, modified: info.modified }
  },

  async serveMedia({ path, port }, _progress, signal) {
    const fs = currentUser().fs
    const info = await fs.stat(path)
    if (info.isDirectory) throw new InvalidRangeError(`${path} is a directory`)
    const feeds = new Set<AbortController>()
    await new Promise<void>((resolve) => {
      port.onmessage = (e: MessageEvent<unknown>) => {
        const m = e.data
        if (!isRangeRequest(m)) return
        const a = new AbortController()
        if (!Number.isSafeInteger(m.offset) || !Number.isSafeInteger(m.length) || m.offset < 0 || m.length < 0 || m.offset + m.length > info.size) {
          m.port.postMessage({ kind: 'error', name: 'InvalidRangeError', message: `Bytes ${m.offset}+${m.length} are outside the file` })
          m.port.close()
          return
        }
        feeds.add(a)
        void feedPort(m.port, fs.readFile(path, { offset: m.offset, length: m.length, signal: a.signal }), a.signal).finally(() => feeds.delete(a))
      }
      port.start()
      signal.addEventListener('abort', () => {
        for (const a of feeds) a.abort()
        port.close()
        resolve()
      }, { once: true })
    })
  },
}
