// The login key-derivation algorithm stored in an identity's WriterData (reference §5.1; Peergos
// SecretGenerationAlgorithm, ScryptGenerator, RandomSecretType): scrypt as CBOR
// {type: 1, m, c, p, o, s} and the random type as {type: 0}.
import type { CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import type { ScryptParams } from '../crypto/peergos.ts'
import { bytesToHex } from './bytes.ts'
import { InvalidObjectError } from './errors.ts'

export const SECRET_TYPE_RANDOM = 0
export const SECRET_TYPE_SCRYPT = 1
/** ScryptGenerator.MIN_MEMORY_COST: 15 is used for secret links only, 17 for logins. */
export const SCRYPT_MIN_MEMORY_COST = 15
export const SCRYPT_LOGIN_MEMORY_COST = 17

export interface ScryptGenerator extends ScryptParams {
  readonly type: typeof SECRET_TYPE_SCRYPT
}

export interface RandomSecretType {
  readonly type: typeof SECRET_TYPE_RANDOM
}

export type SecretGenerationAlgorithm = ScryptGenerator | RandomSecretType

export function scryptGenerator(memoryCost: number, cpuCost: number, parallelism: number, outputBytes: number, extraSalt: string): ScryptGenerator {
  const int32 = (x: number, min: number, what: string) => {
    if (!Number.isInteger(x) || x < min || x >= 2 ** 31) throw new InvalidObjectError(`ScryptGenerator: invalid ${what} ${x}`)
  }
  int32(memoryCost, SCRYPT_MIN_MEMORY_COST, 'memory cost')
  int32(cpuCost, 1, 'cpu cost')
  int32(parallelism, 1, 'parallelism')
  int32(outputBytes, 1, 'output bytes')
  return { type: SECRET_TYPE_SCRYPT, memoryCost, cpuCost, parallelism, outputBytes, extraSalt }
}

/** SecretGenerationAlgorithm.getDefault: scrypt (17, 8, 1, 64) with hex of 32 random bytes as extra salt. */
export function defaultLoginAlgorithm(c: CryptoProvider): ScryptGenerator {
  return scryptGenerator(SCRYPT_LOGIN_MEMORY_COST, 8, 1, 64, bytesToHex(c.randomBytes(32)))
}

/** SecretGenerationAlgorithm.withNewSalt: the same parameters with a fresh random extra salt (password changes). */
export function withNewSalt(c: CryptoProvider, alg: ScryptGenerator): ScryptGenerator {
  return scryptGenerator(alg.memoryCost, alg.cpuCost, alg.parallelism, alg.outputBytes, bytesToHex(c.randomBytes(32)))
}

/** ScryptGenerator.generateBoxerAndIdentity: the legacy 96-byte output also yields the boxer and identity. */
export function generatesBoxerAndIdentity(alg: SecretGenerationAlgorithm): boolean {
  return alg.type === SECRET_TYPE_SCRYPT && alg.outputBytes === 96
}

export function secretGenerationAlgorithmToCbor(alg: SecretGenerationAlgorithm): CborValue {
  if (alg.type === SECRET_TYPE_RANDOM) return cborMap({ type: SECRET_TYPE_RANDOM })
  return cborMap({ c: alg.cpuCost, m: alg.memoryCost, o: alg.outputBytes, p: alg.parallelism, s: alg.extraSalt, type: SECRET_TYPE_SCRYPT })
}

export function secretGenerationAlgorithmFromCbor(v: CborValue): SecretGenerationAlgorithm {
  const f = Fields.of(v, 'SecretGenerationAlgorithm')
  const type = f.int('type')
  if (type === SECRET_TYPE_RANDOM) return { type: SECRET_TYPE_RANDOM }
  if (type !== SECRET_TYPE_SCRYPT) throw new CborTypeError(`Unknown User Generation Algorithm type: ${type}`)
  return scryptGenerator(f.int('m'), f.int('c'), f.int('p'), f.int('o'), f.optString('s') ?? '')
}
