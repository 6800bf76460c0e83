// Proof-of-work difficulty for signups and identity changes (reference §4.3; Peergos
// DifficultyGenerator + RateMonitor + ProofOfWork constants): events counted in 20 power-of-two
// time buckets of 0.1 s steps; difficulty 0 while every bucket is under the target rate.

/** ProofOfWork.MIN_DIFFICULTY, DEFAULT_DIFFICULTY, MAX_DIFFICULTY. */
export const MIN_DIFFICULTY = 0
export const DEFAULT_DIFFICULTY = 11
export const MAX_DIFFICULTY = 256

/** What the PKI asks of the PoW on a rate-limited request. */
export interface DifficultyPolicy {
  /** The difficulty required now (after advancing the clock to `nowMillis`). */
  currentDifficulty(nowMillis: number): number
  /** Counts one accepted rate-limited request. */
  addEvent(): void
}

/** RateMonitor: bucket i holds the events of the last [2^i, 2^(i+1)) time steps. */
class RateMonitor {
  private steps = 0
  readonly buckets: number[]

  constructor(n: number) {
    this.buckets = new Array<number>(n).fill(0)
  }

  addEvent(): void {
    this.buckets[0]++
  }

  private timeStep(): void {
    this.steps++
    for (let i = this.buckets.length - 1; i >= 0; i--) {
      if (this.steps % 2 ** i === 0) {
        if (i + 1 < this.buckets.length) this.buckets[i + 1] += this.buckets[i]
        this.buckets[i] = 0
      }
    }
  }

  timeSteps(n: number): void {
    if (n > 2 ** this.buckets.length) this.buckets.fill(0)
    else for (let i = 0; i < n; i++) this.timeStep()
  }
}

const BUCKETS = 20
const STEP_MILLIS = 100
const STEPS_PER_DAY = 864_000

/** Peergos' DifficultyGenerator, calibrated to at most `maxPerDay` events a day (0 = always MAX_DIFFICULTY). */
export class DifficultyGenerator implements DifficultyPolicy {
  private readonly rates = new RateMonitor(BUCKETS)
  private readonly maxPerBucket: number[]
  private difficulty = MIN_DIFFICULTY
  private lastUpdate: number

  constructor(startMillis: number, private readonly maxPerDay: number) {
    this.lastUpdate = startMillis
    const perStep = maxPerDay / STEPS_PER_DAY
    this.maxPerBucket = Array.from({ length: BUCKETS }, (_, i) => perStep * 2 ** i)
    if (maxPerDay === 0) this.difficulty = MAX_DIFFICULTY
  }

  currentDifficulty(nowMillis: number): number {
    // Peergos starts at MAX for maxPerDay 0 but recomputes 0 while no event was counted; we keep MAX.
    if (this.maxPerDay === 0) return MAX_DIFFICULTY
    const steps = Math.floor((nowMillis - this.lastUpdate) / STEP_MILLIS)
    if (steps > 0) {
      this.rates.timeSteps(steps)
      this.lastUpdate = nowMillis
    }
    this.difficulty = this.calculate()
    return this.difficulty
  }

  addEvent(): void {
    this.rates.addEvent()
  }

  private calculate(): number {
    let sum = 0
    let included = 0
    this.rates.buckets.forEach((rate, i) => {
      const max = this.maxPerBucket[i]
      if (rate > max) {
        sum += Math.log((rate * 2) / max)
        included++
      }
    })
    if (included === 0) return MIN_DIFFICULTY
    const result = Math.trunc(2 * sum + DEFAULT_DIFFICULTY)
    return Math.min(Math.max(MIN_DIFFICULTY, result), MAX_DIFFICULTY)
  }
}

/** A fixed difficulty (tests, private servers). */
export function fixedDifficulty(difficulty: number): DifficultyPolicy {
  return { currentDifficulty: () => difficulty, addEvent: () => {} }
}
