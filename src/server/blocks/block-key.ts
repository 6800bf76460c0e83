// Peergos' block naming (DirectS3BlockStore.hashToKey, FileContentAddressedStorage.getFilePath):
// KEY = RFC 4648 base32, upper case, no padding, of the CID bytes; on disk
// `<username>/<XY>/<KEY>.data` with XY = KEY[len-3..len-1); on S3 `<path>/<username>/<KEY>`.
import { base32upper } from 'multiformats/bases/base32'
import { cidFromBytes, type CID } from '../../codec/cid.ts'
import { InvalidOwnerDirError } from './errors.ts'

const ALPHABET = new TextEncoder().encode('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')

/**
 * DirectS3BlockStore.hashToKey: the CID bytes in upper-case base32 (RFC 4648) without padding.
 * Encoded here into one flat string: it is a long-lived index key (a concatenated string would
 * cost ~1.5 KB of heap per block until V8 flattens it).
 */
export function cidToKey(cid: CID): string {
  const bytes = cid.bytes
  const out = Buffer.allocUnsafe(Math.ceil((bytes.length * 8) / 5))
  let bits = 0
  let value = 0
  let j = 0
  for (let i = 0; i < bytes.length; i++) {
    value = ((value << 8) | bytes[i]) & 0xfff
    bits += 8
    while (bits >= 5) {
      bits -= 5
      out[j++] = ALPHABET[(value >>> bits) & 31]
    }
  }
  if (bits > 0) out[j++] = ALPHABET[(value << (5 - bits)) & 31]
  return out.toString('latin1', 0, j)
}

const KEY_CHARS = /^[A-Z2-7]{4,}$/

/** The CID a KEY names, or undefined when the name is not the canonical KEY of a valid CID. */
export function keyToCid(key: string): CID | undefined {
  if (!KEY_CHARS.test(key)) return undefined
  try {
    const cid = cidFromBytes(base32upper.baseDecode(key))
    return cidToKey(cid) === key ? cid : undefined
  } catch {
    return undefined
  }
}

/** Cheap syntactic check used while scanning a store (full decoding happens when listing). */
export function looksLikeKey(name: string): boolean {
  return KEY_CHARS.test(name)
}

/** The 2-character shard directory of a KEY: its 2nd and 3rd characters from the end. */
export function shardOf(key: string): string {
  return key.substring(key.length - 3, key.length - 1)
}

/** Legacy (pre-partitioning) shard directories sit directly under blocks/ and look like this. */
export const SHARD_DIR = /^[A-Z2-7]{2}$/

/** Owner directory of blocks written before Peergos partitioned its store by user. */
export const LEGACY_OWNER = ''

/**
 * A Peergos username is [a-z0-9_-]{1,32} (UsernameValidator; 64 is CoreNode.MAX_USERNAME_SIZE). We
 * accept that plus '.', never a leading '.' or '-', so a name can't escape the blocks directory,
 * hide, or collide with an upper-case legacy shard directory.
 */
const OWNER_DIR = /^[a-z0-9_][a-z0-9_.-]{0,63}$/

export function isValidOwnerDir(ownerDir: string): boolean {
  return typeof ownerDir === 'string' && OWNER_DIR.test(ownerDir) && !ownerDir.includes('..')
}

export function checkOwnerDir(ownerDir: string): void {
  if (!isValidOwnerDir(ownerDir)) throw new InvalidOwnerDirError(`Invalid owner directory '${String(ownerDir).slice(0, 80)}'`)
}
