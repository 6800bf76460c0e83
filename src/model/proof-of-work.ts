// ProofOfWork (reference §0.1, §4.3; Peergos ProofOfWork): CBOR {prefix: bytes, type: multihash type
// (0x12 = sha2-256)}; valid when sha256(prefix ‖ data) has `difficulty` leading zero bits. Used to
// rate-limit signups and key changes.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { HASH_SHA2_256 } from '../codec/cid.ts'
import { CborTypeError } from '../codec/errors.ts'
import { generateProofOfWork, POW_PREFIX_BYTES, satisfiesDifficulty } from '../crypto/peergos.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { concatBytes } from './bytes.ts'

export interface ProofOfWork {
  /** 8 bytes (little-endian counter), or empty for ProofOfWork.empty(). */
  readonly prefix: Uint8Array
  /** Multihash type index; always sha2-256 (0x12). */
  readonly type: number
}

/** ProofOfWork.empty: no work (difficulty 0). */
export function emptyProofOfWork(): ProofOfWork {
  return { prefix: new Uint8Array(0), type: HASH_SHA2_256 }
}

/** Hasher.generateProofOfWork + ProofOfWork.buildSha256. */
export function buildProofOfWork(c: CryptoProvider, data: Uint8Array, difficulty: number): ProofOfWork {
  return { prefix: generateProofOfWork(c, data, difficulty), type: HASH_SHA2_256 }
}

/** Whether sha256(prefix ‖ data) meets the difficulty. */
export function proofOfWorkSatisfies(c: CryptoProvider, pow: ProofOfWork, data: Uint8Array, difficulty: number): boolean {
  return pow.type === HASH_SHA2_256 && satisfiesDifficulty(c.sha256(concatBytes(pow.prefix, data)), difficulty)
}

export function proofOfWorkToCbor(p: ProofOfWork): CborValue {
  return cborMap({ prefix: p.prefix, type: p.type })
}

export function proofOfWorkFromCbor(v: CborValue): ProofOfWork {
  const f = Fields.of(v, 'ProofOfWork')
  const prefix = f.bytes('prefix')
  if (prefix.length !== 0 && prefix.length !== POW_PREFIX_BYTES) throw new CborTypeError(`ProofOfWork: prefix must be 0 or ${POW_PREFIX_BYTES} bytes, got ${prefix.length}`)
  const type = f.int('type')
  if (type !== HASH_SHA2_256) throw new CborTypeError(`ProofOfWork: unsupported multihash type ${type}`)
  return { prefix, type }
}

export function encodeProofOfWork(p: ProofOfWork): Uint8Array {
  return encodeCbor(proofOfWorkToCbor(p))
}

export function decodeProofOfWork(bytes: Uint8Array): ProofOfWork {
  return proofOfWorkFromCbor(decodeCbor(bytes, { maxDepth: 1 }))
}
