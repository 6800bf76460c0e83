// A username claim (reference §4.2; Peergos UserPublicKeyLink.Claim): CBOR [username, expiry ISO date,
// [storage provider CID bytes...], signedContents], where signedContents is the owner's attached
// signature over the Serialize/DataOutput payload (username, expiry, provider count, providers).
import type { CborValue } from '../codec/cbor.ts'
import { asBytes, asList, asString } from '../codec/cbor-read.ts'
import { cidFromBytes, equalBytes, type CID } from '../codec/cid.ts'
import { DataInputReader, DataOutputWriter } from '../codec/data-output.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { compareLocalDate, formatLocalDate, parseLocalDate, type LocalDate } from './local-date.ts'

/** CoreNode.MAX_USERNAME_SIZE: the longest username a claim may carry. */
export const MAX_USERNAME_SIZE = 64
/** Longest expiry string in a signed payload ("+999999999-12-31" is 16). */
export const MAX_EXPIRY_STRING = 16
/** Longest storage-provider id in a signed payload. */
export const MAX_PROVIDER_ID_BYTES = 100

export interface Claim {
  readonly username: string
  readonly expiry: LocalDate
  /** Storage-node ids (server peer ids as CIDs); exactly one on the last claim of a chain, none before. */
  readonly storageProviders: readonly CID[]
  /** 64-byte signature ‖ DataOutput payload, by the link's owner. */
  readonly signedContents: Uint8Array
}

/** The DataOutput payload a claim's owner signs (Claim.build). */
export function claimPayload(username: string, expiry: LocalDate, storageProviders: readonly CID[]): Uint8Array {
  const out = new DataOutputWriter()
  out.writeJavaString(username)
  out.writeJavaString(formatLocalDate(expiry))
  out.writeInt(storageProviders.length)
  for (const p of storageProviders) out.writeByteArray(p.bytes)
  return out.toBytes()
}

/** Claim.build: signs the payload with the owner's secret key. */
export function buildClaim(c: CryptoProvider, username: string, ownerSecretKey: Uint8Array, expiry: LocalDate, storageProviders: readonly CID[]): Claim {
  const signedContents = c.signAttached(claimPayload(username, expiry, storageProviders), ownerSecretKey)
  return { username, expiry, storageProviders: [...storageProviders], signedContents }
}

/**
 * Claim.deserialize: verifies signedContents with the owner's public key and reads the payload back
 * (bounded: username ≤ 64 bytes, expiry ≤ 16, provider ids ≤ 100). Like Peergos it ignores trailing
 * payload bytes and reads a negative provider count as none.
 */
export function decodeSignedClaim(c: CryptoProvider, signedContents: Uint8Array, ownerPublicKey: Uint8Array): Claim {
  const payload = c.openAttached(signedContents, ownerPublicKey)
  const din = new DataInputReader(payload)
  const username = din.readJavaString(MAX_USERNAME_SIZE)
  const expiry = parseLocalDate(din.readJavaString(MAX_EXPIRY_STRING))
  const count = din.readInt()
  const storageProviders: CID[] = []
  for (let i = 0; i < count; i++) storageProviders.push(cidFromBytes(din.readByteArray(MAX_PROVIDER_ID_BYTES)))
  return { username, expiry, storageProviders, signedContents }
}

export function claimToCbor(claim: Claim): CborValue {
  return [claim.username, formatLocalDate(claim.expiry), claim.storageProviders.map((p) => p.bytes), claim.signedContents]
}

export function claimFromCbor(v: CborValue): Claim {
  const l = asList(v, 'Claim')
  if (l.length !== 4) throw new CborTypeError(`Claim: expected 4 elements, got ${l.length}`)
  return {
    username: asString(l[0], 'Claim.username'),
    expiry: parseLocalDate(asString(l[1], 'Claim.expiry')),
    storageProviders: asList(l[2], 'Claim.storageProviders').map((p) => cidFromBytes(asBytes(p, 'Claim.storageProvider'))),
    signedContents: asBytes(l[3], 'Claim.signedContents'),
  }
}

/** Claim.equals: same username, expiry, providers and signed bytes. */
export function claimsEqual(a: Claim, b: Claim): boolean {
  return a.username === b.username &&
    compareLocalDate(a.expiry, b.expiry) === 0 &&
    a.storageProviders.length === b.storageProviders.length &&
    a.storageProviders.every((p, i) => p.equals(b.storageProviders[i])) &&
    equalBytes(a.signedContents, b.signedContents)
}
