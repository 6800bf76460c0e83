// Durability after the fact for a SQLite database in WAL mode run with synchronous=NORMAL: fdatasync
// of the WAL file on libuv's thread pool, one at a time, each covering every commit SQLite had
// written before it started. Commits are counted as they complete; a caller told of a commit (or of
// anything it read) first waits for a sync that started after that commit. So the connection is free
// for the next statements while a sync runs, and nothing leaves the process before it is durable.
import { open as openFile } from 'node:fs/promises'
import { DatabaseError } from './errors.ts'

export class WalSyncer {
  /** Commits completed so far (a COMMIT, or a write statement outside a transaction). */
  private committed = 0
  /** Every commit up to this count is on disk. */
  private durable = 0
  private inFlight: Promise<void> | undefined
  /** fdatasyncs made, for tests. */
  syncs = 0

  constructor(readonly walPath: string) {}

  /** Records a completed commit: it is in the WAL file (SQLite wrote it before returning), not yet synced. */
  noteCommit(): void {
    this.committed++
  }

  /** Resolves once every commit completed before this call is durable; rejects with DatabaseError if a sync fails. */
  async durableNow(): Promise<void> {
    const target = this.committed
    while (this.durable < target) {
      this.inFlight ??= this.syncOnce().finally(() => {
        this.inFlight = undefined
      })
      await this.inFlight
    }
  }

  private async syncOnce(): Promise<void> {
    const upTo = this.committed // commits completed later may be covered too, but are not counted
    try {
      const fh = await openFile(this.walPath, 'r')
      try {
        await fh.datasync()
      } finally {
        await fh.close()
      }
    } catch (e) {
      throw new DatabaseError(`Syncing ${this.walPath}: ${(e as Error).message}`, { cause: e })
    }
    this.syncs++
    if (upTo > this.durable) this.durable = upTo
  }
}
