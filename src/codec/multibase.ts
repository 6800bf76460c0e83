// Multibase strings as Peergos' io.ipfs.bases.Multibase.decode reads them (the request parameters
// that take any base, e.g. champ/get/bulk's `caps=`): base58btc 'z', base16 'f', base32 'b'/'B'
// (unpadded), base64 'm' (unpadded) / 'M' (padded). Encoding: base58btc lives in cid.ts; base64 here.
import { base32Decode } from './base32.ts'
import { base64Decode, base64Encode } from './base64.ts'
import { parseHex } from './hex.ts'
import { multibase58Decode } from './cid.ts'
import { InvalidCidError } from './errors.ts'

/** Multibase base64 ('m', standard alphabet, no padding): Multibase.encode(Base64, bytes). */
export function multibase64Encode(bytes: Uint8Array): string {
  return 'm' + base64Encode(bytes)
}

/** Multibase.decode: the bytes of a multibase string in any of the bases above; InvalidCidError otherwise. */
export function multibaseDecode(s: string): Uint8Array {
  const rest = s.slice(1)
  try {
    switch (s.charAt(0)) {
      case 'z':
        return multibase58Decode(s)
      case 'm':
      case 'M':
        return base64Decode(rest)
      case 'f':
        return parseHex(rest, (reason) => new InvalidCidError(`Invalid multibase base16 text: ${reason}`))
      case 'b':
      case 'B':
        return base32Decode(rest)
      default:
        throw new InvalidCidError(`Unsupported multibase prefix '${s.charAt(0)}'`)
    }
  } catch (e) {
    if (e instanceof InvalidCidError) throw e
    throw new InvalidCidError(`Invalid multibase text: ${(e as Error).message}`)
  }
}
