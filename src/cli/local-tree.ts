// A local folder as `put` uploads it: every directory and regular file below it (symbolic links to
// files followed, links to directories and special files skipped), with sizes, in a stable order,
// and every name checked against Peergos' file-name rules before anything is uploaded.
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { InvalidFileNameError, validateFileName } from '../model/file-name.ts'

export interface LocalFile {
  /** Path elements below the root. */
  readonly rel: readonly string[]
  readonly abs: string
  readonly size: number
}

export interface LocalTree {
  /** Directories below the root (path elements), each after its parent. */
  readonly dirs: readonly (readonly string[])[]
  readonly files: readonly LocalFile[]
  readonly bytes: number
  /** Local paths left out (links to directories, sockets, devices...). */
  readonly skipped: readonly string[]
}

export async function scanLocalTree(root: string): Promise<LocalTree> {
  const dirs: string[][] = []
  const files: LocalFile[] = []
  const skipped: string[] = []
  let bytes = 0
  const walk = async (abs: string, rel: string[]): Promise<void> => {
    const entries = (await readdir(abs, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    for (const e of entries) {
      const path = join(abs, e.name)
      checkName(e.name, path)
      if (e.isDirectory()) {
        dirs.push([...rel, e.name])
        await walk(path, [...rel, e.name])
      } else if (e.isFile() || e.isSymbolicLink()) {
        const st = await stat(path)
        if (!st.isFile()) {
          skipped.push(path)
          continue
        }
        files.push({ rel: [...rel, e.name], abs: path, size: st.size })
        bytes += st.size
      } else {
        skipped.push(path)
      }
    }
  }
  await walk(root, [])
  return { dirs, files, bytes, skipped }
}

/** A local name Peergos cannot store, reported with its local path. */
export function checkName(name: string, localPath: string): void {
  try {
    validateFileName(name)
  } catch (e) {
    if (e instanceof InvalidFileNameError) throw new InvalidFileNameError(`${localPath}: ${e.message}`)
    throw e
  }
}
