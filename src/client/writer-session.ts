// One writing subspace as a client sees it (reference §3.2-§3.3; Peergos WriteSynchronizer,
// Committer, WriterData.commit): the writer's signing key, its last committed WriterData, and
// `apply`, which runs an operation against the latest version and commits it with one signed
// pointer update. Operations of this client on one writer are serialised; a compare-and-swap
// failure (another client committed first) re-reads the new version and re-runs the operation,
// so concurrent writers lose nothing.
import { blockCid, cidToString, type CID } from '../codec/cid.ts'
import { cidKey } from '../champ/index.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { CasFailedError } from '../model/errors.ts'
import { pointerUpdate, signPointerUpdate } from '../model/pointer-update.ts'
import type { PublicKeyHash, SigningPrivateKeyAndPublicHash } from '../model/signing-keys.ts'
import { decodeWriterData, emptyWriterData, encodeWriterData, type WriterData } from '../model/writer-data.ts'
import type { ContentAddressedStorage, TransactionId } from '../services/content-addressed-storage.ts'
import type { MutablePointers } from '../services/mutable-pointers.ts'
import type { FragmentBlock } from '../model/fragmented-cipher-text.ts'
import { BlockCache } from './block-cache.ts'
import { NotFoundError } from './errors.ts'
import type { VerifiedPointers } from './pointer-cache.ts'
import { WriterTx, type StagedBlock } from './writer-tx.ts'

export interface WriterServices {
  readonly crypto: CryptoProvider
  readonly storage: ContentAddressedStorage
  readonly pointers: MutablePointers
}

/** Peergos CommittedWriterData: the WriterData a pointer names, with the pointer's sequence. */
export interface CommittedWriter {
  /** The WriterData block the pointer names (undefined for a writer without a pointer yet). */
  readonly cid?: CID
  readonly data: WriterData
  readonly sequence: number
}

/** How many times an operation is re-run after compare-and-swap failures before giving up. */
export const MAX_COMMIT_ATTEMPTS = 20

/** A block is signed by signing its sha256 (ContentAddressedStorage.put's signature rule). */
export function signBlock(c: CryptoProvider, signer: SigningPrivateKeyAndPublicHash, block: Uint8Array): Uint8Array {
  return c.signAttached(c.sha256(block), signer.secretKey)
}

/** A version this session committed or read stays usable for locating the next write this long. */
export const KNOWN_VERSION_MAX_AGE_MS = 2000

/** Operations within this long after the last one reuse its server transaction. */
export const SHARED_TRANSACTION_IDLE_MS = 1000
/** A shared transaction is not reused once this old. */
export const SHARED_TRANSACTION_MAX_AGE_MS = 30_000

interface SharedTransaction {
  readonly tid: Promise<TransactionId>
  users: number
  readonly opened: number
  idle?: ReturnType<typeof setTimeout>
}

export class WriterSession {
  readonly crypto: CryptoProvider
  private shared?: SharedTransaction
  readonly cache: BlockCache
  private committed?: CommittedWriter
  /** When `committed` was set (epoch ms). */
  private committedAt = 0
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly services: WriterServices,
    private readonly verifiedPointers: VerifiedPointers,
    readonly owner: PublicKeyHash,
    readonly signer: SigningPrivateKeyAndPublicHash,
    cache?: BlockCache,
  ) {
    this.crypto = services.crypto
    this.cache = cache ?? new BlockCache()
  }

  get writer(): PublicKeyHash {
    return this.signer.publicKeyHash
  }

  get storage(): ContentAddressedStorage {
    return this.services.storage
  }

  get pointersService(): MutablePointers {
    return this.services.pointers
  }

  /** The writer's WriterData as last committed (fetched from the server when unknown or when `refresh`). */
  async latest(refresh = false): Promise<CommittedWriter> {
    if (this.committed !== undefined && !refresh) return this.committed
    const update = await this.verifiedPointers.get(this.owner, this.writer)
    const cid = update?.updated ?? undefined
    this.committedAt = Date.now()
    if (cid === undefined) {
      this.committed = { data: emptyWriterData(this.writer), sequence: update?.sequence ?? 0 }
      return this.committed
    }
    let block = this.cache.get(cid)
    if (block === undefined) {
      block = await this.services.storage.get(this.owner, cid)
      if (block === undefined) throw new NotFoundError(`WriterData ${cidToString(cid)} of writer ${cidToString(this.writer)} is missing`)
      if (!blockCid(this.crypto, block, false).equals(cid)) throw new NotFoundError(`WriterData ${cidToString(cid)} does not hash to its CID`)
      this.cache.set(cid, block)
    }
    this.committed = { cid, data: decodeWriterData(block), sequence: update?.sequence ?? 0 }
    return this.committed
  }

  /** Runs `fn` after every earlier operation of this client on this writer has finished. */
  serialised<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn)
    this.queue = run.catch(() => undefined)
    return run
  }

  /** Opens a server transaction (protecting new blocks from GC until committed), runs `fn`, closes it. */
  async withTransaction<T>(fn: (tid: TransactionId) => Promise<T>): Promise<T> {
    const t = this.acquireTransaction()
    try {
      return await fn(await t.tid)
    } finally {
      this.releaseTransaction(t)
    }
  }

  /**
   * Starts the shared transaction now (or keeps the open one), for a commit the caller knows is
   * coming after some reads: its round trip overlaps them. Closed as usual when left idle.
   */
  warmTransaction(): void {
    this.releaseTransaction(this.acquireTransaction())
  }

  /**
   * Operations in quick succession share one server transaction (two round trips less each); it is
   * closed when idle for a moment, or replaced once old, so removed blocks do not stay protected.
   */
  private acquireTransaction(): SharedTransaction {
    const t = this.shared
    if (t !== undefined && Date.now() - t.opened < SHARED_TRANSACTION_MAX_AGE_MS) {
      t.users++
      if (t.idle !== undefined) clearTimeout(t.idle)
      t.idle = undefined
      return t
    }
    const fresh: SharedTransaction = { tid: this.services.storage.startTransaction(this.owner), users: 1, opened: Date.now() }
    fresh.tid.catch(() => { if (this.shared === fresh) this.shared = undefined })
    this.shared = fresh
    return fresh
  }

  private releaseTransaction(t: SharedTransaction): void {
    if (--t.users > 0) return
    if (this.shared !== t) {
      void this.closeTransaction(t)
      return
    }
    t.idle = setTimeout(() => {
      if (this.shared === t && t.users === 0) this.shared = undefined
      if (t.users === 0) void this.closeTransaction(t)
    }, SHARED_TRANSACTION_IDLE_MS)
    ;(t.idle as { unref?: () => void }).unref?.()
  }

  private async closeTransaction(t: SharedTransaction): Promise<void> {
    const tid = await t.tid.catch(() => undefined)
    if (tid !== undefined) await this.services.storage.closeTransaction(this.owner, tid).catch(() => undefined)
  }

  /** Closes the idle shared transaction now (call before exiting). */
  async close(): Promise<void> {
    const t = this.shared
    this.shared = undefined
    if (t === undefined) return
    if (t.idle !== undefined) clearTimeout(t.idle)
    if (t.users === 0) await this.closeTransaction(t)
  }

  /** Signs and stores raw blocks (file fragments) within a transaction. */
  async putRaw(blocks: readonly (Uint8Array | FragmentBlock)[], tid: TransactionId): Promise<CID[]> {
    if (blocks.length === 0) return []
    // a fragment's CID already holds its sha256: sign that instead of hashing the megabyte again
    const sigs = blocks.map((b) => (b instanceof Uint8Array ? signBlock(this.crypto, this.signer, b) : this.crypto.signAttached(b.cid.multihash.digest, this.signer.secretKey)))
    return this.services.storage.put(this.owner, this.writer, sigs, blocks.map((b) => (b instanceof Uint8Array ? b : b.data)), tid, true)
  }

  /** Signs and stores dag-cbor blocks within a transaction, each signed through the sha256 its CID holds. */
  async putBlocks(blocks: readonly StagedBlock[], tid: TransactionId): Promise<void> {
    if (blocks.length === 0) return
    await this.services.storage.put(this.owner, this.writer, blocks.map((b) => this.crypto.signAttached(b.cid.multihash.digest, this.signer.secretKey)), blocks.map((b) => b.block), tid, false)
  }

  /** Runs a read-only `fn` on the latest version of this writer (nothing is committed). */
  view<T>(fn: (tx: WriterTx) => Promise<T>): Promise<T> {
    return this.serialised(async () => fn(new WriterTx(this, await this.latest(true))))
  }

  /**
   * Runs `op` on the latest version of this writer and commits what it staged. On a CAS failure the
   * version is re-read and `op` runs again (it must derive everything from the transaction it is given).
   * `tid` reuses an open server transaction (uploads put their fragments in it first).
   */
  apply<T>(op: (tx: WriterTx) => Promise<T>, tid?: TransactionId): Promise<T> {
    return this.serialised(async () => {
      const run = async (t: TransactionId): Promise<T> => {
        for (let attempt = 1; ; attempt++) {
          const base = await this.latest(attempt > 1)
          const tx = new WriterTx(this, base, t)
          const result = await op(tx)
          try {
            await this.commit(tx, t)
            return result
          } catch (e) {
            if (!(e instanceof CasFailedError) || attempt >= MAX_COMMIT_ATTEMPTS) throw e
            await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * Math.random()))
          }
        }
      }
      return tid === undefined ? this.withTransaction(run) : run(tid)
    })
  }

  /** WriterData.commit: store the staged blocks and the new WriterData, then CAS the signed pointer. */
  private async commit(tx: WriterTx, tid: TransactionId): Promise<void> {
    const p = await this.prepare(tx, tid)
    if (p === undefined) return
    try {
      await this.services.pointers.setPointer(this.owner, this.writer, p.signed)
    } catch (e) {
      if (e instanceof CasFailedError) {
        // WriterData.commit: a CAS failure whose current value is already ours is a success
        const current = await this.latest(true)
        if (current.cid !== undefined && current.cid.equals(p.committed.cid!)) return
      }
      throw e
    }
    this.committed = p.committed
    this.committedAt = Date.now()
    this.verifiedPointers.observe(this.writer, p.committed.sequence)
  }

  /** Stores a transaction's blocks and new WriterData and signs its pointer update; undefined when nothing changed. */
  async prepare(tx: WriterTx, tid: TransactionId): Promise<PreparedCommit | undefined> {
    const base = tx.base
    if (tx.root === base.data.tree && tx.ownedKeys === base.data.ownedKeys && !tx.dirty) return undefined
    const data: WriterData = { ...base.data, tree: tx.root, ownedKeys: tx.ownedKeys }
    const wdBlock = encodeWriterData(data)
    const wdCid = blockCid(this.crypto, wdBlock, false)
    const staged = await tx.reachableStagedBlocks()
    const early = tx.earlyPutKeys()
    const cbor = [...staged.cbor, { cid: wdCid, block: wdBlock }]
    // raw fragments and the dag-cbor blocks not sent early go at once, while the early puts finish
    // (one transaction protects them all; the pointer is set only once every put is acknowledged)
    const puts = Promise.all([tx.earlyPutsDone(), this.putRaw(staged.raw, tid), this.putBlocks(early.size === 0 ? cbor : cbor.filter((b) => !early.has(cidKey(b.cid))), tid)])
    puts.catch(() => undefined) // still awaited below; handled should the signing throw first
    // signed while the puts are in flight (sent only once they are all acknowledged)
    const unchanged = base.cid !== undefined && base.cid.equals(wdCid)
    const sequence = base.sequence + 1
    const signed = unchanged ? undefined : signPointerUpdate(this.crypto, this.signer.secretKey, pointerUpdate(base.cid ?? null, wdCid, sequence))
    await puts
    for (const f of staged.raw) this.cache.set(f.cid, f.data)
    for (const b of cbor) this.cache.set(b.cid, b.block)
    if (signed === undefined) return undefined
    return { session: this, signed, committed: { cid: wdCid, data, sequence } }
  }

  /** Records a commit made elsewhere (an atomic multi-writer commit) as this writer's latest version. */
  committedWith(p: PreparedCommit): void {
    this.committed = p.committed
    this.committedAt = Date.now()
    this.verifiedPointers.observe(this.writer, p.committed.sequence)
  }

  /**
   * The WriterData this session last committed or read, without any request: undefined when not known
   * or older than KNOWN_VERSION_MAX_AGE_MS (operations in quick succession skip the pointer read).
   */
  get lastCommitted(): WriterData | undefined {
    return this.recent()?.data
  }

  /** The version this session last committed or read, when not older than KNOWN_VERSION_MAX_AGE_MS (no request). */
  recent(): CommittedWriter | undefined {
    return Date.now() - this.committedAt <= KNOWN_VERSION_MAX_AGE_MS ? this.committed : undefined
  }

  /** Forgets the cached version (after a failed multi-writer commit). */
  invalidate(): void {
    this.committed = undefined
  }
}

/** A signed pointer update ready to be sent, and the version it makes current. */
export interface PreparedCommit {
  readonly session: WriterSession
  readonly signed: Uint8Array
  readonly committed: CommittedWriter
}

/** Writers whose pointers a multi-writer commit clears (applyAndRetire), with how a cleared pointer is made. */
export interface RetiredWriters {
  readonly sessions: readonly WriterSession[]
  clear(tx: WriterTx): PreparedCommit | undefined
}

/**
 * Runs `op` on the latest versions of several writers of one owner (then of the `retired` ones, whose
 * transactions follow in `op`'s list) and commits them all or none with one setPointers call (Peergos'
 * atomic multi-writer commit, used when granting write access); whatever `op` stages for a retired
 * writer is dropped and its pointer cleared. On a CAS failure everything is re-read and `op` runs again.
 */
export async function applyTogether<T>(sessions: readonly WriterSession[], op: (txs: WriterTx[]) => Promise<T>, retired?: RetiredWriters): Promise<T> {
  const all = [...sessions, ...(retired?.sessions ?? [])]
  const first = all[0]
  return first.withTransaction(async (tid) => {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) for (const s of all) s.invalidate()
      const txs: WriterTx[] = []
      for (const s of all) txs.push(new WriterTx(s, await s.latest(attempt > 1)))
      const result = await op(txs)
      const prepared: PreparedCommit[] = []
      for (let i = 0; i < all.length; i++) {
        const p = i < sessions.length ? await sessions[i].prepare(txs[i], tid) : retired!.clear(txs[i])
        if (p !== undefined) prepared.push(p)
      }
      if (prepared.length === 0) return result
      try {
        const ok = await first.pointersService.setPointers(first.owner, prepared.map((p) => ({ writer: p.session.writer, signed: p.signed })))
        if (!ok) throw new CasFailedError('setPointers was refused (a concurrent update)')
      } catch (e) {
        if (!(e instanceof CasFailedError) || attempt >= MAX_COMMIT_ATTEMPTS) throw e
        await new Promise((r) => setTimeout(r, Math.min(200, 5 * 2 ** attempt) * Math.random()))
        continue
      }
      for (const p of prepared) p.session.committedWith(p)
      return result
    }
  })
}
