// `peergos-ts put LOCAL REMOTE`: uploads a file or a folder. A folder's directories are made first
// (one commit per leaf directory, ancestors included); its small files go in batches, each batch one
// commit (FileSystem.writeFiles); large files and files that already exist (overwritten) are
// streamed from disk one at a time. Concurrent writers into the same folders are fine: every commit
// is retried on a newer tree by the client's writer session.
import { createReadStream } from 'node:fs'
import { readFile, stat as localStat } from 'node:fs/promises'
import { basename } from 'node:path'
import { FileExistsError } from '../client/dir-ops.ts'
import { NotFoundError } from '../client/errors.ts'
import type { FileInfo, FileSystem } from '../client/file-system.ts'
import { joinPath } from '../client/paths.ts'
import { transferSummary } from './format.ts'
import { checkName, scanLocalTree, type LocalFile } from './local-tree.ts'
import { progressBar, type Progress } from './progress.ts'
import { printJson, signIn, type CommandContext, type UserCommand } from './session.ts'

/** Files up to this size are read whole and uploaded in batches. */
export const SMALL_FILE_BYTES = 1024 * 1024
/** A batch of small files: at most this many bytes and files (one commit each). */
export const BATCH_BYTES = 8 * 1024 * 1024
export const BATCH_FILES = 200
/** Bytes read from disk at a time when streaming a large file. */
const READ_BYTES = 1024 * 1024

export const put: UserCommand = {
  name: 'put',
  synopsis: 'LOCAL REMOTE',
  summary: 'upload a file or a folder (recursively)',
  details: 'When REMOTE is an existing directory, LOCAL goes into it under its own name; otherwise it is stored as REMOTE.\nExisting files are overwritten. --json prints {path, files, dirs, bytes, ms} (ms: the transfer after login).',
  options: [],
  arity: [2, 2],
  async run(cx) {
    const [local, remote] = cx.args.positional
    await putLocal(cx, local, remote, async () => (await signIn(cx, [remote])).fs)
  },
}

/** Uploads the file or folder `local` to `remote` in the file system `open` gives (after the local scan), and reports it. */
export async function putLocal(cx: Pick<CommandContext, 'json'>, local: string, remote: string, open: () => Promise<FileSystem>): Promise<void> {
  const st = await localStat(local)
  if (!st.isFile() && !st.isDirectory()) throw new FileExistsError(`${local} is neither a file nor a directory`)
  const tree = st.isDirectory() ? await scanLocalTree(local) : undefined
  for (const p of tree?.skipped ?? []) process.stderr.write(`peergos-ts: skipping ${p} (not a regular file or directory)\n`)
  const fs = await open()
  const start = performance.now()
  const target = await targetPath(fs, local, remote)
  const total = tree?.bytes ?? st.size
  const progress = progressBar(basename(local), total)
  let dirs = 0
  if (tree === undefined) {
    await uploadFile(fs, { rel: [], abs: local, size: st.size }, target, progress)
  } else {
    const existing = await statIfExists(fs, target)
    if (existing !== undefined && !existing.isDirectory) throw new FileExistsError(`${target} exists and is not a directory`)
    dirs = await makeDirectories(fs, target, tree.dirs)
    for (const [dir, files] of byDirectory(tree.files)) await uploadDirectoryFiles(fs, joinPath(target, dir), files, progress)
  }
  progress.finish()
  const ms = Math.round(performance.now() - start)
  const files = tree?.files.length ?? 1
  if (cx.json) printJson({ path: target, files, dirs, bytes: total, ms })
  else process.stdout.write(`put ${files} file${files === 1 ? '' : 's'} to ${target}: ${transferSummary(total, ms)}\n`)
}

/** REMOTE itself, or REMOTE/<name of LOCAL> when REMOTE is an existing directory. */
async function targetPath(fs: FileSystem, local: string, remote: string): Promise<string> {
  const info = await statIfExists(fs, remote)
  if (info === undefined || !info.isDirectory) return remote
  const name = basename(local)
  checkName(name, local)
  return joinPath(remote, name)
}

async function statIfExists(fs: FileSystem, path: string): Promise<FileInfo | undefined> {
  try {
    return await fs.stat(path)
  } catch (e) {
    if (e instanceof NotFoundError) return undefined
    throw e
  }
}

/** Makes the target and every directory below it: one mkdir -p per leaf directory. */
async function makeDirectories(fs: FileSystem, target: string, dirs: readonly (readonly string[])[]): Promise<number> {
  const parents = new Set(dirs.map((d) => d.slice(0, -1).join('/')))
  const leaves = dirs.map((d) => d.join('/')).filter((p) => !parents.has(p))
  await fs.mkdir(target, { parents: true })
  for (const leaf of leaves) await fs.mkdir(joinPath(target, leaf), { parents: true })
  return dirs.length
}

/** The files grouped by their directory below the root ('' for the root), in scan order. */
function byDirectory(files: readonly LocalFile[]): Map<string, LocalFile[]> {
  const out = new Map<string, LocalFile[]>()
  for (const f of files) {
    const dir = f.rel.slice(0, -1).join('/')
    const list = out.get(dir) ?? []
    list.push(f)
    out.set(dir, list)
  }
  return out
}

async function uploadDirectoryFiles(fs: FileSystem, dir: string, files: readonly LocalFile[], progress: Progress): Promise<void> {
  const existing = new Set((await fs.list(dir)).map((e) => e.name))
  const name = (f: LocalFile): string => f.rel[f.rel.length - 1]
  const batched = new Set(files.filter((f) => f.size <= SMALL_FILE_BYTES && !existing.has(name(f))))
  let batch: { name: string; data: Uint8Array }[] = []
  let batchBytes = 0
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    await fs.writeFiles(dir, batch)
    progress.add(batchBytes)
    batch = []
    batchBytes = 0
  }
  for (const f of batched) {
    if (batch.length >= BATCH_FILES || batchBytes + f.size > BATCH_BYTES) await flush()
    batch.push({ name: name(f), data: await readFile(f.abs) })
    batchBytes += f.size
  }
  await flush()
  for (const f of files) {
    if (!batched.has(f)) await uploadFile(fs, f, joinPath(dir, name(f)), progress)
  }
}

/** One file, streamed from disk when large; an existing file of that name is overwritten. */
async function uploadFile(fs: FileSystem, f: LocalFile, remote: string, progress: Progress): Promise<void> {
  let reported = 0
  const onProgress = (n: number): void => {
    progress.add(n - reported)
    reported = n
  }
  const source = f.size <= SMALL_FILE_BYTES ? await readFile(f.abs) : createReadStream(f.abs, { highWaterMark: READ_BYTES })
  await fs.writeFile(remote, source, { onProgress })
}
