// AbsoluteCapability and WritableAbsoluteCapability (reference §1.1-§1.3): CBOR map
// {o: owner, w: writer, m: mapKey32, a?: Bat, k: rBaseKey, b?: wBaseKey}; with `b` it is a write
// capability. Location is the list [owner, writer, mapKey]. Links: #owner/writer/mapKey‖bat/rBase[/wBase].
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asBytes, asList, cborMap, Fields } from '../codec/cbor-read.ts'
import { base58Decode, base58Encode } from '../codec/cid.ts'
import { CborTypeError } from '../codec/errors.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import { concatBytes } from './bytes.ts'
import { InvalidObjectError } from './errors.ts'
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

/** A capability link (`#owner/writer/mapKey‖bat/rBaseKey[/wBaseKey]`) that does not parse. */
export class InvalidCapabilityLinkError extends InvalidObjectError {}

/** Generous bound on a link's length (a write link is about 330 characters). */
const MAX_LINK_LENGTH = 2048

/** AbsoluteCapability.toLink (4 parts) / WritableAbsoluteCapability.toLink (5 parts): base58 (no multibase prefix) of each part's CBOR; the third part is mapKey ‖ CBOR(bat). */
export function capabilityToLink(cap: AbsoluteCapability): string {
  const parts = [
    encodeCbor(cap.owner),
    encodeCbor(cap.writer),
    cap.bat === undefined ? cap.mapKey : concatBytes(cap.mapKey, encodeCbor(batToCbor(cap.bat))),
    encodeCbor(symmetricKeyToCbor(cap.rBaseKey)),
  ]
  if (cap.wBaseKey !== undefined) parts.push(encodeCbor(symmetricKeyToCbor(cap.wBaseKey)))
  return '#' + parts.map(base58Encode).join('/')
}

/** AbsoluteCapability.fromLink: accepts the link with or without the leading '#'; throws InvalidCapabilityLinkError. */
export function capabilityFromLink(link: string): AbsoluteCapability {
  if (typeof link !== 'string' || link.length > MAX_LINK_LENGTH) throw new InvalidCapabilityLinkError('Capability link is too long')
  const parts = (link.startsWith('#') ? link.slice(1) : link).split('/')
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop() // Java's String.split drops trailing empty parts
  if (parts.length !== 4 && parts.length !== 5) throw new InvalidCapabilityLinkError(`Capability link has ${parts.length} parts, expected 4 or 5`)
  try {
    const bytes = parts.map(base58Decode)
    const mapKeyAndBat = bytes[2]
    if (mapKeyAndBat.length < MAP_KEY_BYTES) throw new InvalidCapabilityLinkError(`Capability link map key has ${mapKeyAndBat.length} bytes`)
    return {
      owner: publicKeyHashFromCbor(decodeCbor(bytes[0]), 'link owner'),
      writer: publicKeyHashFromCbor(decodeCbor(bytes[1]), 'link writer'),
      mapKey: mapKeyAndBat.slice(0, MAP_KEY_BYTES),
      bat: mapKeyAndBat.length === MAP_KEY_BYTES ? undefined : batFromCbor(decodeCbor(mapKeyAndBat.subarray(MAP_KEY_BYTES))),
      rBaseKey: symmetricKeyFromCbor(decodeCbor(bytes[3])),
      wBaseKey: bytes.length === 5 ? symmetricKeyFromCbor(decodeCbor(bytes[4])) : undefined,
    }
  } catch (e) {
    if (e instanceof InvalidCapabilityLinkError) throw e
    const reason = e instanceof PeergosError ? e.message : String(e)
    throw new InvalidCapabilityLinkError(`Invalid capability link: ${reason}`, { cause: e })
  }
}
