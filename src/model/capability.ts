// AbsoluteCapability and WritableAbsoluteCapability (reference §1.1-§1.2): CBOR map
// {o: owner, w: writer, m: mapKey32, a?: Bat, k: rBaseKey, b?: wBaseKey}; with `b` it is a write
// capability. Location is the list [owner, writer, mapKey].
import type { CborValue } from '../codec/cbor.ts'
import { asBytes, asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { batFromCbor, batToCbor, type Bat } from './bat.ts'
import { nullPublicKeyHash, publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'
import { nullSymmetricKey, symmetricKeyFromCbor, symmetricKeyToCbor, type SymmetricKey } from './symmetric-key.ts'

export const MAP_KEY_BYTES = 32

export interface AbsoluteCapability {
  readonly owner: PublicKeyHash
  readonly writer: PublicKeyHash
  readonly mapKey: Uint8Array
  readonly bat?: Bat
  readonly rBaseKey: SymmetricKey
  /** Present on write capabilities only. */
  readonly wBaseKey?: SymmetricKey
}

export type WritableAbsoluteCapability = AbsoluteCapability & { readonly wBaseKey: SymmetricKey }

export function isWritable(cap: AbsoluteCapability): cap is WritableAbsoluteCapability {
  return cap.wBaseKey !== undefined
}

export function readOnly(cap: AbsoluteCapability): AbsoluteCapability {
  return { owner: cap.owner, writer: cap.writer, mapKey: cap.mapKey, bat: cap.bat, rBaseKey: cap.rBaseKey }
}

/** The null capability (used to reject follow requests). */
export function nullCapability(c: CryptoProvider): AbsoluteCapability {
  const nul = nullPublicKeyHash(c)
  return { owner: nul, writer: nul, mapKey: new Uint8Array(MAP_KEY_BYTES), rBaseKey: nullSymmetricKey() }
}

export function capabilityToCbor(cap: AbsoluteCapability): CborValue {
  return cborMap({
    a: cap.bat === undefined ? undefined : batToCbor(cap.bat),
    b: cap.wBaseKey === undefined ? undefined : symmetricKeyToCbor(cap.wBaseKey),
    k: symmetricKeyToCbor(cap.rBaseKey),
    m: cap.mapKey,
    o: cap.owner,
    w: cap.writer,
  })
}

export function capabilityFromCbor(v: CborValue): AbsoluteCapability {
  const f = Fields.of(v, 'AbsoluteCapability')
  const bat = f.raw('a')
  const wBase = f.raw('b')
  return {
    owner: publicKeyHashFromCbor(f.req('o'), 'AbsoluteCapability.o'),
    writer: publicKeyHashFromCbor(f.req('w'), 'AbsoluteCapability.w'),
    mapKey: f.bytes('m', MAP_KEY_BYTES),
    bat: bat === undefined ? undefined : batFromCbor(bat),
    rBaseKey: symmetricKeyFromCbor(f.req('k')),
    wBaseKey: wBase === undefined ? undefined : symmetricKeyFromCbor(wBase),
  }
}

export interface Location {
  readonly owner: PublicKeyHash
  readonly writer: PublicKeyHash
  readonly mapKey: Uint8Array
}

export function locationToCbor(l: Location): CborValue {
  return [l.owner, l.writer, l.mapKey]
}

export function locationFromCbor(v: CborValue): Location {
  const l = asList(v, 'Location')
  if (l.length !== 3) throw new CborTypeError(`Location: expected 3 elements, got ${l.length}`)
  return {
    owner: publicKeyHashFromCbor(l[0], 'Location.owner'),
    writer: publicKeyHashFromCbor(l[1], 'Location.writer'),
    mapKey: asBytes(l[2], 'Location.mapKey', MAP_KEY_BYTES),
  }
}
