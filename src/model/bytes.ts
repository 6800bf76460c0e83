// Small byte helpers for the model layer (isomorphic: no Buffer): concatenation, hex (Peergos
// ArrayOps.bytesToHex / hexToBytes, lower case) and UTF-8.
import { InvalidObjectError } from './errors.ts'

const utf8Encoder = new TextEncoder()

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  return concatAll(parts)
}

/** concatBytes for a list (no spread, so any number of parts); always a fresh copy. */
export function concatAll(parts: readonly Uint8Array[]): Uint8Array {
  let length = 0
  for (const p of parts) length += p.length
  const out = new Uint8Array(length)
  let pos = 0
  for (const p of parts) {
    out.set(p, pos)
    pos += p.length
  }
  return out
}

export function utf8(s: string): Uint8Array {
  return utf8Encoder.encode(s)
}

const HEX = '0123456789abcdef'

export function bytesToHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i] >> 4] + HEX[b[i] & 15]
  return s
}

/** The value of the hex digit with char code `code` (either case), or -1 when it is not one. */
export function hexDigitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Parses hex (either case); throws InvalidObjectError on odd length or a non-hex character. */
export function hexToBytes(s: string): Uint8Array {
  if (s.length % 2 !== 0) throw new InvalidObjectError('Hex string has an odd length')
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(s.charCodeAt(2 * i))
    const lo = hexDigitValue(s.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) throw new InvalidObjectError(`Invalid hex character at offset ${hi < 0 ? 2 * i : 2 * i + 1}`)
    out[i] = (hi << 4) | lo
  }
  return out
}
