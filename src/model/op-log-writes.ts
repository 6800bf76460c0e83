// The two write operations of an OpLog (reference §5.3 step 9; Peergos OpLog.BlockWrite,
// OpLog.PointerWrite): BlockWrite {w: writer, s: signed hash, b: block, r: isRaw} and PointerWrite
// {w: writer, s: signed PointerUpdate}. LoginData carries one of each for a password change.
import type { CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { InvalidObjectError } from './errors.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'

export interface BlockWrite {
  readonly writer: PublicKeyHash
  /** The writer's attached signature over the block's sha256. */
  readonly signature: Uint8Array
  readonly block: Uint8Array
  readonly isRaw: boolean
}

export interface PointerWrite {
  readonly writer: PublicKeyHash
  /** 64-byte signature ‖ CBOR PointerUpdate. */
  readonly signedUpdate: Uint8Array
}

export function blockWriteToCbor(w: BlockWrite): CborValue {
  return cborMap({ b: w.block, r: w.isRaw, s: w.signature, w: w.writer })
}

export function blockWriteFromCbor(v: CborValue): BlockWrite {
  const f = Fields.of(v, 'BlockWrite')
  const block = f.bytes('b')
  if (block.length === 0) throw new InvalidObjectError('Empty byte array in block write!')
  return { writer: publicKeyHashFromCbor(f.req('w'), 'BlockWrite.w'), signature: f.bytes('s'), block, isRaw: f.bool('r') }
}

export function pointerWriteToCbor(w: PointerWrite): CborValue {
  return cborMap({ s: w.signedUpdate, w: w.writer })
}

export function pointerWriteFromCbor(v: CborValue): PointerWrite {
  const f = Fields.of(v, 'PointerWrite')
  return { writer: publicKeyHashFromCbor(f.req('w'), 'PointerWrite.w'), signedUpdate: f.bytes('s') }
}
