// SecretLinkTarget (reference §1.4; Peergos SecretLinkTarget): the block a secret-link CHAMP entry
// points at, CBOR {cap: EncryptedCapability, expiry?: UTC epoch seconds, max?: retrievals}; the server
// enforces expiry and max before handing out the EncryptedCapability.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import { encryptedCapabilityFromCbor, encryptedCapabilityToCbor, type EncryptedCapability } from './encrypted-capability.ts'

export interface SecretLinkTarget {
  readonly cap: EncryptedCapability
  /** LocalDateTime at UTC, as epoch seconds. */
  readonly expiry?: number
  /** Maximum number of retrievals (a Java int). */
  readonly maxRetrievals?: number
}

export function secretLinkTargetToCbor(t: SecretLinkTarget): CborValue {
  return cborMap({ cap: encryptedCapabilityToCbor(t.cap), expiry: t.expiry, max: t.maxRetrievals })
}

export function secretLinkTargetFromCbor(v: CborValue): SecretLinkTarget {
  const f = Fields.of(v, 'SecretLinkTarget')
  const expiry = f.optInt('expiry')
  const max = f.optInt('max')
  if (max !== undefined && (max < -(2 ** 31) || max >= 2 ** 31)) throw new CborTypeError(`SecretLinkTarget.max: ${max} is not a 32-bit integer`)
  return {
    cap: encryptedCapabilityFromCbor(f.req('cap')),
    ...(expiry === undefined ? {} : { expiry }),
    ...(max === undefined ? {} : { maxRetrievals: max }),
  }
}

export function encodeSecretLinkTarget(t: SecretLinkTarget): Uint8Array {
  return encodeCbor(secretLinkTargetToCbor(t))
}

export function decodeSecretLinkTarget(bytes: Uint8Array): SecretLinkTarget {
  return secretLinkTargetFromCbor(decodeCbor(bytes, { maxDepth: 3 }))
}

/** Whether the link is past its expiry at `nowEpochSeconds`. */
export function isSecretLinkExpired(t: SecretLinkTarget, nowEpochSeconds: number): boolean {
  return t.expiry !== undefined && nowEpochSeconds > t.expiry
}
