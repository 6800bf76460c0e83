// Peergos-specific derivations over any CryptoProvider (reference §0.1 and §5.1): Hasher.hkdfKey,
// ProofOfWork (satisfiesDifficulty, generateProofOfWork), the login scrypt inputs and output split.
import { InvalidCryptoInputError } from './errors.ts'
import type { CryptoProvider } from './provider.ts'

const utf8 = new TextEncoder()
/** HKDF "info ‖ counter" block of Peergos' single-block HKDF: utf8('peergos') ‖ 0x01. */
const HKDF_INFO = Uint8Array.of(...utf8.encode('peergos'), 1)

/** Hasher.hkdfKey: PRK = HMAC-SHA256(key = 32 zero bytes, ikm); OKM = HMAC-SHA256(PRK, 'peergos' ‖ 0x01). */
export function hkdfKey(c: CryptoProvider, ikm: Uint8Array): Uint8Array {
  const prk = c.hmacSha256(new Uint8Array(32), ikm)
  return c.hmacSha256(prk, HKDF_INFO)
}

export const POW_PREFIX_BYTES = 8
export const POW_DEFAULT_DIFFICULTY = 11
export const POW_MAX_DIFFICULTY = 256

/**
 * ProofOfWork.satisfiesDifficulty: the first `difficulty` bits of the hash are zero, counting from
 * byte 0 and, inside each byte, from the least significant bit up (Peergos' order, pinned by the vectors).
 */
export function satisfiesDifficulty(hash: Uint8Array, difficulty: number): boolean {
  if (!Number.isInteger(difficulty) || difficulty < 0) throw new InvalidCryptoInputError(`bad PoW difficulty ${difficulty}`)
  if (difficulty > hash.length * 8) return false
  const whole = difficulty >>> 3
  for (let i = 0; i < whole; i++) if (hash[i] !== 0) return false
  const rest = difficulty & 7
  return rest === 0 || (hash[whole] & ((1 << rest) - 1)) === 0
}

/**
 * Hasher.generateProofOfWork: the first 8-byte little-endian counter prefix (from 0) such that
 * sha256(prefix ‖ data) satisfies the difficulty. Synchronous; expected cost 2^difficulty hashes.
 */
export function generateProofOfWork(c: CryptoProvider, data: Uint8Array, difficulty: number): Uint8Array {
  if (!Number.isInteger(difficulty) || difficulty < 0 || difficulty > POW_MAX_DIFFICULTY) {
    throw new InvalidCryptoInputError(`PoW difficulty must be an integer in [0, ${POW_MAX_DIFFICULTY}], got ${difficulty}`)
  }
  const buf = new Uint8Array(POW_PREFIX_BYTES + data.length)
  buf.set(data, POW_PREFIX_BYTES)
  const view = new DataView(buf.buffer)
  for (let hi = 0; hi <= 0xffffffff; hi++) {
    view.setUint32(4, hi, true)
    for (let lo = 0; lo <= 0xffffffff; lo++) {
      view.setUint32(0, lo, true)
      if (satisfiesDifficulty(c.sha256(buf), difficulty)) return buf.slice(0, POW_PREFIX_BYTES)
    }
  }
  throw new InvalidCryptoInputError('PoW counter exhausted')
}

/** ScryptGenerator parameters (the public `algorithm` of a user's identity WriterData). */
export interface ScryptParams {
  /** log2 of scrypt N (17 for logins). */
  memoryCost: number
  /** scrypt r (8). */
  cpuCost: number
  /** scrypt p (1). */
  parallelism: number
  /** Output length: 64 (current) or 96 (legacy). */
  outputBytes: number
  /** Public salt suffix: the hex STRING (used as text, not decoded); "" for legacy accounts. */
  extraSalt: string
}

/** Hasher.hashToKeyBytes: scrypt(sha256(utf8(password)), utf8(username + extraSalt), 2^m, c, p, o). */
export function loginScrypt(c: CryptoProvider, username: string, password: string, params: ScryptParams): Promise<Uint8Array> {
  const { memoryCost, cpuCost, parallelism, outputBytes, extraSalt } = params
  return c.scrypt(c.sha256(utf8.encode(password)), utf8.encode(username + extraSalt), memoryCost, cpuCost, parallelism, outputBytes)
}

export interface LoginSecrets {
  /** bytes [0, 32): Ed25519 seed of the login key pair (the identity key too, for legacy accounts). */
  loginSeed: Uint8Array
  /** The login root symmetric key: [32, 64) of a 64-byte output, [64, 96) of a legacy 96-byte one. */
  rootKey: Uint8Array
  /** Legacy 96-byte output only: [32, 64), the Curve25519 boxer secret key. */
  legacyBoxerSecret?: Uint8Array
}

/** UserUtil.generateUser: splits the login scrypt output (64 bytes current, 96 bytes legacy); copies. */
export function splitLoginSecret(output: Uint8Array): LoginSecrets {
  if (output.length === 64) return { loginSeed: output.slice(0, 32), rootKey: output.slice(32, 64) }
  if (output.length === 96) {
    return { loginSeed: output.slice(0, 32), legacyBoxerSecret: output.slice(32, 64), rootKey: output.slice(64, 96) }
  }
  throw new InvalidCryptoInputError(`login scrypt output must be 64 or 96 bytes, got ${output.length}`)
}

/** Compares two byte arrays in time independent of their contents (not of their lengths). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  let diff = 0
  for (let i = 0; i < a.length; i++) diff |= a[i] ^ b[i]
  return diff === 0
}
