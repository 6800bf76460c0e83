// Small byte helpers for the model layer (isomorphic: no Buffer): concatenation, hex (Peergos
// ArrayOps.bytesToHex / hexToBytes, lower case) and UTF-8.
import { parseHex } from '../codec/hex.ts'
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

/** Parses hex (either case); throws InvalidObjectError on odd length or a non-hex character. */
export function hexToBytes(s: string): Uint8Array {
  return parseHex(s, (reason) => new InvalidObjectError(reason))
}
