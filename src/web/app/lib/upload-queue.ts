// The uploads of a session: each file (from the picker or dropped, folders included) is queued
// with its target path, uploaded by the client worker two at a time with byte progress, and can be
// cancelled while queued or running. Views subscribe to changes.
import { errorText, isCancel } from './error-text.ts'
import { joinPath, parentOf } from './paths.ts'
import { afterUpload } from './video-thumbnail.ts'
import type { WorkerRpc } from './worker-rpc.ts'

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'cancelled'

export interface Upload {
  readonly id: number
  readonly name: string
  /** Where the file goes: "/<user>/dir/name". */
  readonly path: string
  readonly total: number
  bytes: number
  status: UploadStatus
  error?: string
}

/** A file chosen for upload, with its path relative to the folder it goes into ("a/b.txt" for folders). */
export interface ChosenFile {
  readonly file: File
  readonly relativePath: string
}

const PARALLEL = 2

export class UploadQueue {
  readonly items: Upload[] = []
  private nextId = 1
  private running = 0
  private readonly files = new Map<number, File>()
  private readonly aborts = new Map<number, AbortController>()
  private readonly listeners = new Set<() => void>()
  /** Folders already created in this session. */
  private readonly made = new Set<string>()

  constructor(private readonly rpc: WorkerRpc, private readonly onFileDone: (folder: string) => void) {}

  subscribe(f: () => void): () => void {
    this.listeners.add(f)
    return () => this.listeners.delete(f)
  }

  add(folder: string, chosen: readonly ChosenFile[]): void {
    for (const c of chosen) {
      const id = this.nextId++
      this.files.set(id, c.file)
      this.items.push({ id, name: c.relativePath, path: joinPath(folder, c.relativePath), total: c.file.size, bytes: 0, status: 'queued' })
    }
    this.changed()
    this.pump()
  }

  cancel(id: number): void {
    const u = this.items.find((i) => i.id === id)
    if (u === undefined) return
    if (u.status === 'queued') {
      u.status = 'cancelled'
      this.files.delete(id)
      this.changed()
    } else if (u.status === 'uploading') this.aborts.get(id)?.abort()
  }

  cancelAll(): void {
    for (const u of this.items) this.cancel(u.id)
  }

  clearFinished(): void {
    const keep = this.items.filter((u) => u.status === 'queued' || u.status === 'uploading')
    this.items.splice(0, this.items.length, ...keep)
    this.changed()
  }

  /** Bytes done and total over the uploads not cancelled. */
  overall(): { bytes: number; total: number; active: boolean } {
    let bytes = 0
    let total = 0
    let active = false
    for (const u of this.items) {
      if (u.status === 'cancelled') continue
      bytes += u.status === 'done' ? u.total : u.bytes
      total += u.total
      if (u.status === 'queued' || u.status === 'uploading') active = true
    }
    return { bytes, total, active }
  }

  private changed(): void {
    for (const f of this.listeners) f()
  }

  private pump(): void {
    while (this.running < PARALLEL) {
      const next = this.items.find((u) => u.status === 'queued')
      if (next === undefined) return
      this.running++
      void this.run(next).finally(() => {
        this.running--
        this.pump()
      })
    }
  }

  private async run(u: Upload): Promise<void> {
    const file = this.files.get(u.id)!
    const abort = new AbortController()
    this.aborts.set(u.id, abort)
    u.status = 'uploading'
    this.changed()
    try {
      const folder = parentOf(u.path)
      if (u.name.includes('/') && !this.made.has(folder)) {
        await this.rpc.call('mkdir', { path: folder, parents: true }, { signal: abort.signal })
        this.made.add(folder)
      }
      const stored = await this.rpc.call('upload', { path: u.path, file }, {
        signal: abort.signal,
        onProgress: (p) => {
          u.bytes = p.bytes
          this.changed()
        },
      })
      await afterUpload(this.rpc, stored, file) // a video's thumbnail (lib/video-thumbnail.ts)
      u.bytes = u.total
      u.status = 'done'
      this.onFileDone(folder)
    } catch (e) {
      u.status = isCancel(e) ? 'cancelled' : 'failed'
      if (!isCancel(e)) u.error = errorText(e)
    } finally {
      this.files.delete(u.id)
      this.aborts.delete(u.id)
      this.changed()
    }
  }
}
