// Base58 (bitcoin alphabet) with wide limbs: bytes are converted two at a time into limbs of 58^5
// (encode), characters five at a time into limbs of 2^16 (decode), held exactly in doubles, instead of one base-58 digit at a time, so the ~2 KiB
// `caps=` parameter of champ/get/bulk costs microseconds, not tens of milliseconds, on both ends.
const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'
const INDEX = new Int8Array(128).fill(-1)
for (let i = 0; i < ALPHABET.length; i++) INDEX[ALPHABET.charCodeAt(i)] = i
const BIG = 58 ** 5

/** A character outside the base58 alphabet. */
export class Base58Error extends Error {}

export function encodeBase58(bytes: Uint8Array): string {
  let zeros = 0
  while (zeros < bytes.length && bytes[zeros] === 0) zeros++
  // little-endian limbs of base 58^5
  const limbs: number[] = []
  const feed = (mul: number, add: number): void => {
    let carry = add
    for (let j = 0; j < limbs.length; j++) {
      const v = limbs[j] * mul + carry // < 58^5 * 2^16 < 2^53: exact
      carry = Math.floor(v / BIG)
      limbs[j] = v - carry * BIG
    }
    while (carry > 0) {
      const q = Math.floor(carry / BIG)
      limbs.push(carry - q * BIG)
      carry = q
    }
  }
  let i = zeros
  if ((bytes.length - zeros) % 2 === 1) feed(256, bytes[i++])
  for (; i < bytes.length; i += 2) feed(65536, bytes[i] * 256 + bytes[i + 1])
  let out = ''
  for (let j = 0; j < limbs.length; j++) {
    let limb = limbs[j]
    const last = j === limbs.length - 1
    for (let k = 0; k < 5 && (!last || limb > 0); k++) {
      out = ALPHABET[limb % 58] + out
      limb = Math.floor(limb / 58)
    }
  }
  return '1'.repeat(zeros) + out
}

export function decodeBase58(s: string): Uint8Array {
  let zeros = 0
  while (zeros < s.length && s.charCodeAt(zeros) === 49 /* '1' */) zeros++
  // little-endian limbs of base 2^16
  const limbs: number[] = []
  const feed = (mul: number, add: number): void => {
    let carry = add
    for (let j = 0; j < limbs.length; j++) {
      const v = limbs[j] * mul + carry
      carry = Math.floor(v / 65536)
      limbs[j] = v - carry * 65536
    }
    while (carry > 0) {
      limbs.push(carry % 65536)
      carry = Math.floor(carry / 65536)
    }
  }
  let group = 0
  let groupMul = 1
  for (let i = zeros; i < s.length; i++) {
    const c = s.charCodeAt(i)
    const d = c < 128 ? INDEX[c] : -1
    if (d < 0) throw new Base58Error(`Non-base58 character '${s[i]}'`)
    group = group * 58 + d
    groupMul *= 58
    if (groupMul === BIG) {
      feed(groupMul, group)
      group = 0
      groupMul = 1
    }
  }
  if (groupMul > 1) feed(groupMul, group)
  let n = limbs.length * 2
  const body = new Uint8Array(n)
  for (let j = 0; j < limbs.length; j++) {
    body[n - 1 - 2 * j] = limbs[j] & 0xff
    body[n - 2 - 2 * j] = limbs[j] >> 8
  }
  let start = 0
  while (start < body.length && body[start] === 0) start++
  n = body.length - start
  const out = new Uint8Array(zeros + n)
  out.set(body.subarray(start), zeros)
  return out
}
