// The client worker's media methods (worker/media-methods.ts), merged into WorkerApi: a file's
// thumbnail as Peergos keeps it in its FileProperties, text read and saved back for the editor, and
// a media session that answers the service worker's byte-range reads (sw/media-routes.ts) so a
// <video> or <audio> element streams and seeks without the whole file being fetched. Also the
// messages of that media session between the page, the service worker and the client worker.

/** A thumbnail: Peergos' FileProperties `i` (≤ 100 KiB) and `im` (its mime type). */
export interface ThumbnailData {
  readonly mimeType: string
  readonly data: Uint8Array
}

/** A text file as the editor loads it. */
export interface TextContents {
  readonly text: string
  readonly mimeType: string
  readonly size: number
}

/** Text files larger than this open read-only as a download instead (the editor holds them whole). */
export const TEXT_EDIT_MAX_BYTES = 4 * 1024 * 1024

export interface MediaApi {
  /** The file's stored thumbnail, or null when it has none. */
  thumbnail: { params: { path: string }; result: ThumbnailData | null; progress: never }
  /** Stores a thumbnail made on the page (videos) in the file's properties. */
  setThumbnail: { params: { path: string; thumbnail: ThumbnailData }; result: void; progress: never }
  /** The whole file as UTF-8 text (refused past TEXT_EDIT_MAX_BYTES). */
  readText: { params: { path: string }; result: TextContents; progress: never }
  /** Saves `text` as the file's new contents (the file keeps its capability and mime type). */
  writeText: { params: { path: string; text: string; mimeType?: string }; result: { size: number; modified: number }; progress: never }
  /** Answers the byte-range reads arriving on `port` (RangeRequest) until the call is cancelled. */
  serveMedia: { params: { path: string; port: MessagePort }; result: void; progress: never }
}

/** The service worker asks the client worker for bytes [offset, offset + length), fed into `port` (shared/download-port.ts). */
export interface RangeRequest {
  readonly kind: 'range'
  readonly offset: number
  readonly length: number
  readonly port: MessagePort
}

/** The page registers a media session with the service worker, served at <scope>media/<id>/<name>. */
export interface RegisterMedia {
  readonly kind: 'register-media'
  readonly id: string
  readonly size: number
  readonly mimeType: string
  /** Where RangeRequests go (the client worker's serveMedia). */
  readonly port: MessagePort
  /** Told 'registered' once the media URL can be opened. */
  readonly ack: MessagePort
}

/** The page ends a media session (the viewer closed). */
export interface UnregisterMedia {
  readonly kind: 'unregister-media'
  readonly id: string
}

/** Sent while a viewer is open, so the browser keeps the service worker (and its sessions) alive. */
export interface MediaKeepAlive {
  readonly kind: 'media-keepalive'
}

export type MediaSwMessage = RegisterMedia | UnregisterMedia | MediaKeepAlive
