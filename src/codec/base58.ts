// Base58 (bitcoin alphabet) through native BigInt arithmetic, nine base-58 digits at a time
// (58^9 < 2^53, exact in a double), split divide-and-conquer above a few hundred digits so V8's
// sub-quadratic BigInt division and multiplication do the work: the ~3 KiB `caps=` parameter of
// champ/get/bulk costs well under a millisecond on either end.
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const INDEX = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i
const GROUP = 9
const BIG = 58n ** BigInt(GROUP)
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))
const HEX_VALUE = new Int8Array(128).fill(-1)
for (let i = 0; i < 16; i++) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i
/** Groups (encoding) or digits (decoding) below which the plain loop is used. */
const LEAF_GROUPS = 24
const LEAF_DIGITS = LEAF_GROUPS * GROUP
/** log2(58^9): bits per group of nine digits. */
const BITS_PER_GROUP = GROUP * Math.log2(58)

const groupPowers = new Map<number, bigint>()
/** BIG^k, cached (the same few splits recur for parameters of similar size). */
function groupPower(k: number): bigint {
  let p = groupPowers.get(k)
  if (p === undefined) {
    p = BIG ** BigInt(k)
    if (groupPowers.size < 256) groupPowers.set(k, p)
  }
  return p
}

const digitPowers = new Map<number, bigint>()
function digitPower(k: number): bigint {
  let p = digitPowers.get(k)
  if (p === undefined) {
    p = 58n ** BigInt(k)
    if (digitPowers.size < 256) digitPowers.set(k, p)
  }
  return p
}

const ALPHABET_CODES = Uint8Array.from(ALPHABET, (ch) => ch.charCodeAt(0))

/** Writes exactly 9k digit codes of n (< BIG^k) into out[at, at + 9k), most significant first. */
function encodeGroups(n: bigint, k: number, out: Uint8Array, at: number): void {
  if (k <= LEAF_GROUPS) {
    for (let j = k - 1; j >= 0; j--) {
      let g: number
      if (j === 0) g = Number(n)
      else {
        const q = n / BIG
        g = Number(n - q * BIG)
        n = q
      }
      for (let d = at + j * GROUP + GROUP - 1; d >= at + j * GROUP; d--) {
        out[d] = ALPHABET_CODES[g % 58]
        g = Math.floor(g / 58)
      }
    }
    return
  }
  const low = k >> 1
  const p = groupPower(low)
  const hi = n / p
  encodeGroups(hi, k - low, out, at)
  encodeGroups(n - hi * p, low, out, at + (k - low) * GROUP)
}

/** A character outside the base58 alphabet. */
export class Base58Error extends Error {}

export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  if (zeros === bytes.length) return '1'.repeat(zeros)
  let hex = ''
  for (let i = zeros; i < bytes.length; i++) hex += HEX[bytes[i]]
  const n = BigInt('0x' + hex)
  const k = Math.ceil(((bytes.length - zeros) * 8) / BITS_PER_GROUP) + 1
  const digits = new Uint8Array(k * GROUP)
  encodeGroups(n, k, digits, 0)
  let first = 0
  while (first < digits.length && digits[first] === 49 /* '1' */) first++
  let s = '1'.repeat(zeros)
  for (let i = first; i < digits.length; i += 4096) s += String.fromCharCode.apply(null, digits.subarray(i, Math.min(digits.length, i + 4096)) as unknown as number[])
  return s
}

/** The value of the base58 digits s[from, to) (all checked). */
function decodeDigits(s: string, from: number, to: number): bigint {
  if (to - from > LEAF_DIGITS) {
    const low = Math.floor((to - from) / 2)
    return decodeDigits(s, from, to - low) * digitPower(low) + decodeDigits(s, to - low, to)
  }
  let n = 0n
  let group = 0
  let width = 0
  for (let i = from; i < to; i++) {
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
  if (width > 0) n = n * digitPower(width) + BigInt(group)
  return n
}

export function decodeBase58(s: string): Uint8Array {
  let zeros = 0
  while (zeros < s.length && s.charCodeAt(zeros) === 49 /* '1' */) zeros++
  const n = decodeDigits(s, zeros, s.length)
  if (n === 0n) return new Uint8Array(zeros)
  let hex = n.toString(16)
  if (hex.length % 2 === 1) hex = '0' + hex
  const out = new Uint8Array(zeros + hex.length / 2)
  for (let i = 0, j = zeros; i < hex.length; i += 2, j++) out[j] = (HEX_VALUE[hex.charCodeAt(i)] << 4) | HEX_VALUE[hex.charCodeAt(i + 1)]
  return out
}
