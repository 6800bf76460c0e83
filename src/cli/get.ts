// `peergos-ts get REMOTE LOCAL`: downloads a file (to stdout with `-`) or a folder recursively
// (walked and read by capability from one snapshot, see remote-tree.ts).
// Each file is written to a temporary file next to its target, synced, then renamed over it, so a
// failed or interrupted download never leaves a truncated file under the real name; temporary
// files are removed on failure and on Ctrl-C. Remote names that could escape the target folder
// are refused.
import { once } from 'node:events'
import { randomBytes } from 'node:crypto'
import { mkdir, open, rename, stat as localStat, unlink } from 'node:fs/promises'
import { unlinkSync } from 'node:fs'
import { basename, dirname, join, sep } from 'node:path'
import { readFileRange } from '../client/file-download.ts'
import type { FileInfo, FileSystem } from '../client/file-system.ts'
import type { TreeEntry, TreeReader } from '../client/tree-reader.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import { PeergosError } from '../errors.ts'
import { UsageError } from './args.ts'
import { transferSummary } from './format.ts'
import { progressBar, type Progress } from './progress.ts'
import { isSmallFile, readSmallFiles, snapshotReader, walkRemote } from './remote-tree.ts'
import { printJson, signIn, type UserCommand } from './session.ts'

/** The local destination cannot take the download (a directory to stdout, a file in the way, a hostile name). */
export class LocalTargetError extends PeergosError {}

/** Files up to this size are read 20 to a request and held in memory until written. */
const SMALL_FILE_BYTES = 1024 * 1024

export const get: UserCommand = {
  name: 'get',
  synopsis: 'REMOTE LOCAL',
  summary: "download a file or a folder (recursively); LOCAL '-' writes a file to stdout",
  details: 'When LOCAL is an existing directory, REMOTE goes into it under its own name; otherwise it is written as LOCAL.\nExisting local files are replaced. --json prints {path, files, bytes, ms} (ms: the transfer after login).',
  options: [],
  arity: [2, 2],
  async run(cx) {
    const [remote, local] = cx.args.positional
    if (local === '-' && cx.json) throw new UsageError("--json cannot be used when the file goes to stdout ('-')")
    const user = await signIn(cx, [remote])
    const start = performance.now()
    const info = await user.fs.stat(remote)
    const temps = new TempFiles()
    let result: Got
    try {
      if (local === '-') {
        if (info.isDirectory) throw new LocalTargetError(`${remote} is a directory; only a file can be written to stdout`)
        const progress = progressBar(info.name, info.size)
        result = { path: '-', files: 1, bytes: await toStdout(user.fs.readFile(remote), progress) }
        progress.finish()
      } else {
        const target = (await localKind(local)) === 'directory' ? join(local, safeName(info.name)) : local
        result = info.isDirectory ? await getFolder(snapshotReader(user), await user.fs.capabilityOf(remote), target, temps) : await getFile(user.fs, info, target, temps)
      }
    } finally {
      temps.close()
    }
    const ms = Math.round(performance.now() - start)
    if (cx.json) printJson({ ...result, ms })
    else if (local !== '-') process.stdout.write(`got ${result.files} file${result.files === 1 ? '' : 's'} to ${result.path}: ${transferSummary(result.bytes, ms)}\n`)
  },
}

export interface Got {
  readonly path: string
  readonly files: number
  readonly bytes: number
}

async function getFile(fs: FileSystem, info: FileInfo, target: string, temps: TempFiles): Promise<Got> {
  const progress = progressBar(info.name, info.size)
  await writeLocalFile(target, fs.readFile(info.path, { reuse: true }), temps, progress) // each piece is written out before the next is asked for
  progress.finish()
  return { path: target, files: 1, bytes: info.size }
}

/**
 * Downloads an item read by capability (a secret link's): a file to `local` ('-': stdout) or into it
 * when it is a directory, a folder recursively. Returns what was written.
 */
export async function getEntry(reader: TreeReader, entry: TreeEntry, local: string): Promise<Got> {
  const temps = new TempFiles()
  try {
    if (local === '-') {
      if (entry.isDirectory) throw new LocalTargetError(`${entry.name} is a directory; only a file can be written to stdout`)
      const progress = progressBar(entry.name, entry.properties.size)
      const bytes = await toStdout(readFileRange(reader, entry.cap, entry.properties), progress)
      progress.finish()
      return { path: '-', files: 1, bytes }
    }
    const target = (await localKind(local)) === 'directory' ? join(local, safeName(entry.name)) : local
    if (entry.isDirectory) return await getFolder(reader, entry.cap, target, temps)
    const progress = progressBar(entry.name, entry.properties.size)
    await writeLocalFile(target, readFileRange(reader, entry.cap, entry.properties), temps, progress)
    progress.finish()
    return { path: target, files: 1, bytes: entry.properties.size }
  } finally {
    temps.close()
  }
}

/** A folder: the tree is walked first (all names checked), then directories made, then files written. */
async function getFolder(reader: TreeReader, cap: AbsoluteCapability, target: string, temps: TempFiles): Promise<Got> {
  if ((await localKind(target)) === 'file') throw new LocalTargetError(`${target} exists and is not a directory`)
  const tree = await walkRemote(reader, cap)
  const localPath = (rel: readonly string[]): string => join(target, ...rel.map(safeName))
  const dirs = [target, ...tree.dirs.map(localPath)]
  const files = tree.files.map((f) => ({ f, local: localPath(f.rel) }))
  const bytes = tree.files.reduce((n, f) => n + f.properties.size, 0)
  const progress = progressBar(basename(target), bytes)
  for (const d of dirs) await mkdir(d, { recursive: true })
  const small = files.filter(({ f }) => isSmallFile(f, SMALL_FILE_BYTES))
  const localOf = new Map(small.map(({ f, local }) => [f, local]))
  await readSmallFiles(reader, small.map(({ f }) => f), (f, data) => writeLocalFile(localOf.get(f)!, [data], temps, progress))
  for (const { f, local } of files) {
    if (!localOf.has(f)) await writeLocalFile(local, readFileRange(reader, f.cap, f.properties), temps, progress)
  }
  progress.finish()
  return { path: target, files: files.length, bytes }
}

/** A remote name as a local name; refuses anything that is not a single plain path element. */
function safeName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || (sep === '\\' && name.includes(sep)) || name.includes('\0')) {
    throw new LocalTargetError(`refusing to write the remote name '${name}' to the local disk`)
  }
  return name
}

async function localKind(path: string): Promise<'directory' | 'file' | undefined> {
  try {
    return (await localStat(path)).isDirectory() ? 'directory' : 'file'
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw e
  }
}

/** Writes the chunks to a temporary file next to `target`, syncs it and renames it to `target`. */
async function writeLocalFile(target: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, temps: TempFiles, progress: Progress): Promise<void> {
  const tmp = join(dirname(target), `.peergos-get-${randomBytes(8).toString('hex')}.part`)
  const fh = await open(tmp, 'wx', 0o644).catch((e: unknown) => Promise.reject(namingTarget(e, target)))
  temps.add(tmp)
  try {
    for await (const chunk of chunks) {
      for (let off = 0; off < chunk.length;) off += (await fh.write(chunk, off)).bytesWritten
      progress.add(chunk.length)
    }
    await fh.datasync()
    await fh.close()
    await rename(tmp, target)
    temps.delete(tmp)
  } catch (e) {
    await fh.close().catch(() => {})
    await unlink(tmp).catch(() => {})
    temps.delete(tmp)
    throw namingTarget(e, target)
  }
}

/** A local file error reported on the file the user named, not on its temporary file. */
function namingTarget(e: unknown, target: string): unknown {
  const errno = e as NodeJS.ErrnoException
  if (e instanceof Error && typeof errno.path === 'string') errno.path = target
  return e
}

/** Writes the chunks to stdout, waiting when the pipe is full; returns the bytes written. */
async function toStdout(chunks: AsyncIterable<Uint8Array>, progress: Progress): Promise<number> {
  let bytes = 0
  for await (const chunk of chunks) {
    if (!process.stdout.write(chunk)) await once(process.stdout, 'drain')
    bytes += chunk.length
    progress.add(chunk.length)
  }
  return bytes
}

/** The temporary files being written; removed if the process is interrupted (SIGINT, SIGTERM). */
class TempFiles {
  private readonly paths = new Set<string>()
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    for (const p of this.paths) {
      try {
        unlinkSync(p)
      } catch {
        // already gone
      }
    }
    process.stderr.write('\npeergos-ts: interrupted\n')
    process.exit(signal === 'SIGINT' ? 130 : 143)
  }

  constructor() {
    process.once('SIGINT', this.onSignal)
    process.once('SIGTERM', this.onSignal)
  }

  add(p: string): void {
    this.paths.add(p)
  }

  delete(p: string): void {
    this.paths.delete(p)
  }

  close(): void {
    process.off('SIGINT', this.onSignal)
    process.off('SIGTERM', this.onSignal)
  }
}
