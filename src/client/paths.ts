// Peergos paths as users type them: absolute, '/'-separated, the first element the owner's
// username (`/alice/docs/a.txt`). Every element is checked with the same name rule everywhere.
import { InvalidFileNameError, validateFileName, validatePath } from '../model/file-name.ts'

export interface ParsedPath {
  /** The owner's username (the first element). */
  readonly owner: string
  /** The elements below the owner's home directory (empty for the home directory itself). */
  readonly names: readonly string[]
}

/** Splits an absolute path into its validated elements; a trailing '/' and repeated '/' are tolerated. */
export function parsePath(path: string): ParsedPath {
  if (typeof path !== 'string' || !path.startsWith('/')) throw new InvalidFileNameError(`Paths must be absolute (start with '/'): '${path}'`)
  validatePath(path)
  const parts = path.split('/').filter((p) => p !== '')
  if (parts.length === 0) throw new InvalidFileNameError("The path '/' names no user's directory")
  for (const p of parts) validateFileName(p)
  return { owner: parts[0], names: parts.slice(1) }
}

/** The path of the directory holding `path`, and the last name in it. */
export function splitParent(path: string): { parent: string; name: string } {
  const { owner, names } = parsePath(path)
  if (names.length === 0) throw new InvalidFileNameError(`'${path}' is a home directory and has no parent`)
  return { parent: '/' + [owner, ...names.slice(0, -1)].join('/'), name: names[names.length - 1] }
}

export function joinPath(dir: string, name: string): string {
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`
}
