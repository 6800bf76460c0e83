// URL encodings as Peergos' Java code uses them (reference §7.2): java.net.URLEncoder /
// URLDecoder (form encoding: space as '+'), and the strict percent-decoding URI.getQuery() applies.
import { hexDigitValue } from '../codec/hex.ts'

const encoder = new TextEncoder()
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })
const lenientUtf8 = new TextDecoder('utf-8')
const HEX = '0123456789ABCDEF'

/** Replaces unpaired UTF-16 surrogates with '?', as Java's UTF-8 encoder does. */
function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '?')
}

function unreserved(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || b === 0x2e || b === 0x2d || b === 0x2a || b === 0x5f
}

/**
 * URLEncoder.encode(s, "UTF-8"): [A-Za-z0-9.*_-] kept, space as '+', every other byte of the UTF-8
 * form as %XX. The result is pure printable ASCII without spaces, so it can never split a header.
 */
export function javaUrlEncode(s: string): string {
  let out = ''
  for (const b of encoder.encode(wellFormed(s))) {
    if (unreserved(b)) out += String.fromCharCode(b)
    else if (b === 0x20) out += '+'
    else out += '%' + HEX[b >> 4] + HEX[b & 15]
  }
  return out
}

/** Percent-decodes to bytes; undefined on a malformed escape or a non-ASCII character. */
function percentBytes(s: string, plusIsSpace: boolean): Uint8Array | undefined {
  const out = new Uint8Array(s.length)
  let n = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c > 0x7e || c < 0x20) return undefined
    if (c === 0x25) {
      const hi = i + 2 < s.length ? hexDigitValue(s.charCodeAt(i + 1)) : -1
      const lo = i + 2 < s.length ? hexDigitValue(s.charCodeAt(i + 2)) : -1
      if (hi < 0 || lo < 0) return undefined
      out[n++] = (hi << 4) | lo
      i += 2
    } else {
      out[n++] = plusIsSpace && c === 0x2b ? 0x20 : c
    }
  }
  return out.subarray(0, n)
}

/**
 * URLDecoder.decode(s, UTF-8): '+' as space, %XX as UTF-8 bytes. Lenient, as a client reading a
 * server's error should be: a malformed input is returned unchanged.
 */
export function javaUrlDecode(s: string): string {
  const b = percentBytes(s, true)
  return b === undefined ? s : lenientUtf8.decode(b)
}

/**
 * What java.net.URI.getQuery()/getPath() give a Peergos handler: %XX decoded as UTF-8, '+' kept.
 * Strict: undefined for a malformed escape, a raw non-printable or non-ASCII character, or bytes
 * that are not UTF-8.
 */
export function uriDecode(s: string): string | undefined {
  const b = percentBytes(s, false)
  if (b === undefined) return undefined
  try {
    return strictUtf8.decode(b)
  } catch {
    return undefined
  }
}
