// The usage tables held in memory (reference §7.5; Peergos UserUsage, WriterUsage, JdbcUsageStore): per writer its
// user, target, direct size and owned keys, per user total, errored flag and pending bytes; loaded on first use and
// written back in batches, one transaction for all writers changed meanwhile (a lost batch is redone by reconcile).
import { cidKey } from '../../champ/block-store.ts'
import type { CID } from '../../codec/cid.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { UsageStore, WriterUsageUpdate } from '../db/usage-store.ts'

export interface WriterRecord {
  readonly writer: PublicKeyHash
  readonly key: string
  readonly username: string
  target: CID | undefined
  directSize: number
  owned: Map<string, PublicKeyHash>
  /** What the database holds: the CAS base of the next batch, and the owned keys it knows. */
  dbTarget: CID | undefined
  dbOwned: ReadonlyMap<string, PublicKeyHash>
  /** Change of the owner's total not yet written. */
  unflushed: number
  dirty: boolean
  /** Part of a batch being written. */
  inFlight: boolean
}

export interface PendingWrite {
  bytes: number
  /** When the writer last had a write accepted (epoch ms). */
  at: number
}

export interface UserRecord {
  readonly username: string
  total: number
  errored: boolean
  /** Pending bytes per writer key (cidKey). */
  readonly pending: Map<string, PendingWrite>
  /** Dirty or in-flight writer records of this user: while > 0 the record stays in memory. */
  pins: number
}

export interface UsageStateOptions {
  /** Writer and user records kept in memory (clean ones beyond this are dropped; default 100,000). */
  readonly capacity?: number
  /** Delay before a batch is written (default 50 ms: the updates of that time share one commit). */
  readonly flushDelayMs?: number
  /** A writer's pending bytes lapse once it has had no write accepted for this long (default 60 s). */
  readonly pendingIdleMs?: number
  readonly onError?: (e: unknown) => void
  readonly now?: () => number
}

export class UsageState {
  private readonly writers = new Map<string, WriterRecord>()
  private readonly users = new Map<string, UserRecord>()
  private readonly loadingWriters = new Map<string, Promise<WriterRecord | undefined>>()
  private readonly loadingUsers = new Map<string, Promise<UserRecord>>()
  private readonly dirty = new Set<WriterRecord>()
  private readonly capacity: number
  private readonly pendingIdleMs: number
  private readonly now: () => number
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> | undefined
  private closed = false

  constructor(readonly store: UsageStore, private readonly o: UsageStateOptions = {}) {
    this.capacity = o.capacity ?? 100_000
    this.pendingIdleMs = o.pendingIdleMs ?? 60_000
    this.now = o.now ?? Date.now
  }

  /** The writer's record, or undefined when it is not registered. */
  writer(writer: PublicKeyHash): Promise<WriterRecord | undefined> {
    const k = cidKey(writer)
    const hit = this.writers.get(k)
    if (hit !== undefined) {
      this.writers.delete(k) // most recently used last
      this.writers.set(k, hit)
      return Promise.resolve(hit)
    }
    let p = this.loadingWriters.get(k)
    if (p === undefined) {
      p = this.loadWriter(writer, k).finally(() => this.loadingWriters.delete(k))
      this.loadingWriters.set(k, p)
    }
    return p
  }

  private async loadWriter(writer: PublicKeyHash, k: string): Promise<WriterRecord | undefined> {
    const row = await this.store.getWriterUsage(writer)
    if (row === undefined) return undefined
    await this.user(row.owner)
    const already = this.writers.get(k)
    if (already !== undefined) return already
    const owned = new Map(row.owned.map((o) => [cidKey(o), o]))
    const rec: WriterRecord = {
      writer, key: k, username: row.owner, target: row.target, directSize: row.directSize, owned,
      dbTarget: row.target, dbOwned: new Map(owned), unflushed: 0, dirty: false, inFlight: false,
    }
    this.writers.set(k, rec)
    this.evict()
    return rec
  }

  /** The user's record (zero usage when the database has none). */
  user(username: string): Promise<UserRecord> {
    const hit = this.users.get(username)
    if (hit !== undefined) return Promise.resolve(hit)
    let p = this.loadingUsers.get(username)
    if (p === undefined) {
      p = this.loadUser(username).finally(() => this.loadingUsers.delete(username))
      this.loadingUsers.set(username, p)
    }
    return p
  }

  private async loadUser(username: string): Promise<UserRecord> {
    const row = await this.store.getUserUsage(username)
    const already = this.users.get(username)
    if (already !== undefined) return already
    const at = this.now()
    const rec: UserRecord = {
      username, total: row.totalBytes, errored: row.errored, pins: 0,
      pending: new Map(row.pending.map((p) => [cidKey(p.writer), { bytes: p.bytes, at }])),
    }
    this.users.set(username, rec)
    this.evict()
    return rec
  }

  /** The user's pending bytes (lapsed entries dropped) and those of one writer. */
  pending(user: UserRecord, writerKey?: string): { total: number; writer: number } {
    const cutoff = this.now() - this.pendingIdleMs
    let total = 0
    let writer = 0
    for (const [k, p] of user.pending) {
      if (p.at < cutoff) {
        user.pending.delete(k)
        continue
      }
      total += p.bytes
      if (k === writerKey) writer = p.bytes
    }
    return { total, writer }
  }

  /** Marks a record changed; a batch write follows shortly. */
  touch(rec: WriterRecord, user: UserRecord): void {
    if (!rec.dirty) {
      rec.dirty = true
      user.pins++
      this.dirty.add(rec)
    }
    this.schedule(this.o.flushDelayMs ?? 50)
  }

  private schedule(delay: number): void {
    if (this.timer !== undefined || this.flushing !== undefined || this.closed) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.flush()
    }, delay)
    this.timer.unref?.()
  }

  /** Writes every changed record now (waits for a batch in flight first). */
  async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing
    if (this.dirty.size === 0) return
    this.flushing = this.writeBatch().finally(() => {
      this.flushing = undefined
    })
    await this.flushing
    if (this.dirty.size > 0) this.schedule(this.o.flushDelayMs ?? 50)
  }

  private async writeBatch(): Promise<void> {
    const batch: WriterUsageUpdate[] = []
    const sent: Array<{ rec: WriterRecord; user: UserRecord; target: CID | undefined; owned: Map<string, PublicKeyHash>; delta: number }> = []
    for (const rec of this.dirty) {
      const user = this.users.get(rec.username)!
      const owned = new Map(rec.owned)
      batch.push({
        writer: rec.writer, oldTarget: rec.dbTarget, newTarget: rec.target, directSize: rec.directSize, delta: rec.unflushed,
        errored: user.errored, pendingBytes: user.pending.get(rec.key)?.bytes ?? 0,
        removedOwned: [...rec.dbOwned].filter(([k]) => !owned.has(k)).map(([, v]) => v),
        addedOwned: [...owned].filter(([k]) => !rec.dbOwned.has(k)).map(([, v]) => v),
      })
      sent.push({ rec, user, target: rec.target, owned, delta: rec.unflushed })
      rec.dirty = false
      rec.inFlight = true
    }
    this.dirty.clear()
    let applied: boolean[]
    try {
      applied = await this.store.updateWriterUsages(batch)
    } catch (e) {
      this.o.onError?.(e)
      for (const s of sent) {
        s.rec.inFlight = false
        if (!s.rec.dirty) {
          s.rec.dirty = true
          this.dirty.add(s.rec)
        } else s.user.pins-- // it was touched again meanwhile: one pin covers both
      }
      if (!this.closed) await new Promise((r) => setTimeout(r, 1000).unref?.())
      return
    }
    sent.forEach((s, i) => {
      s.rec.inFlight = false
      s.user.pins--
      if (applied[i]) {
        s.rec.dbTarget = s.target
        s.rec.dbOwned = s.owned
        s.rec.unflushed -= s.delta
      } else {
        // The database no longer holds what this record was read from: forget both records, so the
        // next use reads the database again and the next pointer change is diffed from its target.
        this.o.onError?.(new Error(`Usage of writer ${s.rec.writer.toString()} changed outside this server; reloading it`))
        if (!s.rec.dirty) this.writers.delete(s.rec.key)
        if (s.user.pins === 0) this.users.delete(s.user.username)
      }
    })
    this.evict()
  }

  /** Drops the oldest clean records beyond the capacity. */
  private evict(): void {
    if (this.writers.size > this.capacity) {
      for (const [k, rec] of this.writers) {
        if (this.writers.size <= this.capacity) break
        if (!rec.dirty && !rec.inFlight) this.writers.delete(k)
      }
    }
    if (this.users.size > this.capacity) {
      for (const [k, u] of this.users) {
        if (this.users.size <= this.capacity) break
        if (u.pins === 0 && u.pending.size === 0) this.users.delete(k)
      }
    }
  }

  /** Writes what is left and stops scheduling batches. */
  async close(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
    await this.flush()
    this.closed = true
  }
}
