// EncryptedCapability (reference §1.4; Peergos EncryptedCapability): a secret link's capability as CBOR
// {c: CipherText of the AbsoluteCapability, p?: true when a user password is needed too}, under
// key = scrypt(sha256(linkPassword + userPassword), utf8(label decimal), N = 2^15, r = 8, p = 1, 32).
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { loginScrypt } from '../crypto/peergos.ts'
import type { CryptoProvider } from '../crypto/provider.ts'
import { capabilityFromCbor, capabilityToCbor, type AbsoluteCapability } from './capability.ts'
import { cipherTextFromCbor, cipherTextToCbor, openCbor, sealCbor, type CipherText } from './cipher-text.ts'
import { scryptGenerator } from './secret-generation-algorithm.ts'
import { symmetricKey, type SymmetricKey } from './symmetric-key.ts'

/** EncryptedCapability.LINK_KEY_GENERATOR: scrypt (15, 8, 1, 32) without extra salt. */
export const LINK_KEY_GENERATOR = scryptGenerator(15, 8, 1, 32, '')

const LINK_PASSWORD_CHARACTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
export const LINK_PASSWORD_LENGTH = 12

export interface EncryptedCapability {
  readonly payload: CipherText
  readonly hasUserPassword: boolean
}

/** The link key: `label` is the decimal label, `password` = linkPassword + userPassword. */
export async function deriveLinkKey(c: CryptoProvider, label: string, password: string): Promise<SymmetricKey> {
  return symmetricKey(await loginScrypt(c, label, password, LINK_KEY_GENERATOR))
}

export function sealCapability(c: CryptoProvider, key: SymmetricKey, cap: AbsoluteCapability, hasUserPassword: boolean, nonce?: Uint8Array): EncryptedCapability {
  return { payload: sealCbor(c, key, capabilityToCbor(cap), nonce), hasUserPassword }
}

/** Opens with an already derived key (DecryptionFailedError on a wrong password). */
export function openCapability(c: CryptoProvider, key: SymmetricKey, ec: EncryptedCapability): AbsoluteCapability {
  return capabilityFromCbor(openCbor(c, key, ec.payload, { maxDepth: 4 }))
}

/** EncryptedCapability.createFromPassword. */
export async function createEncryptedCapability(c: CryptoProvider, cap: AbsoluteCapability, label: string, password: string, hasUserPassword: boolean): Promise<EncryptedCapability> {
  return sealCapability(c, await deriveLinkKey(c, label, password), cap, hasUserPassword)
}

/** EncryptedCapability.decryptFromPassword. */
export async function decryptEncryptedCapability(c: CryptoProvider, ec: EncryptedCapability, label: string, password: string): Promise<AbsoluteCapability> {
  return openCapability(c, await deriveLinkKey(c, label, password), ec)
}

/** EncryptedCapability.createLinkPassword: 12 characters of [A-Za-z0-9] by rejection sampling of random bytes. */
export function createLinkPassword(c: CryptoProvider): string {
  let pw = ''
  while (pw.length < LINK_PASSWORD_LENGTH) {
    for (const b of c.randomBytes(LINK_PASSWORD_LENGTH)) {
      if (b < LINK_PASSWORD_CHARACTERS.length && pw.length < LINK_PASSWORD_LENGTH) pw += LINK_PASSWORD_CHARACTERS[b]
    }
  }
  return pw
}

export function encryptedCapabilityToCbor(ec: EncryptedCapability): CborValue {
  return cborMap({ c: cipherTextToCbor(ec.payload), p: ec.hasUserPassword ? true : undefined })
}

export function encryptedCapabilityFromCbor(v: CborValue): EncryptedCapability {
  const f = Fields.of(v, 'EncryptedCapability')
  return { payload: cipherTextFromCbor(f.req('c'), 'EncryptedCapability.c'), hasUserPassword: f.optBool('p') ?? false }
}

export function encodeEncryptedCapability(ec: EncryptedCapability): Uint8Array {
  return encodeCbor(encryptedCapabilityToCbor(ec))
}

export function decodeEncryptedCapability(bytes: Uint8Array): EncryptedCapability {
  return encryptedCapabilityFromCbor(decodeCbor(bytes, { maxDepth: 2 }))
}
