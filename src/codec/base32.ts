// RFC 4648 base32 (alphabet A-Z 2-7) as Peergos' io.ipfs.bases.Base32 reads and writes it for
// second factors (reference §5.4; TotpKey, BackupCodes): written upper case with the '=' padding
// dropped; read in either case, padding optional.
import { PeergosError } from '../errors.ts'

/** A string that is not RFC 4648 base32. */
export class InvalidBase32Error extends PeergosError {}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'

/** Upper case, no padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = ''
  let buffer = 0
  let bits = 0
  for (const b of bytes) {
    buffer = ((buffer << 8) | b) & 0xffff
    bits += 8
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31]
      bits -= 5
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31]
  return out
}

/** Either case; trailing '=' padding optional; any other character, or leftover non-zero bits, is refused. */
export function base32Decode(text: string): Uint8Array {
  const s = text.replace(/=+$/, '').toUpperCase()
  if ([1, 3, 6].includes(s.length % 8)) throw new InvalidBase32Error('Invalid base32 length')
  const out = new Uint8Array(Math.floor((s.length * 5) / 8))
  let buffer = 0
  let bits = 0
  let n = 0
  for (const ch of s) {
    const v = ALPHABET.indexOf(ch)
    if (v < 0) throw new InvalidBase32Error('Invalid base32 character')
    buffer = ((buffer << 5) | v) & 0xffff
    bits += 5
    if (bits >= 8) {
      out[n++] = (buffer >>> (bits - 8)) & 0xff
      bits -= 8
    }
  }
  if ((buffer & ((1 << bits) - 1)) !== 0) throw new InvalidBase32Error('Invalid base32 padding bits')
  return out
}
