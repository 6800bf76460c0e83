// Single-use backup codes (reference §5.4; Peergos BackupCodes): ten codes of ten base32 characters
// (lower case), each from 7 random bytes, shown once as "a3f5b-2xqz7" and accepted in any case with any
// separators. genBackupCodes replies with CBOR {c: [codes], i: credential id}.
import { base32Encode } from '../codec/base32.ts'
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { asString, cborMap, Fields } from '../codec/cbor-read.ts'
import { InvalidObjectError } from './errors.ts'

export const BACKUP_CODE_COUNT = 10
export const BACKUP_CODE_CHARS = 10
/** Enough random bytes to base32-encode to at least BACKUP_CODE_CHARS characters. */
export const BACKUP_CODE_BYTES = 7
const GROUP = 5

export interface BackupCodes {
  readonly credentialId: Uint8Array
  readonly codes: readonly string[]
}

/** BackupCodes.generate: the first 10 characters of lower-case base32 of `random` (at least 7 bytes). */
export function backupCodeFromRandom(random: Uint8Array): string {
  if (random.length < BACKUP_CODE_BYTES) throw new InvalidObjectError('Insufficient randomness for a backup code!')
  return base32Encode(random).toLowerCase().slice(0, BACKUP_CODE_CHARS)
}

/** BackupCodes.format: groups of five joined by '-'. */
export function formatBackupCode(code: string): string {
  const groups: string[] = []
  for (let i = 0; i < code.length; i += GROUP) groups.push(code.slice(i, i + GROUP))
  return groups.join('-')
}

/** BackupCodes.normalise: lower case, keeping only the base32 characters a-z and 2-7. */
export function normaliseBackupCode(code: string): string {
  let out = ''
  for (const ch of code.toLowerCase()) if ((ch >= 'a' && ch <= 'z') || (ch >= '2' && ch <= '7')) out += ch
  return out
}

export function backupCodesToCbor(b: BackupCodes): CborValue {
  return cborMap({ c: [...b.codes], i: b.credentialId })
}

export function backupCodesFromCbor(v: CborValue): BackupCodes {
  const f = Fields.of(v, 'BackupCodes')
  return { credentialId: f.bytes('i'), codes: f.list('c').map((c, i) => asString(c, `BackupCodes.c[${i}]`)) }
}

export function encodeBackupCodes(b: BackupCodes): Uint8Array {
  return encodeCbor(backupCodesToCbor(b))
}

export function decodeBackupCodes(bytes: Uint8Array): BackupCodes {
  return backupCodesFromCbor(decodeCbor(bytes, { maxDepth: 2, maxItems: 256 }))
}
