// How the user commands print files: `ls` short and long forms, `stat`, and the JSON objects of
// --json (one shape for both ls and stat).
import type { FileInfo } from '../client/file-system.ts'

export interface JsonEntry {
  readonly name: string
  readonly path: string
  readonly type: 'directory' | 'file'
  readonly size: number
  readonly mimeType: string
  /** ISO 8601, UTC. */
  readonly modified: string
  readonly created: string
  readonly hidden: boolean
  /** A link node (an item shared into this tree). */
  readonly link: boolean
}

export function jsonEntry(f: FileInfo): JsonEntry {
  return {
    name: f.name, path: f.path, type: f.isDirectory ? 'directory' : 'file', size: f.size, mimeType: f.mimeType,
    modified: isoTime(f.modified), created: isoTime(f.created), hidden: isHidden(f), link: f.isLink,
  }
}

/** Hidden in Peergos' sense (the property) or by the Unix convention (a leading dot). */
export function isHidden(f: FileInfo): boolean {
  return f.isHidden || f.name.startsWith('.')
}

/** `ls -l`: type, size, local modification time, name; sizes right-aligned to the widest. */
export function longListing(files: readonly FileInfo[]): string {
  const width = Math.max(0, ...files.map((f) => String(f.size).length))
  return files.map((f) => `${typeChar(f)} ${String(f.size).padStart(width)} ${localTime(f.modified)} ${f.name}\n`).join('')
}

export function shortListing(files: readonly FileInfo[]): string {
  return files.map((f) => `${f.name}\n`).join('')
}

export function statText(f: FileInfo): string {
  const rows: [string, string][] = [
    ['path', f.path], ['type', f.isDirectory ? 'directory' : 'file'], ['size', String(f.size)], ['mime type', f.mimeType],
    ['modified', isoTime(f.modified)], ['created', isoTime(f.created)], ['hidden', isHidden(f) ? 'yes' : 'no'], ['link', f.isLink ? 'yes' : 'no'],
  ]
  return rows.map(([k, v]) => `${(k + ':').padEnd(11)}${v}\n`).join('')
}

function typeChar(f: FileInfo): string {
  return f.isDirectory ? 'd' : f.isLink ? 'l' : '-'
}

function isoTime(ms: number): string {
  const d = new Date(ms)
  return Number.isNaN(d.getTime()) ? '' : d.toISOString()
}

/** `2025-03-07 14:05`, in the local time zone as ls prints it. */
function localTime(ms: number): string {
  const d = new Date(ms)
  if (Number.isNaN(d.getTime())) return '????-??-?? ??:??'
  const two = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`
}

/** `12.6 MB in 3.1 s (4.1 MB/s)`. */
export function transferSummary(bytes: number, ms: number): string {
  const rate = ms > 0 ? ` (${((bytes * 1000) / ms / 1e6).toFixed(1)} MB/s)` : ''
  return `${(bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(1)} s${rate}`
}
