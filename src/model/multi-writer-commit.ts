// Atomic multi-writer pointer commits (reference §3.3; Peergos SignedPointerUpdate, MultiWriterCommit):
// SignedPointerUpdate = {w: writer PublicKeyHash, s: signed PointerUpdate bytes}; MultiWriterCommit =
// {p: [SignedPointerUpdate...]}, all applied or none.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'

export interface SignedPointerUpdate {
  readonly writer: PublicKeyHash
  /** 64-byte signature ‖ CBOR PointerUpdate, signed by the writer. */
  readonly signed: Uint8Array
}

export interface MultiWriterCommit {
  readonly updates: readonly SignedPointerUpdate[]
}

export function signedPointerUpdateToCbor(u: SignedPointerUpdate): CborValue {
  return cborMap({ s: u.signed, w: u.writer })
}

export function signedPointerUpdateFromCbor(v: CborValue): SignedPointerUpdate {
  const f = Fields.of(v, 'SignedPointerUpdate')
  return { writer: publicKeyHashFromCbor(f.req('w'), 'SignedPointerUpdate.w'), signed: f.bytes('s') }
}

export function multiWriterCommitToCbor(m: MultiWriterCommit): CborValue {
  return cborMap({ p: m.updates.map(signedPointerUpdateToCbor) })
}

export function multiWriterCommitFromCbor(v: CborValue): MultiWriterCommit {
  const f = Fields.of(v, 'MultiWriterCommit')
  return { updates: asList(f.req('p'), 'MultiWriterCommit.p').map(signedPointerUpdateFromCbor) }
}

export function encodeMultiWriterCommit(m: MultiWriterCommit): Uint8Array {
  return encodeCbor(multiWriterCommitToCbor(m))
}

export function decodeMultiWriterCommit(bytes: Uint8Array): MultiWriterCommit {
  return multiWriterCommitFromCbor(decodeCbor(bytes, { maxDepth: 4 }))
}
