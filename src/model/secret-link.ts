// Secret links (reference §1.4; Peergos SecretLink, SecretLinkChamp.keyToBytes): the URL path
// `secret/z<owner base58>/<label>#<linkPassword>`, random creation (4-byte unsigned little-endian
// label, 12-character password) and the CHAMP key sha256(label as 8 bytes little-endian).
import { cidToString, parseCid } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import { createLinkPassword } from './encrypted-capability.ts'
import { InvalidObjectError } from './errors.ts'
import { checkPublicKeyHash, type PublicKeyHash } from './signing-keys.ts'

/** A secret link string that does not parse. */
export class InvalidSecretLinkError extends InvalidObjectError {}

export interface SecretLink {
  readonly owner: PublicKeyHash
  /** A positive label (4 random bytes when Peergos makes it). */
  readonly label: number
  readonly linkPassword: string
}

export function secretLink(owner: PublicKeyHash, label: number, linkPassword: string): SecretLink {
  if (!Number.isSafeInteger(label) || label <= 0) throw new InvalidSecretLinkError('Link labels must be positive!')
  return { owner, label, linkPassword }
}

/** SecretLink.create: label = 4 random bytes as an unsigned little-endian int (retried if 0). */
export function createSecretLink(c: CryptoProvider, owner: PublicKeyHash): SecretLink {
  let label = 0
  while (label === 0) {
    const b = c.randomBytes(4)
    label = (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 2 ** 24
  }
  return secretLink(owner, label, createLinkPassword(c))
}

/** SecretLink.toLink: `secret/z<owner>/<label>#<password>` (the fragment never reaches a server). */
export function secretLinkToString(l: SecretLink): string {
  return `secret/${cidToString(l.owner)}/${l.label}#${l.linkPassword}`
}

/** SecretLink.fromLink; also accepts a leading '/' or a full URL, and ignores a `?query` after the fragment. */
export function parseSecretLink(link: string): SecretLink {
  if (typeof link !== 'string' || link.length > 1024) throw new InvalidSecretLinkError('Invalid secret link')
  const at = link.indexOf('secret/')
  const hash = link.indexOf('#')
  if (at < 0 || hash < at) throw new InvalidSecretLinkError('Invalid secret link')
  let fragment = link.slice(hash + 1)
  if (fragment.includes('?')) fragment = fragment.slice(0, fragment.indexOf('?'))
  const parts = link.slice(at, hash).split('/')
  if (parts.length !== 3 || !/^[1-9][0-9]{0,15}$/.test(parts[2])) throw new InvalidSecretLinkError('Invalid secret link')
  let owner: PublicKeyHash
  try {
    owner = checkPublicKeyHash(parseCid(parts[1]))
  } catch (e) {
    if (e instanceof PeergosError) throw new InvalidSecretLinkError(`Invalid secret link owner: ${e.message}`, { cause: e })
    throw e
  }
  return secretLink(owner, Number(parts[2]), fragment)
}

/** SecretLinkChamp.keyToBytes: sha256 of the label as 8 little-endian bytes. */
export function secretLinkChampKey(c: CryptoProvider, label: number): Uint8Array {
  const b = new Uint8Array(8)
  new DataView(b.buffer).setBigInt64(0, BigInt(label), true)
  return c.sha256(b)
}
