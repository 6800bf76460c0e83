// HTTP Range requests over a file of known size (RFC 9110 §14): one "bytes=" range (first-last,
// first-, or -suffix) resolved to an offset and length; several ranges, other units or a malformed
// header mean "serve the whole file" (a server may ignore Range), and a range starting past the end
// is unsatisfiable (416).

export type RangeAnswer =
  | { readonly kind: 'whole' }
  | { readonly kind: 'partial'; readonly offset: number; readonly length: number }
  | { readonly kind: 'unsatisfiable' }

const SINGLE = /^bytes=[ \t]*(\d*)[ \t]*-[ \t]*(\d*)[ \t]*$/i

export function resolveRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return { kind: 'whole' }
  const m = SINGLE.exec(header.trim())
  if (m === null) return { kind: 'whole' }
  const [, a, b] = m
  if (a === '' && b === '') return { kind: 'whole' }
  if (a === '') {
    // the last `b` bytes
    const suffix = Number(b)
    if (!Number.isSafeInteger(suffix)) return { kind: 'whole' }
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' }
    const length = Math.min(suffix, size)
    return { kind: 'partial', offset: size - length, length }
  }
  const first = Number(a)
  const last = b === '' ? size - 1 : Number(b)
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(last)) return { kind: 'whole' }
  if (first >= size) return { kind: 'unsatisfiable' }
  if (last < first) return { kind: 'whole' }
  return { kind: 'partial', offset: first, length: Math.min(last, size - 1) - first + 1 }
}

/** The Content-Range value of a partial answer. */
export function contentRange(offset: number, length: number, size: number): string {
  return `bytes ${offset}-${offset + length - 1}/${size}`
}
