// Proof-of-work difficulty (Peergos DifficultyGenerator, RateMonitor): free while under the target
// rate, rising with bursts, decaying with time; maxPerDay 0 always asks for the maximum.
import { describe, expect, it } from 'vitest'
import { DEFAULT_DIFFICULTY, DifficultyGenerator, MAX_DIFFICULTY, fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'

describe('DifficultyGenerator', () => {
  const T0 = 1_700_000_000_000

  it('is 0 with no events and rises with a burst', () => {
    const g = new DifficultyGenerator(T0, 20_000)
    expect(g.currentDifficulty(T0)).toBe(0)
    g.addEvent()
    // One event inside 0.1 s is already above 20,000/day for the first bucket: 2*ln(2/0.023)+11 = 19.
    const d1 = g.currentDifficulty(T0 + 50)
    expect(d1).toBe(Math.trunc(2 * Math.log(2 / (20_000 / 864_000)) + DEFAULT_DIFFICULTY))
    for (let i = 0; i < 10; i++) g.addEvent()
    expect(g.currentDifficulty(T0 + 60)).toBeGreaterThan(d1)
  })

  it('decays as the events age out of every bucket', () => {
    const g = new DifficultyGenerator(T0, 864_000) // 1 per 0.1 s step
    for (let i = 0; i < 5; i++) g.addEvent()
    expect(g.currentDifficulty(T0)).toBeGreaterThan(0)
    // After 2^20 steps (about 29 h) everything has been dropped.
    expect(g.currentDifficulty(T0 + 2 ** 20 * 100 + 100)).toBe(0)
  })

  it('asks for the maximum when no signups are allowed, and a fixed policy is fixed', () => {
    const g = new DifficultyGenerator(T0, 0)
    expect(g.currentDifficulty(T0 + 1000)).toBe(MAX_DIFFICULTY)
    g.addEvent()
    expect(g.currentDifficulty(T0 + 2000)).toBe(MAX_DIFFICULTY)
    expect(fixedDifficulty(7).currentDifficulty(0)).toBe(7)
  })
})
