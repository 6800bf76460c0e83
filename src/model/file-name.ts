// File-name rules (reference §2.3, FileProperties / PathElement): Peergos refuses names containing
// '/', '.', '..', the empty name and names over 255 UTF-16 units; for names a user types we also
// refuse NUL and more than 255 UTF-8 bytes (what common file systems accept).
import { PeergosError } from '../errors.ts'
import { utf8 } from './bytes.ts'

/** FileProperties.MAX_FILE_NAME_SIZE (Java String.length, i.e. UTF-16 units). */
export const MAX_FILE_NAME_SIZE = 255
/** FileProperties.MAX_PATH_SIZE. */
export const MAX_PATH_SIZE = 4096

/** A file or directory name that is not allowed. */
export class InvalidFileNameError extends PeergosError {}

/** The rule the real Peergos enforces on every FileProperties and child entry (used by the decoders, so what Peergos writes is read). */
export function checkPeergosFileName(name: string): string {
  if (name.length > MAX_FILE_NAME_SIZE) throw new InvalidFileNameError(`File and directory names must be at most ${MAX_FILE_NAME_SIZE} characters`)
  if (name.includes('/')) throw new InvalidFileNameError("Invalid character '/' in file name")
  if (name === '' || name === '.' || name === '..') throw new InvalidFileNameError(`Invalid file name '${name}'`)
  return name
}

/** The stricter rule for names a user creates: Peergos' rule plus no NUL and at most 255 UTF-8 bytes. */
export function validateFileName(name: string): string {
  if (typeof name !== 'string') throw new InvalidFileNameError('A file name must be a string')
  checkPeergosFileName(name)
  if (name.includes('\0')) throw new InvalidFileNameError('Invalid character NUL in file name')
  if (utf8(name).length > MAX_FILE_NAME_SIZE) throw new InvalidFileNameError(`File name is longer than ${MAX_FILE_NAME_SIZE} UTF-8 bytes`)
  return name
}

/** FileProperties.ensureValidPath. */
export function validatePath(path: string): string {
  if (path.length > MAX_PATH_SIZE) throw new InvalidFileNameError(`Path too long! Paths must be smaller than ${MAX_PATH_SIZE}`)
  return path
}
