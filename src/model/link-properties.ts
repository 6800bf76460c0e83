// LinkProperties (reference §1.4; Peergos LinkProperties): the owner's own record of a secret link,
// CBOR {l: label, p: linkPassword, u: userPassword, w: writable, o: autoOpen, h?: link to the existing
// SecretLinkTarget, m?: max retrievals, e?: expiry as UTC epoch seconds}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import type { CID } from '../codec/cid.ts'
import { CborTypeError } from '../codec/errors.ts'

export interface LinkProperties {
  readonly label: number
  readonly linkPassword: string
  readonly userPassword: string
  readonly isLinkWritable: boolean
  readonly open: boolean
  readonly maxRetrievals?: number
  /** LocalDateTime at UTC, as epoch seconds. */
  readonly expiry?: number
  readonly existing?: CID
}

export function linkPropertiesToCbor(p: LinkProperties): CborValue {
  return cborMap({ e: p.expiry, h: p.existing, l: p.label, m: p.maxRetrievals, o: p.open, p: p.linkPassword, u: p.userPassword, w: p.isLinkWritable })
}

export function linkPropertiesFromCbor(v: CborValue): LinkProperties {
  const f = Fields.of(v, 'LinkProperties')
  const maxRetrievals = f.optInt('m')
  if (maxRetrievals !== undefined && (maxRetrievals < -(2 ** 31) || maxRetrievals >= 2 ** 31)) throw new CborTypeError(`LinkProperties.m: ${maxRetrievals} is not a 32-bit integer`)
  const expiry = f.optInt('e')
  const existing = f.optLink('h')
  return {
    label: f.int('l'),
    linkPassword: f.string('p'),
    userPassword: f.string('u'),
    isLinkWritable: f.bool('w'),
    open: f.optBool('o') ?? false,
    ...(maxRetrievals === undefined ? {} : { maxRetrievals }),
    ...(expiry === undefined ? {} : { expiry }),
    ...(existing === undefined ? {} : { existing }),
  }
}

export function encodeLinkProperties(p: LinkProperties): Uint8Array {
  return encodeCbor(linkPropertiesToCbor(p))
}

export function decodeLinkProperties(bytes: Uint8Array): LinkProperties {
  return linkPropertiesFromCbor(decodeCbor(bytes, { maxDepth: 1 }))
}
