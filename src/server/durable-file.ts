// Small files the server must not lose or see half-written (the PKI mirror's state): written to a
// temporary file, fsynced, renamed over the target, then the directory fsynced.
import { constants } from 'node:fs'
import { open, rename, rm } from 'node:fs/promises'
import { dirname } from 'node:path'

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY)
  try {
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/** Replaces `path` with `bytes` atomically and durably (mode 0600 unless given). */
export async function writeFileDurably(path: string, bytes: Uint8Array, mode = 0o600): Promise<void> {
  const tmp = `${path}.tmp`
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC, mode)
  try {
    await fh.writeFile(bytes)
    await fh.sync()
  } catch (e) {
    await fh.close().catch(() => {})
    await rm(tmp, { force: true }).catch(() => {})
    throw e
  }
  await fh.close()
  await rename(tmp, path)
  await syncDir(dirname(path))
}
