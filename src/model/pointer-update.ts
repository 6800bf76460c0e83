// PointerUpdate and its writer-signed form (reference §3.3; Peergos PointerUpdate, MaybeMultihash,
// MutablePointers.isValidUpdate, UserRepository.MAX_POINTER_SIZE): CBOR [original?, updated?, sequence?]
// where each hash is the CID's bytes or null; stored as 64-byte signature ‖ CBOR, signed by the writer.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, asInt, asList } from '../codec/cbor-read.ts'
import { cidFromBytes, cidToString, type CID } from '../codec/cid.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { CasFailedError, InvalidObjectError, InvalidSequenceError } from './errors.ts'

/** Signature overhead + 2 CIDs + 2 (CBOR list header) + a CBOR long: the largest signed pointer a server accepts (147). */
export const MAX_POINTER_SIZE = 64 + 2 + 2 * 36 + 9

export interface PointerUpdate {
  /** The target this update replaces (null for the first update, MaybeMultihash.empty). */
  readonly original: CID | null
  /** The new target (null deletes the pointer). */
  readonly updated: CID | null
  /** Starts at 1 and increases by 1; absent on legacy pointers. */
  readonly sequence?: number
}

function sameMaybeHash(a: CID | null, b: CID | null): boolean {
  if (a === null || b === null) return a === b
  return a.equals(b)
}

function maybeHashString(h: CID | null): string {
  return h === null ? 'EMPTY' : cidToString(h)
}

/** Builds a PointerUpdate; original == updated is illegal (InvalidObjectError), as in Peergos. */
export function pointerUpdate(original: CID | null, updated: CID | null, sequence?: number): PointerUpdate {
  if (sameMaybeHash(original, updated)) throw new InvalidObjectError('Tried to create a CAS pair with original == target!')
  if (sequence !== undefined && !Number.isSafeInteger(sequence)) throw new InvalidObjectError(`Invalid pointer sequence ${sequence}`)
  return sequence === undefined ? { original, updated } : { original, updated, sequence }
}

/** PointerUpdate.increment: the next sequence (1 when there is none). */
export function nextSequence(sequence: number | undefined): number {
  return sequence === undefined ? 1 : sequence + 1
}

function maybeHashToCbor(h: CID | null): CborValue {
  return h === null ? null : h.bytes
}

function maybeHashFromCbor(v: CborValue, what: string): CID | null {
  if (v === null) return null
  return cidFromBytes(asBytes(v, what))
}

export function pointerUpdateToCbor(p: PointerUpdate): CborValue {
  const l: CborValue[] = [maybeHashToCbor(p.original), maybeHashToCbor(p.updated)]
  if (p.sequence !== undefined) l.push(p.sequence)
  return l
}

export function pointerUpdateFromCbor(v: CborValue): PointerUpdate {
  const l = asList(v, 'PointerUpdate')
  if (l.length !== 2 && l.length !== 3) throw new CborTypeError(`PointerUpdate: expected 2 or 3 elements, got ${l.length}`)
  const original = maybeHashFromCbor(l[0], 'PointerUpdate.original')
  const updated = maybeHashFromCbor(l[1], 'PointerUpdate.updated')
  const sequence = l.length === 3 ? asInt(l[2], 'PointerUpdate.sequence') : undefined
  return pointerUpdate(original, updated, sequence)
}

export function encodePointerUpdate(p: PointerUpdate): Uint8Array {
  return encodeCbor(pointerUpdateToCbor(p))
}

export function decodePointerUpdate(bytes: Uint8Array): PointerUpdate {
  return pointerUpdateFromCbor(decodeCbor(bytes, { maxDepth: 2 }))
}

/** The stored pointer value: the writer's attached signature over the CBOR (64-byte signature ‖ CBOR). */
export function signPointerUpdate(c: CryptoProvider, writerSecretKey: Uint8Array, p: PointerUpdate): Uint8Array {
  return c.signAttached(encodePointerUpdate(p), writerSecretKey)
}

/** Verifies a signed pointer with the writer's public key and decodes it (InvalidSignatureError, CborDecodeError...). */
export function openSignedPointerUpdate(c: CryptoProvider, writerPublicKey: Uint8Array, signed: Uint8Array): PointerUpdate {
  return decodePointerUpdate(c.openAttached(signed, writerPublicKey))
}

/**
 * MutablePointers.isValidUpdate's rules: `next.original` must equal the current target (CasFailedError,
 * with Peergos' "PointerCAS:" text) and, when the current pointer has a sequence, the new one must be
 * present and greater (InvalidSequenceError).
 */
export function checkPointerTransition(current: PointerUpdate | undefined, next: PointerUpdate): void {
  const existing = current?.updated ?? null
  const currentSequence = current?.sequence
  if (!sameMaybeHash(existing, next.original)) {
    throw new CasFailedError(`PointerCAS:${maybeHashString(existing)},${currentSequence ?? ''},${maybeHashString(next.original)}`)
  }
  if (currentSequence !== undefined && (next.sequence === undefined || next.sequence <= currentSequence)) {
    throw new InvalidSequenceError(`Invalid sequence number update in mutable pointer: ${currentSequence} => ${next.sequence ?? 'none'}`)
  }
}

/**
 * The server-side check of a new signed pointer (UserRepository.setPointer without the WriterData
 * controller check, which needs the block): size cap, writer signature, CAS and sequence. Returns the
 * decoded update.
 */
export function validateSignedPointerUpdate(c: CryptoProvider, writerPublicKey: Uint8Array, currentSigned: Uint8Array | undefined, newSigned: Uint8Array): PointerUpdate {
  if (newSigned.length > MAX_POINTER_SIZE) throw new InvalidObjectError(`Pointer update too big! ${newSigned.length}`)
  const next = openSignedPointerUpdate(c, writerPublicKey, newSigned)
  const current = currentSigned === undefined ? undefined : openSignedPointerUpdate(c, writerPublicKey, currentSigned)
  checkPointerTransition(current, next)
  return next
}
