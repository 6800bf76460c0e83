// Small whole-file reads and writes in the user's own tree for the social state files (all stored
// as Peergos stores them: application/octet-stream, hidden or not as Peergos makes them).
import { NotFoundError } from '../errors.ts'
import type { FileSystem } from '../file-system.ts'
import { OCTET_STREAM } from './names.ts'

/** The file's bytes, or undefined when there is no such file. */
export async function readIfExists(fs: FileSystem, path: string): Promise<Uint8Array | undefined> {
  try {
    return await fs.readFileBytes(path)
  } catch (e) {
    if (e instanceof NotFoundError) return undefined
    throw e
  }
}

/** Creates or replaces a small file. */
export async function writeSmallFile(fs: FileSystem, path: string, data: Uint8Array, hidden: boolean): Promise<void> {
  await fs.writeFile(path, data, { hidden, mimeType: OCTET_STREAM })
}

/** Appends to a file, creating it when absent. */
export async function appendToFile(fs: FileSystem, path: string, data: Uint8Array, hidden: boolean): Promise<void> {
  if (await fs.exists(path)) await fs.append(path, data, { mimeType: OCTET_STREAM })
  else await fs.writeFile(path, data, { hidden, mimeType: OCTET_STREAM, overwrite: false })
}

/** Removes a file when it exists. */
export async function removeIfExists(fs: FileSystem, path: string): Promise<void> {
  try {
    await fs.remove(path)
  } catch (e) {
    if (!(e instanceof NotFoundError)) throw e
  }
}
