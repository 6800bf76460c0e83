// Sizes and dates as the drive shows them.
const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB']

/** The size column of an entry: a dash for a folder. */
export function entrySize(e: { isDirectory: boolean; size: number }): string {
  return e.isDirectory ? '—' : formatSize(e.size)
}

export function formatSize(bytes: number): string {
  let v = bytes
  let u = 0
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024
    u++
  }
  return u === 0 ? `${v} B` : `${v < 10 ? v.toFixed(1) : Math.round(v)} ${UNITS[u]}`
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' })

export function formatDate(millis: number): string {
  return millis > 0 ? dateFormat.format(new Date(millis)) : ''
}

export function percent(bytes: number, total: number): number {
  return total === 0 ? 100 : Math.min(100, Math.floor((bytes * 100) / total))
}
