// RFC 4648 base64 for multibase 'm' (no padding) and 'M' (padded), as Peergos' io.ipfs.bases.Base64
// writes it (standard alphabet) and reads it (the standard and the URL-safe alphabet alike, '='
// padding optional). The champ/get/bulk `caps=` parameter goes out this way: linear time, where
// base58 of its ~1.8 KB cost the client (and the server) about a millisecond per call.
import { PeergosError } from '../errors.ts'

/** A string that is not base64. */
export class InvalidBase64Error extends PeergosError {}

const asciiDecoder = new TextDecoder()
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0))
const VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) VALUE[ALPHABET.charCodeAt(i)] = i
VALUE[0x2d /* - */] = 62
VALUE[0x5f /* _ */] = 63

/** Standard alphabet, no padding. */
export function base64Encode(bytes: Uint8Array): string {
  const n = bytes.length
  const out = new Uint8Array(Math.ceil((n * 4) / 3))
  let o = 0
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    out[o++] = CODES[v >> 18]
    out[o++] = CODES[(v >> 12) & 63]
    out[o++] = CODES[(v >> 6) & 63]
    out[o++] = CODES[v & 63]
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0)
    out[o++] = CODES[v >> 18]
    out[o++] = CODES[(v >> 12) & 63]
    if (i + 1 < n) out[o++] = CODES[(v >> 6) & 63]
  }
  return asciiDecoder.decode(out.subarray(0, o)) // native (fromCharCode.apply copied every code into an arguments list first)
}

const PERCENT = 0x25
const HEX_2 = 0x32
const HEX_B = 0x42
const HEX_F = 0x46

/**
 * `prefix` + base64Encode(bytes) as encodeURIComponent writes it ('+' → %2B, '/' → %2F, letters and
 * digits as they are), in one pass: a request parameter without the intermediate strings. `prefix`
 * must be ASCII letters or digits (a multibase code).
 */
export function base64EncodeUriComponent(prefix: string, bytes: Uint8Array): string {
  const n = bytes.length
  const out = new Uint8Array(prefix.length + Math.ceil((n * 4) / 3) * 3)
  let o = 0
  for (let i = 0; i < prefix.length; i++) out[o++] = prefix.charCodeAt(i)
  let i = 0
  for (; i + 2 < n; i += 3) {
    const v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    o = putUriCode(out, o, v >> 18)
    o = putUriCode(out, o, (v >> 12) & 63)
    o = putUriCode(out, o, (v >> 6) & 63)
    o = putUriCode(out, o, v & 63)
  }
  if (i < n) {
    const v = (bytes[i] << 16) | (i + 1 < n ? bytes[i + 1] << 8 : 0)
    o = putUriCode(out, o, v >> 18)
    o = putUriCode(out, o, (v >> 12) & 63)
    if (i + 1 < n) o = putUriCode(out, o, (v >> 6) & 63)
  }
  return asciiDecoder.decode(out.subarray(0, o))
}

/** One base64 digit, percent-encoded when it is '+' (62) or '/' (63). */
function putUriCode(out: Uint8Array, o: number, digit: number): number {
  if (digit < 62) {
    out[o] = CODES[digit]
    return o + 1
  }
  out[o] = PERCENT
  out[o + 1] = HEX_2
  out[o + 2] = digit === 62 ? HEX_B : HEX_F
  return o + 3
}

/** Either alphabet ('+/' or '-_'), trailing '=' padding optional; any other character, a dangling sixth of a byte or non-zero leftover bits are refused. */
export function base64Decode(text: string): Uint8Array {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */ && text.length - end < 2) end--
  if (end % 4 === 1) throw new InvalidBase64Error('Base64 text has a dangling character')
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let o = 0
  let acc = 0
  let bits = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? VALUE[c] : -1
    if (v < 0) throw new InvalidBase64Error(`Non-base64 character '${text[i]}'`)
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new InvalidBase64Error('Base64 text has non-zero trailing bits')
  return out
}
