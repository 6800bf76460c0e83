// A remote folder as `get` downloads it, read by capability from one consistent snapshot of the
// tree: the folder is resolved once (FileSystem.capabilityOf), each directory is listed once (its
// children's first chunks 20 to a request), and small files are read 20 to a request with their
// data. Reading each file by path instead re-resolves it from the top (about ten requests per small
// file). Every block is verified by the client's TreeReader.
import { NotFoundError } from '../client/errors.ts'
import { CHUNK_SIZE, LOOKUP_BATCH, TreeReader, type TreeEntry } from '../client/tree-reader.ts'
import type { UserContext } from '../client/user-context.ts'
import type { AbsoluteCapability } from '../model/capability.ts'
import type { FileProperties } from '../model/file-properties.ts'

export interface RemoteFile {
  /** Path elements below the folder. */
  readonly rel: readonly string[]
  readonly cap: AbsoluteCapability
  readonly properties: FileProperties
}

export interface RemoteTree {
  /** Directories below the folder (path elements), each after its parent. */
  readonly dirs: readonly (readonly string[])[]
  readonly files: readonly RemoteFile[]
}

/** A snapshot reader of the user's tree (each writer's pointer read once). */
export function snapshotReader(user: UserContext): TreeReader {
  return new TreeReader(user.net).snapshot()
}

/** Every directory and file below the folder `cap` (write-share link nodes followed). */
export async function walkRemote(reader: TreeReader, cap: AbsoluteCapability): Promise<RemoteTree> {
  const dirs: string[][] = []
  const files: RemoteFile[] = []
  const walk = async (dirCap: AbsoluteCapability, rel: string[]): Promise<void> => {
    for (const listed of await reader.list(dirCap)) {
      const entry = listed.isLink ? await followLink(reader, listed) : listed
      const path = [...rel, listed.name]
      if (entry.isDirectory) {
        dirs.push(path)
        await walk(entry.cap, path)
      } else {
        files.push({ rel: path, cap: entry.cap, properties: entry.properties })
      }
    }
  }
  await walk(cap, [])
  return { dirs, files }
}

async function followLink(reader: TreeReader, link: TreeEntry): Promise<TreeEntry> {
  return reader.stat(await reader.linkTarget(link.cap), link.name)
}

/** Whether a file is read whole with others (one chunk, small enough to hold a batch in memory). */
export function isSmallFile(f: RemoteFile, limit: number): boolean {
  return f.properties.size <= Math.min(limit, CHUNK_SIZE)
}

/** Reads single-chunk files, LOOKUP_BATCH to a request, handing each file's bytes to `onFile`. */
export async function readSmallFiles(reader: TreeReader, files: readonly RemoteFile[], onFile: (f: RemoteFile, data: Uint8Array) => Promise<void>): Promise<void> {
  for (let i = 0; i < files.length; i += LOOKUP_BATCH) {
    const batch = files.slice(i, i + LOOKUP_BATCH)
    const chunks = await reader.readChunks(batch.map((f) => f.cap), true)
    await Promise.all(batch.map((f, k) => {
      const size = f.properties.size
      const data = size === 0 ? new Uint8Array(0) : chunks[k]?.data
      if (data === undefined || data.length < size) throw new NotFoundError(`${f.rel.join('/')}: the file's data is missing or short`)
      return onFile(f, data.subarray(0, size))
    }))
  }
}
