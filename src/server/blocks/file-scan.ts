// FileBlockStore start-up recovery: walk <root>/.ipfs/blocks (user dirs and Peergos' legacy
// unpartitioned shards), rebuild the CID index, delete temp files left by a crash, and make
// everything that survived durable (syncfs) before any of it can be acknowledged again.
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import type { BlockIndex } from './block-index.ts'
import { LEGACY_OWNER, SHARD_DIR, isValidOwnerDir, looksLikeKey, shardOf } from './block-key.ts'
import { forEachLimit } from './concurrency.ts'
import type { DurableIO } from './durable-io.ts'
import { TEMP_SUFFIX } from './durable-io.ts'
import { isNotFound, storeError } from './fs-ops.ts'

export interface ScanReport {
  /** Distinct blocks found. */
  blocks: number
  /** Temp files of interrupted writes that were deleted. */
  tempFilesRemoved: number
  /** Entries that are neither blocks nor store directories (left alone, like Peergos does). */
  ignored: number
  /** How the surviving files were made durable: 'syncfs', 'fsync' (every directory) or 'skipped'. */
  synced: 'syncfs' | 'fsync' | 'skipped'
}

const PARALLEL = 16

/** `parents`: directories above blocksDir that must be durable too (fsynced in the fallback). */
export async function scanBlocks(io: DurableIO, blocksDir: string, index: BlockIndex, sync: boolean, parents: string[]): Promise<ScanReport> {
  const fs = io.fs
  const report: ScanReport = { blocks: 0, tempFilesRemoved: 0, ignored: 0, synced: 'skipped' }
  const dirs: string[] = [...parents, blocksDir]
  const shards: Array<{ dir: string; owner: string; shard: string }> = []
  const owners: string[] = []
  const list = async (dir: string) => {
    try {
      return await fs.readdir(dir)
    } catch (e) {
      throw storeError(e, `list ${dir}`)
    }
  }
  for (const e of await list(blocksDir)) {
    if (e.isDirectory() && SHARD_DIR.test(e.name)) shards.push({ dir: join(blocksDir, e.name), owner: LEGACY_OWNER, shard: e.name })
    else if (e.isDirectory() && isValidOwnerDir(e.name)) owners.push(e.name)
    else report.ignored++
  }
  await forEachLimit(owners, PARALLEL, async (owner) => {
    const dir = join(blocksDir, owner)
    dirs.push(dir)
    for (const e of await list(dir)) {
      if (e.isDirectory() && SHARD_DIR.test(e.name)) shards.push({ dir: join(dir, e.name), owner, shard: e.name })
      else report.ignored++
    }
  })
  await forEachLimit(shards, PARALLEL, async ({ dir, owner, shard }) => {
    dirs.push(dir)
    for (const e of await list(dir)) {
      const name = e.name
      if (e.isFile() && name.endsWith(TEMP_SUFFIX)) {
        try {
          await fs.unlink(join(dir, name))
        } catch (err) {
          if (!isNotFound(err)) throw storeError(err, `remove temp file ${join(dir, name)}`)
        }
        report.tempFilesRemoved++
      } else if (e.isFile() && name.endsWith('.data') && looksLikeKey(name.slice(0, -5)) && shardOf(name.slice(0, -5)) === shard) {
        index.add(name.slice(0, -5), owner)
      } else report.ignored++
    }
  })
  report.blocks = index.size
  if (sync) report.synced = await syncAll(io, blocksDir, dirs)
  return report
}

/** syncfs(2) through coreutils `sync -f`; without it, fsync every store directory. */
async function syncAll(io: DurableIO, blocksDir: string, dirs: string[]): Promise<'syncfs' | 'fsync'> {
  const ok = await new Promise<boolean>((resolve) => {
    execFile('sync', ['-f', blocksDir], { timeout: 300_000 }, (err) => resolve(err === null))
  })
  if (ok) return 'syncfs'
  try {
    await forEachLimit(dirs, PARALLEL, (dir) => io.fsyncDir(dir))
  } catch (e) {
    throw storeError(e, 'sync the block store')
  }
  return 'fsync'
}
