// Relative capabilities (reference §1.2): SymmetricLink (CipherText of a target key under a source
// key), RelativeCapability {w?, m, a?, k, l?} with relativise / toAbsolute, NamedRelativeCapability
// (the same map flattened with n, d?, t?, c?) and ChildrenLinks (a CBOR list of them).
import { checkCborPrefix, decodeCborListEach, startsWithCborList, type CborValue } from '../codec/cbor.ts'
import { asList, cborMap, Fields } from '../codec/cbor-read.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { batFromCbor, batToCbor, type Bat } from './bat.ts'
import { MAP_KEY_BYTES, type AbsoluteCapability, type WritableAbsoluteCapability } from './capability.ts'
import { checkZeroPadding, cipherTextFromCbor, cipherTextToCbor, decodePadded, openCbor, sealCbor, type CipherText } from './cipher-text.ts'
import { InvalidObjectError } from './errors.ts'
import { checkPeergosFileName } from './file-name.ts'
import { checkEpochSeconds } from './file-properties.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from './signing-keys.ts'
import { sameSymmetricKey, symmetricKeyFromCbor, symmetricKeyToCbor, type SymmetricKey } from './symmetric-key.ts'

/** SymmetricLink: the target key sealed (CipherText) under the source key. */
export type SymmetricLink = CipherText

/** SymmetricLink.fromPair. */
export function symmetricLinkFromPair(c: CryptoProvider, from: SymmetricKey, to: SymmetricKey, nonce?: Uint8Array): SymmetricLink {
  return sealCbor(c, from, symmetricKeyToCbor(to), nonce)
}

/** SymmetricLink.target; throws DecryptionFailedError under the wrong key. */
export function symmetricLinkTarget(c: CryptoProvider, link: SymmetricLink, from: SymmetricKey): SymmetricKey {
  return symmetricKeyFromCbor(openCbor(c, from, link))
}

export interface RelativeCapability {
  /** Only present when the target's writer differs from the source's. */
  readonly writer?: PublicKeyHash
  readonly mapKey: Uint8Array
  /** Absent only on legacy data. */
  readonly bat?: Bat
  readonly rBaseKey: SymmetricKey
  /** Link from the source's wBaseKey to the target's, when they differ. */
  readonly wBaseKeyLink?: SymmetricLink
}

export function relativeCapabilityToCbor(r: RelativeCapability): Map<string, CborValue> {
  return cborMap({
    w: r.writer,
    m: r.mapKey,
    a: r.bat === undefined ? undefined : batToCbor(r.bat),
    k: symmetricKeyToCbor(r.rBaseKey),
    l: r.wBaseKeyLink === undefined ? undefined : cipherTextToCbor(r.wBaseKeyLink),
  })
}

export function relativeCapabilityFromCbor(v: CborValue, what = 'RelativeCapability'): RelativeCapability {
  const f = Fields.of(v, what)
  const writer = f.raw('w')
  const bat = f.raw('a')
  const link = f.raw('l')
  return {
    writer: writer === undefined ? undefined : publicKeyHashFromCbor(writer, `${what}.w`),
    mapKey: f.bytes('m', MAP_KEY_BYTES),
    bat: bat === undefined ? undefined : batFromCbor(bat),
    rBaseKey: symmetricKeyFromCbor(f.req('k')),
    wBaseKeyLink: link === undefined ? undefined : cipherTextFromCbor(link, `${what}.l`),
  }
}

/** WritableAbsoluteCapability.relativise: the link from `source` (a write cap) to `target`; `nonce` seals the wBaseKey link. */
export function relativise(c: CryptoProvider, source: WritableAbsoluteCapability, target: AbsoluteCapability, nonce?: Uint8Array): RelativeCapability {
  if (!source.owner.equals(target.owner)) throw new InvalidObjectError("Files with different owners can't be descendants of each other")
  const wBaseKeyLink = target.wBaseKey === undefined || sameSymmetricKey(target.wBaseKey, source.wBaseKey)
    ? undefined
    : symmetricLinkFromPair(c, source.wBaseKey, target.wBaseKey, nonce)
  return {
    writer: source.writer.equals(target.writer) ? undefined : target.writer,
    mapKey: target.mapKey,
    bat: target.bat,
    rBaseKey: target.rBaseKey,
    wBaseKeyLink,
  }
}

/** RelativeCapability.toAbsolute: owner (and writer, when absent) from `source`; the write key when both source and link have one. */
export function toAbsolute(c: CryptoProvider, r: RelativeCapability, source: AbsoluteCapability): AbsoluteCapability {
  const wBaseKey = source.wBaseKey !== undefined && r.wBaseKeyLink !== undefined ? symmetricLinkTarget(c, r.wBaseKeyLink, source.wBaseKey) : undefined
  return { owner: source.owner, writer: r.writer ?? source.writer, mapKey: r.mapKey, bat: r.bat, rBaseKey: r.rBaseKey, wBaseKey }
}

/** RelativeCapability.buildSubsequentChunk: a same-writer link to the next chunk. */
export function subsequentChunkCapability(mapKey: Uint8Array, bat: Bat | undefined, rBaseKey: SymmetricKey): RelativeCapability {
  return { mapKey, bat, rBaseKey }
}

export interface NamedRelativeCapability {
  readonly name: string
  readonly cap: RelativeCapability
  readonly isDir?: boolean
  readonly mimeType?: string
  /** Creation time, epoch seconds (UTC). */
  readonly created?: bigint
}

export function namedRelativeCapabilityToCbor(n: NamedRelativeCapability): CborValue {
  checkPeergosFileName(n.name)
  const m = relativeCapabilityToCbor(n.cap)
  m.set('n', n.name)
  if (n.isDir !== undefined) m.set('d', n.isDir)
  if (n.mimeType !== undefined) m.set('t', n.mimeType)
  if (n.created !== undefined) m.set('c', checkEpochSeconds(n.created, 'NamedRelativeCapability.c'))
  return m
}

export function namedRelativeCapabilityFromCbor(v: CborValue): NamedRelativeCapability {
  const f = Fields.of(v, 'NamedRelativeCapability')
  const created = f.optLong('c')
  return {
    name: checkPeergosFileName(f.string('n')),
    cap: relativeCapabilityFromCbor(v, 'NamedRelativeCapability'),
    isDir: f.optBool('d'),
    mimeType: f.optString('t'),
    created: created === undefined ? undefined : checkEpochSeconds(created, 'NamedRelativeCapability.c'),
  }
}

/** ChildrenLinks: named entries (current form) or bare RelativeCapabilities (legacy directories). */
export type ChildrenLinks =
  | { readonly kind: 'named'; readonly children: readonly NamedRelativeCapability[] }
  | { readonly kind: 'legacy'; readonly children: readonly RelativeCapability[] }

export function childrenLinks(children: readonly NamedRelativeCapability[]): ChildrenLinks {
  return { kind: 'named', children }
}

export const EMPTY_CHILDREN_LINKS: ChildrenLinks = { kind: 'named', children: [] }

export function childrenLinksToCbor(l: ChildrenLinks): CborValue {
  return l.kind === 'named' ? l.children.map(namedRelativeCapabilityToCbor) : l.children.map((r) => relativeCapabilityToCbor(r))
}

/** ChildrenLinks.fromCbor: named when the first entry has `n`, legacy otherwise; an empty list is named. */
export function childrenLinksFromCbor(v: CborValue): ChildrenLinks {
  const list = asList(v, 'ChildrenLinks')
  if (list.length === 0) return EMPTY_CHILDREN_LINKS
  if (Fields.of(list[0], 'ChildrenLinks[0]').has('n')) return { kind: 'named', children: list.map(namedRelativeCapabilityFromCbor) }
  return { kind: 'legacy', children: list.map((e, i) => relativeCapabilityFromCbor(e, `ChildrenLinks[${i}]`)) }
}

/**
 * ChildrenLinks.fromCbor on an opened, zero-padded child list, each link read in place (its maps as
 * pooled records, not Maps: a 10,000-entry listing reads 20 lists of 500). The same values and the
 * same errors as childrenLinksFromCbor(decodePadded(plain)): the whole list is checked as CBOR and
 * its padding before any link is read.
 */
export function childrenLinksFromPadded(plain: Uint8Array): ChildrenLinks {
  const end = checkCborPrefix(plain)
  checkZeroPadding(plain, end)
  if (!startsWithCborList(plain)) return childrenLinksFromCbor(decodePadded(plain, { viewBytes: true })) // its type error
  let named = true
  const namedLinks: NamedRelativeCapability[] = []
  const legacyLinks: RelativeCapability[] = []
  decodeCborListEach(plain, { viewBytes: true, records: 3 }, (v, i) => {
    if (i === 0) named = Fields.of(v, 'ChildrenLinks[0]').has('n')
    if (named) namedLinks.push(namedRelativeCapabilityFromCbor(v))
    else legacyLinks.push(relativeCapabilityFromCbor(v, `ChildrenLinks[${i}]`))
  })
  if (namedLinks.length === 0 && legacyLinks.length === 0) return EMPTY_CHILDREN_LINKS
  return named ? { kind: 'named', children: namedLinks } : { kind: 'legacy', children: legacyLinks }
}
