// IndexedBlockStore: what FileBlockStore and S3BlockStore share. Both find copies through an
// in-memory CID → owner index and serialise work on one copy with a per-key mutex; this base does
// the checks, identity-CID handling, index walks and close, and leaves the backend's I/O (writing,
// reading, sizing and deleting one copy) to the subclass.
import { HASH_SHA2_256, isIdentity, type CID } from '../../codec/cid.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import { BlockIndex } from './block-index.ts'
import { checkOwnerDir, cidToKey, keyToCid } from './block-key.ts'
import { KeyedMutex, forEachLimit } from './concurrency.ts'
import { BlockStoreClosedError } from './errors.ts'
import type { BlockEntry, BlockWrite, DeleteOptions, PutManyOptions, ServerBlockStore } from './server-block-store.ts'
import { OFFLOADED_HASH_MIN, checkBlockForPut, checkBlockSize, cidOfNewBlock, identityContent, isStoredKind } from './verify.ts'

/** What deleteCopy did: kept it (written too recently), deleted it, or found it already gone. */
export type CopyDeletion = 'kept' | 'deleted' | 'absent'

export abstract class IndexedBlockStore implements ServerBlockStore {
  protected readonly index = new BlockIndex()
  protected readonly locks = new KeyedMutex()
  private closed = false

  protected constructor(
    protected readonly crypto: CryptoProvider,
    private readonly writeConcurrency: number,
  ) {}

  /**
   * Writes (or refreshes) the copy of a checked block under `ownerDir` and adds it to the index. With
   * `expectSha256` (only when checksInStore said so) the bytes are not checked yet: the store checks
   * that they hash to it before anything is written, and throws BlockHashMismatchError when not.
   * With `visibleAfter`, the copy is made visible only once that resolves (PutManyOptions).
   */
  protected abstract store(ownerDir: string, cid: CID, bytes: Uint8Array, expectSha256?: Uint8Array, visibleAfter?: Promise<unknown>): Promise<void>
  /** Whether store() can check the hash of these bytes itself at no extra cost (FileBlockStore: in the fragment worker's write). */
  protected checksInStore(_bytes: Uint8Array): boolean {
    return false
  }
  /** The verified bytes of a stored-kind CID (KEY `key`) from any owner's copy, or undefined. */
  protected abstract getStored(cid: CID, key: string): Promise<Uint8Array | undefined>
  /** The size of `owner`'s copy of KEY `key`, or undefined when it is absent. */
  protected abstract sizeOfCopy(owner: string, key: string): Promise<number | undefined>
  /** Deletes `owner`'s copy of KEY `key` (called under its lock, while indexed); may throw. */
  protected abstract deleteCopy(owner: string, key: string, options: DeleteOptions): Promise<CopyDeletion>

  protected checkOpen(): void {
    if (this.closed) throw new BlockStoreClosedError('Block store is closed')
  }

  put(ownerDir: string, cid: CID, bytes: Uint8Array): Promise<void> {
    return this.putOne(ownerDir, cid, bytes, undefined)
  }

  private async putOne(ownerDir: string, cid: CID, bytes: Uint8Array, visibleAfter: Promise<unknown> | undefined): Promise<void> {
    this.checkOpen()
    checkOwnerDir(ownerDir)
    checkBlockSize(bytes)
    // A single fragment: its hash is checked in the same worker message as its write (one thread hand-off, not two).
    if (cid.multihash.code === HASH_SHA2_256 && bytes.length >= OFFLOADED_HASH_MIN && this.checksInStore(bytes)) {
      return this.store(ownerDir, cid, bytes, cid.multihash.digest, visibleAfter)
    }
    if (await checkBlockForPut(this.crypto, cid, bytes)) await this.store(ownerDir, cid, bytes, undefined, visibleAfter)
  }

  async putBlock(ownerDir: string, bytes: Uint8Array, raw: boolean): Promise<CID> {
    this.checkOpen()
    checkOwnerDir(ownerDir)
    const cid = cidOfNewBlock(this.crypto, bytes, raw)
    await this.store(ownerDir, cid, bytes)
    return cid
  }

  async putMany(ownerDir: string, blocks: readonly BlockWrite[], options: PutManyOptions = {}): Promise<void> {
    const visibleAfter = options.visibleAfter
    visibleAfter?.catch(() => undefined) // awaited below, whatever happens first
    if (blocks.length === 1) await this.putOne(ownerDir, blocks[0].cid, blocks[0].bytes, visibleAfter)
    else {
      this.checkOpen()
      checkOwnerDir(ownerDir)
      // Check every block before writing any, so one bad block in a batch stores nothing.
      const stored = await Promise.all(blocks.map((b) => checkBlockForPut(this.crypto, b.cid, b.bytes)))
      const toStore = blocks.filter((_, i) => stored[i])
      await forEachLimit(toStore, this.writeConcurrency, (b) => this.store(ownerDir, b.cid, b.bytes, undefined, visibleAfter))
    }
    await visibleAfter
  }

  async get(cid: CID): Promise<Uint8Array | undefined> {
    this.checkOpen()
    if (isIdentity(cid)) return identityContent(cid)
    if (!isStoredKind(cid)) return undefined
    return this.getStored(cid, cidToKey(cid))
  }

  async has(cid: CID): Promise<boolean> {
    this.checkOpen()
    if (isIdentity(cid)) return true
    return isStoredKind(cid) && this.index.has(cidToKey(cid))
  }

  async size(cid: CID): Promise<number | undefined> {
    this.checkOpen()
    if (isIdentity(cid)) return cid.multihash.digest.length
    if (!isStoredKind(cid)) return undefined
    const key = cidToKey(cid)
    for (const owner of this.index.ownersOf(key)) {
      const size = await this.sizeOfCopy(owner, key)
      if (size !== undefined) return size
    }
    return undefined
  }

  async delete(cid: CID, options: DeleteOptions = {}): Promise<boolean> {
    this.checkOpen()
    if (!isStoredKind(cid)) return false
    const key = cidToKey(cid)
    const owners = options.ownerDir === undefined ? this.index.ownersOf(key) : [options.ownerDir]
    let deleted = false
    for (const owner of owners) {
      await this.locks.run(`${owner}/${key}`, async () => {
        if (!this.index.hasOwner(key, owner)) return
        const result = await this.deleteCopy(owner, key, options)
        if (result === 'kept') return
        if (result === 'deleted') deleted = true
        this.index.remove(key, owner)
      })
    }
    return deleted
  }

  async *list(): AsyncIterable<CID> {
    this.checkOpen()
    for (const key of this.index.keys()) {
      const cid = keyToCid(key)
      if (cid !== undefined && isStoredKind(cid)) yield cid
    }
  }

  async *entries(ownerDir?: string): AsyncIterable<BlockEntry> {
    this.checkOpen()
    for (const [key, owner] of this.index.copies(ownerDir)) {
      const cid = keyToCid(key)
      if (cid !== undefined && isStoredKind(cid)) yield { cid, ownerDir: owner }
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.locks.idle()
  }
}
