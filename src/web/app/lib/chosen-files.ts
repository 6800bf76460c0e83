// Files chosen for upload with their paths relative to the target folder: from a file input
// (webkitRelativePath for a folder picker) or from a drop, whose folders are walked through the
// FileSystem entry API.
import type { ChosenFile } from './upload-queue.ts'

export function fromInput(files: FileList | null): ChosenFile[] {
  return [...(files ?? [])].map((file) => ({ file, relativePath: file.webkitRelativePath !== '' ? file.webkitRelativePath : file.name }))
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject))
}

async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const out: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject))
    if (batch.length === 0) return out
    out.push(...batch)
  }
}

async function walk(entry: FileSystemEntry, prefix: string, out: ChosenFile[]): Promise<void> {
  const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`
  if (entry.isFile) out.push({ file: await fileOf(entry as FileSystemFileEntry), relativePath: path })
  else if (entry.isDirectory) for (const child of await readAll(entry as FileSystemDirectoryEntry)) await walk(child, path, out)
}

export async function fromDrop(data: DataTransfer): Promise<ChosenFile[]> {
  // entries must be taken synchronously, before the drop event's data goes away
  const entries = [...data.items].map((i) => (i.kind === 'file' ? i.webkitGetAsEntry() : null))
  if (entries.every((e) => e === null)) return fromInput(data.files)
  const out: ChosenFile[] = []
  for (const e of entries) if (e !== null) await walk(e, '', out)
  return out
}
