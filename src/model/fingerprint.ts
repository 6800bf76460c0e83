// FingerPrint (Peergos shared/fingerprint/FingerPrint.java, UserContext.generateFingerPrint): the
// safety number two users compare to verify each other's identity. Each half is 5200 rounds of
// Blake2b-512 over [0, 0] ‖ utf8(username) ‖ the user's key hashes (identity and follow-request
// boxer, as CID bytes, sorted by length then by signed bytes), cut to 32 bytes (112 bits of security).
// The displayed number is 60 digits: each half gives six groups of five (five little-endian bytes
// modulo 100000, zero-padded), and the smaller half's digits come first, so both users see the same
// number. CBOR {f: friend's half, u: our half, v: 1}, the QR code's payload (as hex).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { PublicKeyHash } from './signing-keys.ts'

/** FingerPrint.COMBINED_VERSION. */
export const FINGERPRINT_VERSION = 1
/** Blake2b-512 rounds per half (calculateHalfFingerprint). */
export const FINGERPRINT_ITERATIONS = 5200
const HALF_VERSION = new Uint8Array([0, 0])

export interface FingerPrint {
  readonly version: number
  /** Our half. */
  readonly ours: Uint8Array
  /** The friend's half. */
  readonly friends: Uint8Array
}

/** FingerPrint.compareArrays: by length, then by bytes as Java's signed bytes. */
function compareKeyBytes(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return a.length - b.length
  for (let i = 0; i < a.length; i++) {
    const x = (a[i] << 24) >> 24
    const y = (b[i] << 24) >> 24
    if (x !== y) return x - y
  }
  return 0
}

/** calculateHalfFingerprint: one user's half. */
export function halfFingerprint(c: CryptoProvider, username: string, keys: readonly PublicKeyHash[]): Uint8Array {
  const name = new TextEncoder().encode(username)
  const sorted = keys.map((k) => k.bytes).sort(compareKeyBytes)
  let input: Uint8Array = new Uint8Array(HALF_VERSION.length + name.length + sorted.reduce((n, k) => n + k.length, 0))
  input.set(HALF_VERSION, 0)
  input.set(name, HALF_VERSION.length)
  let off = HALF_VERSION.length + name.length
  for (const k of sorted) {
    input.set(k, off)
    off += k.length
  }
  for (let i = 0; i < FINGERPRINT_ITERATIONS; i++) input = c.blake2b512(input)
  return input.slice(0, 32)
}

/** FingerPrint.generate, from our side. */
export function generateFingerprint(c: CryptoProvider, ourName: string, ourKeys: readonly PublicKeyHash[], friendName: string, friendKeys: readonly PublicKeyHash[]): FingerPrint {
  return { version: FINGERPRINT_VERSION, ours: halfFingerprint(c, ourName, ourKeys), friends: halfFingerprint(c, friendName, friendKeys) }
}

/** getEncodedChunk: five little-endian bytes at `offset`, modulo 100000, as five digits. */
function chunk(half: Uint8Array, offset: number): string {
  let v = 0
  for (let i = 4; i >= 0; i--) v = v * 256 + half[offset + i]
  return String(v % 100000).padStart(5, '0')
}

function halfDigits(half: Uint8Array): string {
  return [0, 5, 10, 15, 20, 25].map((o) => chunk(half, o)).join('')
}

/** getDisplayString: the 60-digit safety number, the same on both sides. */
export function safetyNumber(f: FingerPrint): string {
  const ours = halfDigits(f.ours)
  const friends = halfDigits(f.friends)
  return ours <= friends ? ours + friends : friends + ours
}

/** The safety number in twelve groups of five digits, as people read it out. */
export function formatSafetyNumber(digits: string): string {
  return (digits.match(/.{1,5}/g) ?? []).join(' ')
}

/** FingerPrint.matches: the other side's fingerprint is ours mirrored. */
export function fingerprintsMatch(a: FingerPrint, b: FingerPrint): boolean {
  return a.version === b.version && equal(a.ours, b.friends) && equal(a.friends, b.ours)
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i])
}

export function fingerprintToCbor(f: FingerPrint): CborValue {
  return cborMap({ f: f.friends, u: f.ours, v: f.version })
}

export function fingerprintFromCbor(v: CborValue): FingerPrint {
  const m = Fields.of(v, 'FingerPrint')
  return { version: m.int('v'), ours: m.bytes('u'), friends: m.bytes('f') }
}

export function encodeFingerprint(f: FingerPrint): Uint8Array {
  return encodeCbor(fingerprintToCbor(f))
}

export function decodeFingerprint(bytes: Uint8Array): FingerPrint {
  return fingerprintFromCbor(decodeCbor(bytes, { maxDepth: 1 }))
}
