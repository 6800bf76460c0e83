// Guess limits on second-factor codes (security checklist: brute force of a 6-digit TOTP once the password
// is known). Per username: at most `maxFailures` wrong codes in a sliding `windowMs`, after which every
// answer is refused with RateLimitError (HTTP 429, as Peergos replies a RateLimitException) until the
// oldest failure leaves the window; a correct code clears the record. Kept in memory: a record lives
// five minutes, only someone holding the password can add to it (the login key is checked first), and
// the SQL tables stay Peergos' own. A restart forgets the records, which gives an attacker at most one
// extra window per restart, and restarts are not theirs to cause.
import { RateLimitError } from '../../services/errors.ts'
import type { Clock } from './signed-time.ts'

export const MAX_SECOND_FACTOR_FAILURES = 5
export const SECOND_FACTOR_WINDOW_MS = 5 * 60_000
/** Usernames tracked at once; beyond it the stalest records are dropped first (each needs that user's password). */
const MAX_TRACKED = 100_000

export const SECOND_FACTOR_RATE_LIMIT_MESSAGE = 'Rate Limit: Too many failed second factor attempts. Please try again later.'

export interface SecondFactorAttemptsOptions {
  readonly maxFailures?: number
  readonly windowMs?: number
  readonly now?: Clock
}

/** One answer being checked: it counts as a failure from the start, so answers sent in parallel are counted too. */
export interface SecondFactorAttempt {
  /** The code was right: the user's record is cleared. */
  succeeded(): void
  /** The answer was not a code guess after all (unknown credential, webauthn, server error): it no longer counts. */
  withdrawn(): void
}

export class SecondFactorAttempts {
  private readonly maxFailures: number
  private readonly windowMs: number
  private readonly now: Clock
  /** username → times of failed (or still undecided) answers, oldest first. Map order: least recently touched first. */
  private readonly failures = new Map<string, number[]>()

  constructor(o: SecondFactorAttemptsOptions = {}) {
    this.maxFailures = o.maxFailures ?? MAX_SECOND_FACTOR_FAILURES
    this.windowMs = o.windowMs ?? SECOND_FACTOR_WINDOW_MS
    this.now = o.now ?? Date.now
  }

  /** Starts checking an answer for `username`; throws RateLimitError when too many recent answers failed. */
  begin(username: string): SecondFactorAttempt {
    const now = this.now()
    const times = this.recent(username, now)
    if (times.length >= this.maxFailures) throw new RateLimitError(SECOND_FACTOR_RATE_LIMIT_MESSAGE)
    times.push(now)
    this.failures.delete(username)
    this.failures.set(username, times)
    this.evict()
    let settled = false
    return {
      succeeded: () => {
        if (settled) return
        settled = true
        this.failures.delete(username)
      },
      withdrawn: () => {
        if (settled) return
        settled = true
        const current = this.failures.get(username)
        const i = current?.indexOf(now) ?? -1
        if (current !== undefined && i >= 0) current.splice(i, 1)
        if (current?.length === 0) this.failures.delete(username)
      },
    }
  }

  /** Failed answers of `username` still inside the window (for tests and logs). */
  count(username: string): number {
    return this.recent(username, this.now()).length
  }

  private recent(username: string, now: number): number[] {
    const times = this.failures.get(username) ?? []
    let stale = 0
    // A clock that went back keeps its entries: they leave the window once time passes them again.
    while (stale < times.length && times[stale] <= now - this.windowMs) stale++
    if (stale > 0) times.splice(0, stale)
    if (times.length === 0) this.failures.delete(username)
    return times
  }

  private evict(): void {
    for (const name of this.failures.keys()) {
      if (this.failures.size <= MAX_TRACKED) return
      this.failures.delete(name)
    }
  }
}
