// Small fixtures for the store suites: writer keys (identity PublicKeyHashes) and opaque signed
// pointer bytes. The stores never interpret these bytes, so they need not be real signatures.
import { randomBytes } from 'node:crypto'
import { publicKeyHash, type PublicKeyHash } from '../../../src/model/signing-keys.ts'

export function writer(i: number): PublicKeyHash {
  const pk = new Uint8Array(32)
  new DataView(pk.buffer).setUint32(0, i + 1)
  return publicKeyHash(pk)
}

/** Bytes shaped like a signed PointerUpdate (64-byte signature ‖ CBOR), distinct per call. */
export function signed(tag = ''): Uint8Array {
  const b = new Uint8Array(64 + 80)
  b.set(randomBytes(64))
  b.set(new TextEncoder().encode(tag.slice(0, 80)), 64)
  return b
}

export function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString('hex')
}
