// FileBlockStore: Peergos' FileContentAddressedStorage layout, <root>/.ipfs/blocks/<user>/<XY>/
// <KEY>.data (reference §8.1; vectors README "Facts about the server's storage"), so a Peergos
// data dir is readable here and ours by Peergos. Durable, hash-checked writes; verified reads.
import { dirname, join } from 'node:path'
import { CODEC_RAW, cidToString, type CID } from '../../codec/cid.ts'
import { BlockHashMismatchError } from '../../codec/errors.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { createNodeCrypto } from '../../crypto/providers/node.ts'
import { MAX_BLOCK_SIZE } from '../../services/content-addressed-storage.ts'
import type { BufferPool } from '../buffer-pool.ts'
import { LEGACY_OWNER, cidToKey, shardOf } from './block-key.ts'
import { DurableIO, makeDirs } from './durable-io.ts'
import { CorruptBlockError } from './errors.ts'
import { scanBlocks, type ScanReport } from './file-scan.ts'
import { isNotFound, nodeFsOps, storeError, type FsOps } from './fs-ops.ts'
import { IndexedBlockStore, type CopyDeletion } from './indexed-block-store.ts'
import { WRITE_TIME_SLACK_MS, type DeleteOptions } from './server-block-store.ts'
import { matchesCid } from './verify.ts'

export interface FileBlockStoreOptions {
  /** PEERGOS_PATH. Blocks live in <root>/.ipfs/blocks, corrupt ones are moved to <root>/.ipfs/quarantine. */
  readonly root: string
  readonly crypto?: CryptoProvider
  /** File-system calls (fault injection in tests). */
  readonly fs?: FsOps
  /** At open, make whatever an earlier run left on disk durable (default true). */
  readonly syncOnOpen?: boolean
  /** Writes in flight in putMany (default 8). */
  readonly writeConcurrency?: number
  /**
   * Large blocks are read into buffers leased from this pool (small ones, below its minSize, into
   * their own, since caches keep those). Nothing here releases one (a copy found corrupt aside): the
   * HTTP server does, after sending a block whole as the reply of block/get (NodeServerOptions.replyPool).
   * Whoever else gets a block may keep it: its buffer is then never released.
   */
  readonly readPool?: BufferPool
  /**
   * Fragments (blocks of 128 KiB and more) written and read with O_DIRECT, bypassing the page cache,
   * where the file system supports it (default true; tmpfs does not, and then the page cache is used).
   */
  readonly directIO?: boolean
}

type Read = { kind: 'absent' } | { kind: 'ok'; bytes: Uint8Array } | { kind: 'corrupt' }

/**
 * Like Peergos' FileContentAddressedStorage, it must be the only writer of its directory. CIDs are
 * found through an in-memory index (KEY → owner dirs) built by scanning at open (~0.65 s per 100k
 * blocks); a corrupt copy is moved to <root>/.ipfs/quarantine and reported as CorruptBlockError.
 */
export class FileBlockStore extends IndexedBlockStore {
  /** What start-up recovery found (blocks, temp files removed, ignored entries, how it synced). */
  recovery!: ScanReport

  private constructor(
    readonly blocksDir: string,
    readonly quarantineDir: string,
    private readonly io: DurableIO,
    crypto: CryptoProvider,
    writeConcurrency: number,
    private readonly readPool?: BufferPool,
  ) {
    super(crypto, writeConcurrency)
  }

  /** Opens (creating if needed) the store under `root`, cleaning up after any crash. */
  static async open(options: FileBlockStoreOptions): Promise<FileBlockStore> {
    const fs = options.fs ?? nodeFsOps
    const ipfs = join(options.root, '.ipfs')
    const blocksDir = join(ipfs, 'blocks')
    try {
      await makeDirs(fs, blocksDir)
    } catch (e) {
      throw storeError(e, `create ${blocksDir}`)
    }
    const io = new DurableIO(fs, blocksDir, { directMaxSize: options.directIO === false ? 0 : MAX_BLOCK_SIZE })
    const crypto = options.crypto ?? (await createNodeCrypto())
    const store = new FileBlockStore(blocksDir, join(ipfs, 'quarantine'), io, crypto, options.writeConcurrency ?? 8, options.readPool)
    const parents = [dirname(options.root), options.root, ipfs]
    store.recovery = await scanBlocks(io, blocksDir, store.index, options.syncOnOpen ?? true, parents)
    return store
  }

  /** Where a copy lives: <blocks>/<owner>/<XY>/<KEY>.data, or <blocks>/<XY>/<KEY>.data for legacy blocks. */
  pathOf(ownerDir: string, cid: CID): string {
    return this.path(ownerDir, cidToKey(cid))
  }

  private dirOf(ownerDir: string, key: string): string {
    return ownerDir === LEGACY_OWNER ? join(this.blocksDir, shardOf(key)) : join(this.blocksDir, ownerDir, shardOf(key))
  }

  private path(ownerDir: string, key: string): string {
    return join(this.dirOf(ownerDir, key), `${key}.data`)
  }

  /** A fragment in shared memory that a worker writes in one message: its hash is checked in that message (IndexedBlockStore.put). */
  protected override checksInStore(bytes: Uint8Array): boolean {
    return this.io.writesInWorker(bytes)
  }

  protected store(ownerDir: string, cid: CID, bytes: Uint8Array, expectSha256?: Uint8Array, visibleAfter?: Promise<unknown>): Promise<void> {
    const key = cidToKey(cid)
    const mismatch = (): Error => new BlockHashMismatchError(`Block does not hash to ${cidToString(cid)}`)
    return this.locks.run(`${ownerDir}/${key}`, async () => {
      const path = this.path(ownerDir, key)
      if (this.index.hasOwner(key, ownerDir)) {
        // Bytes not checked yet are checked before anything is refreshed.
        if (expectSha256 !== undefined && !(await matchesCid(this.crypto, cid, bytes))) throw mismatch()
        await visibleAfter
        // Already stored (and durable): refresh its write time for the GC guard. A copy of the
        // wrong size (truncated) is rewritten; a same-size bit flip is caught by the next get.
        try {
          const st = await this.io.fs.stat(path)
          if (st.size === bytes.length) {
            const now = new Date()
            await this.io.fs.utimes(path, now, now)
            return
          }
        } catch (e) {
          if (!isNotFound(e)) throw storeError(e, `refresh ${path}`)
        }
      }
      if (!(await this.io.writeFile(this.dirOf(ownerDir, key), `${key}.data`, bytes, expectSha256, visibleAfter))) throw mismatch()
      this.index.add(key, ownerDir)
    })
  }

  protected async getStored(cid: CID, key: string): Promise<Uint8Array | undefined> {
    let corrupt: CorruptBlockError | undefined
    for (const owner of this.index.ownersOf(key)) {
      let r = await this.read(owner, key, cid)
      if (r.kind === 'corrupt') {
        const q = await this.quarantine(owner, key, cid)
        if (q instanceof CorruptBlockError) corrupt = q
        else r = q
      }
      if (r.kind === 'ok') return r.bytes
    }
    if (corrupt !== undefined) throw corrupt
    return undefined
  }

  private async read(owner: string, key: string, cid: CID): Promise<Read> {
    const pool = this.readPool
    // Raw blocks are fragments, written with O_DIRECT when large: read the same way, with one open.
    const r = await this.io.readFile(this.path(owner, key), MAX_BLOCK_SIZE, pool === undefined ? undefined : (size) => pool.acquire(size), cid.code === CODEC_RAW)
    if (r === undefined) return { kind: 'absent' }
    if (r.bytes === undefined) return { kind: 'corrupt' }
    // Always re-hashed (sha-256 runs at ~1.8 GB/s): a bad copy is never served (B4.9).
    if (!(await matchesCid(this.crypto, cid, r.bytes))) {
      pool?.release(r.bytes) // seen by nobody else
      return { kind: 'corrupt' }
    }
    return { kind: 'ok', bytes: r.bytes }
  }

  /**
   * A copy failed its hash: re-check it under the block's lock (a concurrent put may have just
   * replaced it), then move it to the quarantine dir so it is never served again and a re-put
   * heals it. I/O errors never lead here: they are thrown as BlockStoreIOError instead.
   */
  private quarantine(owner: string, key: string, cid: CID): Promise<Read | CorruptBlockError> {
    return this.locks.run(`${owner}/${key}`, async () => {
      const again = await this.read(owner, key, cid)
      if (again.kind !== 'corrupt') return again
      const path = this.path(owner, key)
      const target = join(this.quarantineDir, `${owner === LEGACY_OWNER ? '_legacy' : owner}-${key}-${Date.now()}.data`)
      let movedTo: string | undefined
      try {
        await this.io.fs.mkdir(this.quarantineDir).catch((e: { code?: string }) => {
          if (e.code !== 'EEXIST') throw e
        })
        await this.io.fs.rename(path, target)
        movedTo = target
      } catch {
        await this.io.fs.unlink(path).catch(() => undefined)
      }
      this.index.remove(key, owner)
      return new CorruptBlockError(`Stored block ${cidToString(cid)} of ${owner || 'legacy'} fails its hash`, cidToString(cid), movedTo)
    })
  }

  /** Closes the store, then the directory handles its writes kept open. */
  override async close(): Promise<void> {
    await super.close()
    await this.io.close()
  }

  protected async sizeOfCopy(owner: string, key: string): Promise<number | undefined> {
    const path = this.path(owner, key)
    try {
      return (await this.io.fs.stat(path)).size
    } catch (e) {
      if (!isNotFound(e)) throw storeError(e, `stat ${path}`)
      return undefined
    }
  }

  protected async deleteCopy(owner: string, key: string, options: DeleteOptions): Promise<CopyDeletion> {
    const path = this.path(owner, key)
    try {
      if (options.notWrittenSince !== undefined) {
        const { mtimeMs } = await this.io.fs.stat(path)
        if (mtimeMs >= options.notWrittenSince - WRITE_TIME_SLACK_MS) return 'kept'
      }
      await this.io.fs.unlink(path)
      return 'deleted'
    } catch (e) {
      if (!isNotFound(e)) throw storeError(e, `delete ${path}`)
      return 'absent'
    }
  }
}
