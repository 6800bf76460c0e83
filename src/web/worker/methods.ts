// The client worker's methods, one per entry of WorkerApi (shared/rpc-protocol.ts): accounts
// (sign up, sign in, sign out, password change) and the drive (list, mkdir, move, copy, remove,
// upload, download). Each gets its parameters, a progress callback and the call's AbortSignal.
import type { FileInfo } from '../../client/file-system.ts'
import { moveWithRecords, removeWithRecords } from '../../client/social/social.ts'
import { UserContext } from '../../client/user-context.ts'
import { attachThumbnail, mediaMethods } from './media-methods.ts'
import type { Entry, MethodName, Params, Progress, Result } from '../shared/rpc-protocol.ts'
import { feedPort, fileChunks } from './file-streams.ts'
import { currentUser, networkAt, setUser } from './session.ts'
import { sharedAncestorListing, socialMethods } from './social-methods.ts'

/** Chunks sealed or stored at once in an upload, and read ahead of the one being consumed in a download. */
const UPLOAD_CHUNKS_IN_FLIGHT = 5
const DOWNLOAD_CHUNKS_AHEAD = 4

export type Method<M extends MethodName> = (params: Params<M>, progress: (p: Progress<M>) => void, signal: AbortSignal) => Promise<Result<M>>
export type MethodTable = { [M in MethodName]: Method<M> }

function entryOf(f: FileInfo): Entry {
  return { name: f.name, path: f.path, isDirectory: f.isDirectory, isHidden: f.isHidden, size: f.size, mimeType: f.mimeType, modified: f.modified }
}

/** The API base the page was served under: the worker's script lives in <base>assets/. */
function apiBase(): string {
  return new URL('..', self.location.href).href
}

export const methods: MethodTable = {
  ...socialMethods,

  async signUp({ username, password }, progress) {
    progress({ phase: 'keys' })
    const user = await UserContext.signUp(await networkAt(apiBase()), username, password)
    await setUser(user)
    progress({ phase: 'done' })
    return { username: user.username }
  },

  async signIn({ username, password }, progress) {
    progress({ phase: 'keys' })
    const user = await UserContext.signIn(await networkAt(apiBase()), username, password)
    await setUser(user)
    progress({ phase: 'done' })
    return { username: user.username }
  },

  async signOut() {
    await setUser(undefined)
  },

  async changePassword({ oldPassword, newPassword }) {
    await currentUser().changePassword(oldPassword, newPassword)
  },

  async list({ path }) {
    const above = await sharedAncestorListing(path) // a folder above items others shared with us
    if (above !== undefined) return above
    return (await currentUser().fs.list(path)).filter((f) => !f.isHidden).map(entryOf)
  },

  async mkdir({ path, parents }) {
    await currentUser().fs.mkdir(path, { parents: parents === true })
  },

  async move({ from, to }) {
    await moveWithRecords(currentUser(), from, to)
  },

  async copy({ from, to }) {
    await currentUser().fs.copy(from, to)
  },

  async remove({ path }) {
    await removeWithRecords(currentUser(), path)
  },

  async upload({ path, file }, progress, signal) {
    const total = file.size
    progress({ bytes: 0, total })
    const info = await currentUser().fs.writeFile(path, fileChunks(file, signal), {
      size: total,
      signal,
      chunksInFlight: UPLOAD_CHUNKS_IN_FLIGHT,
      mimeType: file.type === '' ? undefined : file.type,
      modified: file.lastModified > 0 ? file.lastModified : undefined,
      onProgress: (bytes) => progress({ bytes: Math.min(bytes, total), total }),
    })
    // Peergos' way: the image's thumbnail goes into its properties once the file is stored
    await attachThumbnail(currentUser(), path, file, info.mimeType, signal)
    progress({ bytes: total, total })
    return entryOf(info)
  },

  async download({ path, port }, _progress, signal) {
    await feedPort(port, currentUser().fs.readFile(path, { chunksAhead: DOWNLOAD_CHUNKS_AHEAD }), signal)
  },

  ...mediaMethods,
}
