import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidObjectError } from '../../src/model/errors.ts'
import {
  compareLocalDate, formatLocalDate, fromEpochDay, LOCAL_DATE_MAX, localDate, localDateOf, parseLocalDate, plusDays, plusMonths, toEpochDay,
} from '../../src/model/local-date.ts'
import { onlyPeergosErrors, FUZZ_RUNS } from './fuzz.ts'

describe('LocalDate (Java ISO form)', () => {
  it('prints as Java LocalDate.toString', () => {
    expect(formatLocalDate(LOCAL_DATE_MAX)).toBe('+999999999-12-31')
    expect(formatLocalDate(localDate(2030, 1, 1))).toBe('2030-01-01')
    expect(formatLocalDate(localDate(999, 2, 3))).toBe('0999-02-03')
    expect(formatLocalDate(localDate(-1, 12, 31))).toBe('-0001-12-31')
    expect(formatLocalDate(localDate(10000, 1, 1))).toBe('+10000-01-01')
  })

  it('parses only valid canonical dates', () => {
    expect(parseLocalDate('+999999999-12-31')).toEqual(LOCAL_DATE_MAX)
    expect(parseLocalDate('2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 })
    for (const bad of ['2023-02-29', '2030-1-01', '+2030-01-01', '12030-01-01', '2030-13-01', '2030-00-10', '2030-01-32', '', 'x', '2030-01-01T00:00']) {
      expect(() => parseLocalDate(bad), bad).toThrow(InvalidObjectError)
    }
  })

  it('compares and does calendar arithmetic like java.time', () => {
    expect(compareLocalDate(parseLocalDate('2027-01-28'), parseLocalDate('2030-01-01'))).toBeLessThan(0)
    expect(compareLocalDate(LOCAL_DATE_MAX, parseLocalDate('2030-01-01'))).toBeGreaterThan(0)
    expect(plusMonths(parseLocalDate('2026-11-28'), 2)).toEqual(parseLocalDate('2027-01-28'))
    expect(plusMonths(parseLocalDate('2026-12-31'), 2)).toEqual(parseLocalDate('2027-02-28'))
    expect(plusDays(parseLocalDate('2024-02-28'), 1)).toEqual(parseLocalDate('2024-02-29'))
    expect(plusDays(parseLocalDate('2023-12-31'), 1)).toEqual(parseLocalDate('2024-01-01'))
    expect(toEpochDay(parseLocalDate('1970-01-01'))).toBe(0)
    expect(toEpochDay(parseLocalDate('2030-01-01'))).toBe(21915)
    expect(localDateOf(new Date(Date.UTC(2026, 0, 28, 23, 59)))).toEqual(parseLocalDate('2026-01-28'))
    fc.assert(fc.property(fc.integer({ min: -10_000_000, max: 10_000_000 }), (d) => {
      expect(toEpochDay(fromEpochDay(d))).toBe(d)
      const date = fromEpochDay(d)
      expect(parseLocalDate(formatLocalDate(date))).toEqual(date)
    }), { numRuns: 2000 })
  })

  it('parsing arbitrary strings returns or throws InvalidObjectError', () => {
    fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 20 }), fc.stringMatching(/^[+-]?\d{1,10}-\d{1,2}-\d{1,2}$/)), (s) => onlyPeergosErrors(() => parseLocalDate(s))), { numRuns: FUZZ_RUNS })
  })
})
