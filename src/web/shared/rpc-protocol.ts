// The typed message protocol between the page and the client worker (src/web/worker): each method
// of `WorkerApi` is one request with its parameters, its result and the progress events it may
// send. A call can be cancelled; the worker then aborts the operation's AbortSignal. To add a
// method: declare it here, implement it in worker/methods.ts; the page calls it with rpc.call().
import type { SocialApi } from './social-protocol.ts'
import type { MediaApi } from './media-protocol.ts'

/** What the page knows of a signed-in user. */
export interface SessionInfo {
  readonly username: string
}

/** A directory entry as the page shows it (FileSystem's FileInfo, minus nothing secret). */
export interface Entry {
  readonly name: string
  readonly path: string
  readonly isDirectory: boolean
  readonly isHidden: boolean
  readonly size: number
  readonly mimeType: string
  /** Epoch milliseconds. */
  readonly modified: number
}

/** Byte progress of a transfer. */
export interface TransferProgress {
  readonly bytes: number
  readonly total: number
}

/** The phases of a sign-in or sign-up the page shows while keys are derived. */
export interface LoginProgress {
  readonly phase: 'keys' | 'account' | 'done'
}

/** Every worker method: name → parameters, result, progress event (the social ones in social-protocol.ts). */
export interface WorkerApi extends SocialApi {
  signUp: { params: { username: string; password: string }; result: SessionInfo; progress: LoginProgress }
  signIn: { params: { username: string; password: string }; result: SessionInfo; progress: LoginProgress }
  signOut: { params: Record<string, never>; result: void; progress: never }
  changePassword: { params: { oldPassword: string; newPassword: string }; result: void; progress: never }
  list: { params: { path: string }; result: Entry[]; progress: never }
  /** `parents`: create missing folders on the way, and succeed if the folder exists. */
  mkdir: { params: { path: string; parents?: boolean }; result: void; progress: never }
  move: { params: { from: string; to: string }; result: void; progress: never }
  copy: { params: { from: string; to: string }; result: void; progress: never }
  remove: { params: { path: string }; result: void; progress: never }
  /** Streams a File (structured-cloned, not read whole) into `path`. */
  upload: { params: { path: string; file: File }; result: Entry; progress: TransferProgress }
  /** Feeds `path` into `port` chunk by chunk as the port's reader pulls (see shared/download-port.ts). */
  download: { params: { path: string; port: MessagePort }; result: void; progress: never }
}

export type MethodName = keyof WorkerApi
export type Params<M extends MethodName> = WorkerApi[M]['params']
export type Result<M extends MethodName> = WorkerApi[M]['result']
export type Progress<M extends MethodName> = WorkerApi[M]['progress']

/** An error as it crosses the worker boundary: its class name (PeergosError names) and message. */
export interface WireError {
  readonly name: string
  readonly message: string
}

export type PageMessage =
  | { readonly kind: 'call'; readonly id: number; readonly method: MethodName; readonly params: unknown }
  | { readonly kind: 'cancel'; readonly id: number }

export type WorkerMessage =
  | { readonly kind: 'ready' }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: WireError }
  | { readonly kind: 'progress'; readonly id: number; readonly progress: unknown }

/** Objects moved (not copied) with a call's parameters. */
export function transferablesOf(params: unknown): Transferable[] {
  if (params === null || typeof params !== 'object') return []
  return Object.values(params).filter((v): v is MessagePort => typeof MessagePort !== 'undefined' && v instanceof MessagePort)
}

/** The media methods (thumbnails, the text editor, streamed media), declared in media-protocol.ts. */
export interface WorkerApi extends MediaApi {}
