// Isomorphic pieces shared by both crypto providers: input-length checks (InvalidCryptoInputError)
// and ML-KEM-1024 over @noble/post-quantum (FIPS 203; Peergos hybrid boxer, reference §0.1).
import { ml_kem1024 } from '@noble/post-quantum/ml-kem.js'
import { InvalidCryptoInputError } from '../errors.ts'
import type { MlKemKeyPairBytes } from '../provider.ts'
import { MLKEM_CIPHERTEXT_BYTES, MLKEM_PUBLIC_BYTES, MLKEM_SECRET_BYTES, MLKEM_SEED_BYTES, SCRYPT_MAX_MEMORY, SCRYPT_MAX_OUTPUT, SHA256_BYTES } from '../sizes.ts'

export * from '../sizes.ts'

export function checkBytes(value: unknown, length: number, what: string): void {
  if (!(value instanceof Uint8Array)) throw new InvalidCryptoInputError(`${what} must be a Uint8Array`)
  if (value.length !== length) throw new InvalidCryptoInputError(`${what} must be ${length} bytes, got ${value.length}`)
}

/** A digest's destination: SHA256_BYTES from `offset` must fit in `out`. */
export function checkDigestTarget(out: unknown, offset: number): void {
  if (!(out instanceof Uint8Array)) throw new InvalidCryptoInputError('digest output must be a Uint8Array')
  if (!Number.isInteger(offset) || offset < 0 || offset + SHA256_BYTES > out.length) throw new InvalidCryptoInputError(`a ${SHA256_BYTES}-byte digest does not fit at offset ${offset} of ${out.length} bytes`)
}

/** The output of an *Into call must not share bytes with its input (libsodium's in-place forms are not promised here). */
export function checkApart(out: Uint8Array, input: Uint8Array): void {
  if (out.buffer !== input.buffer || out.length === 0 || input.length === 0) return
  if (out.byteOffset < input.byteOffset + input.length && input.byteOffset < out.byteOffset + out.length) throw new InvalidCryptoInputError('secretbox output overlaps its input')
}

export function checkData(value: unknown, what: string): void {
  if (!(value instanceof Uint8Array)) throw new InvalidCryptoInputError(`${what} must be a Uint8Array`)
}

/** Validates scrypt parameters (RFC 7914 limits plus a memory cap) and returns N. */
export function checkScrypt(password: Uint8Array, salt: Uint8Array, log2N: number, r: number, p: number, dkLen: number): number {
  checkData(password, 'scrypt password')
  checkData(salt, 'scrypt salt')
  const int = (x: number, min: number, max: number, what: string) => {
    if (!Number.isInteger(x) || x < min || x > max) throw new InvalidCryptoInputError(`scrypt ${what} out of range: ${x}`)
  }
  int(log2N, 1, 30, 'log2N')
  int(r, 1, 2 ** 20, 'r')
  int(p, 1, 2 ** 20, 'p')
  int(dkLen, 1, SCRYPT_MAX_OUTPUT, 'dkLen')
  const N = 2 ** log2N
  if (r * p >= 2 ** 30) throw new InvalidCryptoInputError('scrypt r·p must be below 2^30')
  if (128 * r * N > SCRYPT_MAX_MEMORY) throw new InvalidCryptoInputError(`scrypt needs ${128 * r * N} bytes, above the ${SCRYPT_MAX_MEMORY} cap`)
  return N
}

export function checkRandomLength(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 30) throw new InvalidCryptoInputError(`randomBytes length out of range: ${n}`)
}

/** ML-KEM-1024 with the provider's randomness; keys are FIPS 203 ek (1568) and dk (3168 = dkPKE ‖ ek ‖ H(ek) ‖ z). */
export function mlkem(randomBytes: (n: number) => Uint8Array) {
  return {
    mlkemKeyPair(seed?: Uint8Array): MlKemKeyPairBytes {
      if (seed !== undefined) checkBytes(seed, MLKEM_SEED_BYTES, 'ML-KEM seed')
      const { publicKey, secretKey } = ml_kem1024.keygen(seed ?? randomBytes(MLKEM_SEED_BYTES))
      return { publicKey, secretKey }
    },
    mlkemEncapsulate(publicKey: Uint8Array): { cipherText: Uint8Array; sharedSecret: Uint8Array } {
      checkBytes(publicKey, MLKEM_PUBLIC_BYTES, 'ML-KEM public key')
      try {
        const { cipherText, sharedSecret } = ml_kem1024.encapsulate(publicKey, randomBytes(32))
        return { cipherText, sharedSecret }
      } catch (e) {
        throw new InvalidCryptoInputError('invalid ML-KEM-1024 public key', { cause: e })
      }
    },
    mlkemDecapsulate(cipherText: Uint8Array, secretKey: Uint8Array): Uint8Array {
      checkBytes(cipherText, MLKEM_CIPHERTEXT_BYTES, 'ML-KEM ciphertext')
      checkBytes(secretKey, MLKEM_SECRET_BYTES, 'ML-KEM secret key')
      try {
        return ml_kem1024.decapsulate(cipherText, secretKey)
      } catch (e) {
        throw new InvalidCryptoInputError('invalid ML-KEM-1024 secret key', { cause: e })
      }
    },
  }
}
