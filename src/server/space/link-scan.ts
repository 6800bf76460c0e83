// The merkle links of a stored dag-cbor block, found without decoding it (reference §0.2; what Peergos'
// CborObject.links gives GC and usage): one pass over the CBOR items, tag 42 byte strings taken as CIDs.
// Blocks here passed the format check when written; anything odd makes the scan throw.
import { binaryKey } from '../../champ/block-store.ts'

const TAG_CID = 42
const MAX_SAFE = Number.MAX_SAFE_INTEGER

class ScanError extends Error {}

/** Reads an unsigned varint at `pos`; returns [value, next position]. */
function varint(b: Uint8Array, pos: number): [number, number] {
  let value = 0
  let shift = 0
  for (;;) {
    if (pos >= b.length || shift > 49) throw new ScanError('bad varint')
    const byte = b[pos++]
    value += (byte & 0x7f) * 2 ** shift
    if ((byte & 0x80) === 0) return [value, pos]
    shift += 7
  }
}

/** Whether CID bytes name an identity multihash (inline content, no stored block). */
export function isIdentityCidBytes(cid: Uint8Array): boolean {
  if (cid.length >= 2 && cid[0] === 0x12 && cid[1] === 0x20) return false // CIDv0: sha2-256
  const [, afterVersion] = varint(cid, 0)
  const [, afterCodec] = varint(cid, afterVersion)
  const [hashCode] = varint(cid, afterCodec)
  return hashCode === 0
}

/**
 * binaryKey of every CID a tag 42 wraps, in order, leaving out identity CIDs (they are inline, not
 * stored). Throws on truncated or indefinite-length CBOR.
 */
export function scanLinkKeys(block: Uint8Array): string[] {
  const out: string[] = []
  let pos = 0
  let remaining = 1
  let linkNext = false
  while (remaining > 0) {
    if (pos >= block.length) throw new ScanError('truncated CBOR')
    remaining--
    const ib = block[pos++]
    const major = ib >> 5
    const info = ib & 31
    let arg: number
    if (info < 24) arg = info
    else if (info <= 27) {
      const n = 1 << (info - 24)
      if (pos + n > block.length) throw new ScanError('truncated CBOR')
      arg = 0
      for (let i = 0; i < n; i++) arg = arg * 256 + block[pos + i]
      pos += n
      if (arg > MAX_SAFE && major !== 7 && major !== 0 && major !== 1) throw new ScanError('CBOR length too large')
    } else throw new ScanError('indefinite or reserved CBOR item')
    const isLink = linkNext
    linkNext = false
    switch (major) {
      case 2:
      case 3:
        if (pos + arg > block.length) throw new ScanError('truncated CBOR')
        if (isLink) {
          if (major !== 2 || arg < 2 || block[pos] !== 0) throw new ScanError('malformed CID link')
          const cid = block.subarray(pos + 1, pos + arg)
          if (!isIdentityCidBytes(cid)) out.push(binaryKey(cid))
        }
        pos += arg
        break
      case 4:
        remaining += arg
        break
      case 5:
        remaining += 2 * arg
        break
      case 6:
        remaining += 1
        linkNext = arg === TAG_CID
        break
      default:
        break // integers and simple values: nothing more to skip
    }
  }
  return out
}

/** The bytes of a binaryKey (the inverse of binaryKey). */
export function keyBytes(key: string): Uint8Array {
  const out = new Uint8Array(key.length)
  for (let i = 0; i < key.length; i++) out[i] = key.charCodeAt(i)
  return out
}
