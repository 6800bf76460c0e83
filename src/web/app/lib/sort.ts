// Sorting the drive's entries: folders first, then by name, size or date, either way.
import type { Entry } from '../../shared/rpc-protocol.ts'

export type SortKey = 'name' | 'size' | 'modified'
export interface SortOrder {
  readonly key: SortKey
  readonly ascending: boolean
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

export function sortEntries(entries: readonly Entry[], o: SortOrder): Entry[] {
  const sign = o.ascending ? 1 : -1
  return [...entries].sort((a, b) => {
    if (a.isDirectory !== b.isDirectory) return a.isDirectory ? -1 : 1
    const by = o.key === 'name' ? collator.compare(a.name, b.name) : o.key === 'size' ? a.size - b.size : a.modified - b.modified
    return sign * (by !== 0 ? by : collator.compare(a.name, b.name))
  })
}
