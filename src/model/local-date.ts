// Java LocalDate in its ISO form (LocalDate.toString / LocalDate.parse), as username claims carry
// their expiry (reference §4.2): yyyy-MM-dd, years beyond 9999 with a '+' sign, LocalDate.MAX =
// "+999999999-12-31". Only the canonical form Java prints is accepted.
import { InvalidObjectError } from './errors.ts'

export interface LocalDate {
  readonly year: number
  readonly month: number
  readonly day: number
}

export const LOCAL_DATE_MAX: LocalDate = { year: 999_999_999, month: 12, day: 31 }
export const LOCAL_DATE_MIN: LocalDate = { year: -999_999_999, month: 1, day: 1 }

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31
}

export function localDate(year: number, month: number, day: number): LocalDate {
  if (!Number.isInteger(year) || year < LOCAL_DATE_MIN.year || year > LOCAL_DATE_MAX.year) throw new InvalidObjectError(`Invalid year ${year}`)
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new InvalidObjectError(`Invalid month ${month}`)
  if (!Number.isInteger(day) || day < 1 || day > daysInMonth(year, month)) throw new InvalidObjectError(`Invalid day ${day} for ${year}-${month}`)
  return { year, month, day }
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

/** LocalDate.toString: 4-digit years zero-padded, negative years with '-', years above 9999 with '+'. */
export function formatLocalDate(d: LocalDate): string {
  const abs = Math.abs(d.year)
  let year: string
  if (abs < 1000) year = (d.year < 0 ? '-' : '') + pad(abs, 4)
  else year = (d.year > 9999 ? '+' : '') + String(d.year)
  return `${year}-${pad(d.month, 2)}-${pad(d.day, 2)}`
}

const ISO_DATE = /^([+-]?\d{4,9})-(\d{2})-(\d{2})$/

/** Parses the ISO form Java prints; anything else (including non-canonical variants) is an InvalidObjectError. */
export function parseLocalDate(s: string): LocalDate {
  const m = typeof s === 'string' && s.length <= 16 ? ISO_DATE.exec(s) : null
  if (m === null) throw new InvalidObjectError(`Invalid ISO date '${String(s).slice(0, 40)}'`)
  const d = localDate(Number(m[1]), Number(m[2]), Number(m[3]))
  if (formatLocalDate(d) !== s) throw new InvalidObjectError(`Non-canonical ISO date '${s}'`)
  return d
}

export function compareLocalDate(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day
}

/** The UTC date of a JS time (for "now + 2 months" style expiries). */
export function localDateOf(time: Date): LocalDate {
  return localDate(time.getUTCFullYear(), time.getUTCMonth() + 1, time.getUTCDate())
}

/** LocalDate.plusMonths: the same day, clamped to the end of a shorter month. */
export function plusMonths(d: LocalDate, months: number): LocalDate {
  const total = d.year * 12 + (d.month - 1) + months
  const year = Math.floor(total / 12)
  const month = total - year * 12 + 1
  return localDate(year, month, Math.min(d.day, daysInMonth(year, month)))
}

/** Days since 1970-01-01 (LocalDate.toEpochDay), by the civil-from-days algorithm of H. Hinnant. */
export function toEpochDay(d: LocalDate): number {
  const y = d.month <= 2 ? d.year - 1 : d.year
  const era = Math.floor(y / 400)
  const yoe = y - era * 400
  const mp = (d.month + 9) % 12
  const doy = Math.floor((153 * mp + 2) / 5) + d.day - 1
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy
  return era * 146097 + doe - 719468
}

export function fromEpochDay(epochDay: number): LocalDate {
  const z = epochDay + 719468
  const era = Math.floor(z / 146097)
  const doe = z - era * 146097
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365)
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100))
  const mp = Math.floor((5 * doy + 2) / 153)
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1
  const month = mp < 10 ? mp + 3 : mp - 9
  return localDate(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
}

export function plusDays(d: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(d) + days)
}
