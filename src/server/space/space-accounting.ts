// Space usage and quotas of a server (reference §3.4, §7.5; Peergos SpaceCheckingKeyFilter): every pointer
// change is diffed into its writer's size, writers are aggregated to their user through owned keys, block
// writes are charged as pending until a pointer change confirms them, and writes beyond the quota are refused.
import { cidKey } from '../../champ/block-store.ts'
import { equalBytes, type CID } from '../../codec/cid.ts'
import type { WriterData } from '../../model/writer-data.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { UnknownUserError, WriterNotAllowedError } from '../../services/errors.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { QuotaStore } from '../db/quota-store.ts'
import type { UsageStore } from '../db/usage-store.ts'
import type { ServiceContext } from '../services/context.ts'
import { currentTarget } from '../services/stored-pointer.ts'
import { BlockSizes } from './block-sizes.ts'
import { fitsQuota, quotaExceeded, USAGE_TOLERANCE } from './quota-rule.ts'
import { SerialQueue } from './serial-queue.ts'
import { SizeDiff } from './size-diff.ts'
import { UsageState, type UsageStateOptions, type WriterRecord } from './usage-state.ts'

export interface SpaceAccountingOptions extends Omit<UsageStateOptions, 'capacity'> {
  readonly usage: UsageStore
  readonly quotas: QuotaStore
  /** The local user an identity key belongs to (the storage's usernameOf), or undefined. */
  readonly usernameOf: (owner: PublicKeyHash) => Promise<string | undefined> | string | undefined
  /** Owners never refused (the server's own PKI); their usage is still counted. */
  readonly exempt?: (owner: PublicKeyHash) => boolean
  readonly tolerance?: number
  /** How long a quota read from the QuotaStore is reused (default 10 s; `quota set` takes effect after it). */
  readonly quotaCacheMs?: number
  /** Entries of each cache: block sizes, subtree sizes, usage records (default 100,000). */
  readonly cacheSize?: number
  /**
   * How long a pointer update waits for its accounting (default 2 s). Normally it is done in well under a
   * millisecond; behind a long task (a big account's first walk) the update returns and accounting follows.
   */
  readonly hookWaitMs?: number
}

/** What the accounting reads from the storage services (a ServiceContext). */
export type AccountingContext = Pick<ServiceContext, 'writerData' | 'ownership' | 'pointerStore' | 'blocks'>

type KeySet = ReadonlyMap<string, PublicKeyHash>

/** A pointer update waiting for its accounting: released at `deadline` if still waiting. */
interface Waiting {
  readonly deadline: number
  late: boolean
  readonly release: () => void
}
const NONE: KeySet = new Map()

const sameCid = (a: CID | undefined, b: CID | undefined): boolean => (a === undefined ? b === undefined : b !== undefined && a.equals(b))

/** Whether two WriterData name the same owned keys with the same proofs (both absent or empty counts as the same). */
function sameNamedKeys(a: WriterData['namedOwnedKeys'], b: WriterData['namedOwnedKeys']): boolean {
  if ((a?.size ?? 0) !== (b?.size ?? 0)) return false
  for (const [name, p] of a ?? []) {
    const q = b!.get(name)
    if (q === undefined || !p.ownedKey.equals(q.ownedKey) || !equalBytes(p.signedOwner, q.signedOwner)) return false
  }
  return true
}

export class SpaceAccounting {
  readonly state: UsageState
  private sizes: BlockSizes | undefined
  private diff: SizeDiff | undefined
  private ctx: AccountingContext | undefined
  private readonly queue = new SerialQueue()
  private readonly quotaCache = new Map<string, { quota: number; at: number }>()
  private readonly now: () => number
  private closing = false
  /** Pointer updates waiting for their accounting (briefly), and the timer that releases them when it is slow. */
  private readonly waiting = new Set<Waiting>()
  private watchdog: ReturnType<typeof setTimeout> | undefined

  constructor(private readonly o: SpaceAccountingOptions) {
    this.now = o.now ?? Date.now
    this.state = new UsageState(o.usage, { ...o, capacity: o.cacheSize })
  }

  /** The block store the services should write through, so each written block's size is known at once. */
  observe(blocks: ServerBlockStore): ServerBlockStore {
    this.sizes = new BlockSizes(blocks, this.o.cacheSize)
    return this.sizes.observe(blocks)
  }

  /** Connects the accounting to the storage services it serves (before any write). */
  attach(ctx: AccountingContext): void {
    this.ctx = ctx
    this.sizes ??= new BlockSizes(ctx.blocks, this.o.cacheSize)
    this.diff = new SizeDiff(this.sizes, this.o.cacheSize)
  }

  get blockSizes(): BlockSizes | undefined {
    return this.sizes
  }

  private context(): { ctx: AccountingContext; diff: SizeDiff } {
    if (this.ctx === undefined || this.diff === undefined) throw new Error('SpaceAccounting used before attach()')
    return { ctx: this.ctx, diff: this.diff }
  }

  /**
   * The storage's quota check (SpaceCheckingKeyFilter.allowWrite), called once the write's signatures and
   * the writer's ownership were verified: refuses with QuotaExceededError, else records the bytes as pending.
   */
  readonly checkQuota = async (owner: PublicKeyHash, bytes: number, writer: PublicKeyHash): Promise<boolean> => {
    if (this.o.exempt?.(owner) === true) return true
    const rec = (await this.state.writer(writer)) ?? (await this.queue.run(() => this.registerUnknown(owner, writer)))
    if (rec === undefined) throw new WriterNotAllowedError(`Key not allowed to write to this server: ${writer.toString()}`)
    const quota = await this.quota(rec.username)
    const user = await this.state.user(rec.username)
    // From here on synchronous: concurrent puts see each other's pending bytes.
    const pending = this.state.pending(user, rec.key)
    const facts = { total: user.total, pending: pending.total, quota, errored: user.errored }
    if (!fitsQuota(facts, bytes, this.o.tolerance ?? USAGE_TOLERANCE)) {
      if (!user.errored) {
        user.errored = true
        this.state.touch(rec, user)
      }
      throw quotaExceeded(facts, bytes + pending.writer)
    }
    const entry = user.pending.get(rec.key)
    if (entry === undefined) user.pending.set(rec.key, { bytes, at: this.now() })
    else {
      entry.bytes += bytes
      entry.at = this.now()
    }
    this.state.touch(rec, user)
    return true
  }

  /** The pointer services' hook (processMutablePointerEvent): resolves once the change is accounted (or after hookWaitMs). */
  readonly onPointerChange = (owner: PublicKeyHash, writer: PublicKeyHash, _oldTarget: CID | undefined, newTarget: CID | undefined): Promise<void> =>
    this.briefly(this.queue.run(async () => {
      const rec = await this.state.writer(writer)
      if (rec !== undefined) await this.process(writer, newTarget, new Set())
      else if (newTarget !== undefined) await this.registerUnknown(owner, writer) // accounts its current tree
    }))

  /**
   * `task`, or nothing after hookWaitMs (up to half as long again; a later failure then goes to
   * onError). One shared timer watches every waiting update, not a timer per update: arming and
   * clearing a timer per pointer change cost more than the accounting itself.
   */
  private briefly(task: Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => {
      const w: Waiting = { deadline: performance.now() + this.hookWaitMs, late: false, release: resolve }
      this.waiting.add(w)
      this.armWatchdog()
      task.then(() => {
        this.waiting.delete(w)
        resolve()
      }, (e: unknown) => {
        this.waiting.delete(w)
        if (w.late) this.o.onError?.(e)
        else reject(e)
      })
    })
  }

  private get hookWaitMs(): number {
    return this.o.hookWaitMs ?? 2000
  }

  /** Releases the updates waiting past their deadline; runs every hookWaitMs / 2 while any waits. */
  private armWatchdog(): void {
    if (this.watchdog !== undefined) return
    this.watchdog = setTimeout(() => {
      this.watchdog = undefined
      const now = performance.now()
      for (const w of this.waiting) {
        if (w.deadline > now) continue
        this.waiting.delete(w)
        w.late = true
        w.release()
      }
      if (this.waiting.size > 0) this.armWatchdog()
    }, this.hookWaitMs / 2)
    this.watchdog.unref?.()
  }

  /**
   * Brings a writer's usage from its recorded target to `target`: the tree size change by diffing, the
   * owned keys of the new WriterData registered under the same user (added ones accounted at their current
   * pointer, removed ones, recursively, taken back to nothing), pending bytes confirmed.
   */
  private async process(writer: PublicKeyHash, target: CID | undefined, seen: Set<string>): Promise<void> {
    const { ctx, diff } = this.context()
    const k = cidKey(writer)
    if (seen.has(k)) return
    seen.add(k)
    const rec = await this.state.writer(writer)
    if (rec === undefined || sameCid(rec.target, target)) return
    if (target === undefined) {
      await this.apply(rec, undefined, 0, rec.owned)
      for (const child of rec.owned.values()) await this.process(child, undefined, seen)
      return
    }
    const change = await diff.change(rec.target, target)
    const owned = await this.ownedKeys(rec, target)
    for (const child of owned.values()) {
      if ((await this.state.writer(child)) === undefined) await this.state.store.addWriter(rec.username, child)
    }
    const removed = [...rec.owned].filter(([key]) => !owned.has(key)).map(([, v]) => v)
    const added = [...owned].filter(([key]) => !rec.owned.has(key)).map(([, v]) => v)
    for (const child of removed) await this.process(child, undefined, seen)
    await this.apply(rec, target, rec.directSize + change, owned)
    for (const child of added) await this.process(child, await currentTarget(ctx.pointerStore, child), seen)
  }

  private async apply(rec: WriterRecord, target: CID | undefined, directSize: number, owned: KeySet): Promise<void> {
    const user = await this.state.user(rec.username)
    const quota = user.errored ? await this.quota(rec.username) : 0
    const delta = directSize - rec.directSize
    rec.target = target
    rec.directSize = directSize
    rec.owned = new Map(owned)
    rec.unflushed += delta
    user.total += delta
    user.pending.delete(rec.key)
    // Peergos: a user stays errored only while still over the quota (here: after this change)
    if (user.errored) user.errored = user.total > quota
    this.state.touch(rec, user)
  }

  /** The writer's direct owned keys at `target`; unchanged when its owned-keys root is (the common case). */
  private async ownedKeys(rec: WriterRecord, target: CID): Promise<KeySet> {
    const { ctx } = this.context()
    let wd
    try {
      wd = await ctx.writerData.get(target)
    } catch {
      return rec.owned // an unreadable WriterData changes nothing we know
    }
    const named = wd.namedOwnedKeys?.size ?? 0
    if (wd.ownedKeys === undefined && named === 0) return NONE
    if (rec.target !== undefined) {
      try {
        const old = await ctx.writerData.get(rec.target)
        if (sameCid(old.ownedKeys, wd.ownedKeys) && sameNamedKeys(old.namedOwnedKeys, wd.namedOwnedKeys)) return rec.owned
      } catch {
        // the old WriterData is gone: read the owned keys
      }
    }
    return ctx.ownership.directOwned(rec.writer)
  }

  /**
   * A writer absent from the usage tables (SpaceCheckingKeyFilter.registerMissedWriters): its user is
   * registered with the identity key, whose current tree is accounted with every key it owns; a writer
   * still unknown then (the caller proved it is owned by `owner`) is registered and accounted itself.
   */
  private async registerUnknown(owner: PublicKeyHash, writer: PublicKeyHash): Promise<WriterRecord | undefined> {
    const known = await this.state.writer(writer)
    if (known !== undefined) return known
    const username = await this.o.usernameOf(owner)
    if (username === undefined) return undefined
    const { ctx } = this.context()
    await this.state.store.addUserIfAbsent(username)
    const seen = new Set<string>()
    if ((await this.state.writer(owner)) === undefined) {
      await this.state.store.addWriter(username, owner)
      await this.process(owner, await currentTarget(ctx.pointerStore, owner), seen)
    }
    let rec = await this.state.writer(writer)
    if (rec === undefined) {
      await this.state.store.addWriter(username, writer)
      await this.process(writer, await currentTarget(ctx.pointerStore, writer), seen)
      rec = await this.state.writer(writer)
    }
    return rec
  }

  /**
   * After a restart (SpaceCheckingKeyFilter.update): every writer whose recorded target differs from its
   * pointer is brought up to date (changes accounted in memory but not yet written when the process
   * stopped). Writers no longer owned by anyone are left at zero.
   */
  async reconcile(): Promise<{ writers: number; updated: number }> {
    const { ctx } = this.context()
    const all = await this.o.usage.getAllWriters()
    const owned = new Set<string>()
    const records: WriterRecord[] = []
    for (const w of all) {
      if (this.closing) break
      const rec = await this.state.writer(w)
      if (rec === undefined) continue
      records.push(rec)
      for (const k of rec.owned.keys()) owned.add(k)
    }
    let updated = 0
    for (const rec of records) {
      if (this.closing) break
      await this.queue.run(async () => {
        const target = await currentTarget(ctx.pointerStore, rec.writer)
        if (sameCid(rec.target, target)) return
        if (!owned.has(rec.key) && (await this.o.usernameOf(rec.writer)) === undefined) return
        await this.process(rec.writer, target, new Set())
        updated++
      })
    }
    return { writers: records.length, updated }
  }

  /** The user's quota (the QuotaStore's, else the default), cached for quotaCacheMs unless `fresh`. */
  async quota(username: string, fresh = false): Promise<number> {
    const hit = this.quotaCache.get(username)
    const now = this.now()
    if (!fresh && hit !== undefined && now - hit.at < (this.o.quotaCacheMs ?? 10_000)) return hit.quota
    const quota = await this.o.quotas.getQuota(username)
    this.quotaCache.set(username, { quota, at: now })
    if (this.quotaCache.size > (this.o.cacheSize ?? 100_000)) this.quotaCache.delete(this.quotaCache.keys().next().value!)
    return quota
  }

  /** The username `owner` (an identity or any registered writer) counts against. */
  async usernameFor(owner: PublicKeyHash): Promise<string> {
    const name = (await this.o.usernameOf(owner)) ?? (await this.state.writer(owner))?.username
    if (name === undefined) throw new UnknownUserError(`No usage present for user: ${owner.toString()}`)
    return name
  }

  /** Confirmed usage and usage with pending writes (SpaceUsage.getUsage's `local`), registering the user if needed. */
  async usage(owner: PublicKeyHash): Promise<{ total: number; expected: number }> {
    const rec = (await this.state.writer(owner)) ?? (await this.queue.run(() => this.registerUnknown(owner, owner)))
    const username = rec?.username ?? (await this.usernameFor(owner))
    const user = await this.state.user(username)
    return { total: user.total, expected: user.total + this.state.pending(user).total }
  }

  /** Resolves once every pointer change received so far is accounted (tests, shutdown). */
  idle(): Promise<void> {
    return this.queue.idle()
  }

  /** Finishes the queued work and writes every record. */
  async close(): Promise<void> {
    this.closing = true
    await this.idle()
    if (this.watchdog !== undefined) clearTimeout(this.watchdog)
    this.watchdog = undefined
    await this.state.close()
  }
}
