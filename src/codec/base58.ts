// Base58 (bitcoin alphabet) through native BigInt arithmetic, nine base-58 digits at a time
// (58^9 < 2^53, exact in a double): the ~3 KiB `caps=` parameter of champ/get/bulk costs a few
// milliseconds at most on either end instead of tens with digit-at-a-time code.
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const INDEX = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i
const GROUP = 9
const BIG = 58n ** BigInt(GROUP)
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** A character outside the base58 alphabet. */
export class Base58Error extends Error {}

export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  if (zeros === bytes.length) return '1'.repeat(zeros)
  let hex = ''
  for (let i = zeros; i < bytes.length; i++) hex += HEX[bytes[i]]
  let n = BigInt('0x' + hex)
  const groups: string[] = []
  while (n > 0n) {
    let g = Number(n % BIG)
    n /= BIG
    let digits = ''
    for (let k = 0; k < GROUP; k++) {
      digits = ALPHABET[g % 58] + digits
      g = Math.floor(g / 58)
    }
    groups.push(digits)
  }
  const out = groups.reverse().join('').replace(/^1+/, '')
  return '1'.repeat(zeros) + out
}

export function decodeBase58(s: string): Uint8Array {
  let zeros = 0
  while (zeros < s.length && s.charCodeAt(zeros) === 49 /* '1' */) zeros++
  let n = 0n
  let group = 0
  let width = 0
  for (let i = zeros; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const d = c < 128 ? INDEX[c] : -1
    if (d < 0) throw new Base58Error(`Non-base58 character '${s[i]}'`)
    group = group * 58 + d
    if (++width === GROUP) {
      n = n * BIG + BigInt(group)
      group = 0
      width = 0
    }
  }
  if (width > 0) n = n * 58n ** BigInt(width) + BigInt(group)
  if (n === 0n) return new Uint8Array(zeros)
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  const out = new Uint8Array(zeros + hex.length / 2)
  for (let i = 0; i < hex.length / 2; i++) out[zeros + i] = parseInt(hex.substr(2 * i, 2), 16)
  return out
}
