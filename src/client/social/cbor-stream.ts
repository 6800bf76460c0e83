// Files of concatenated CBOR values, as Peergos appends them (sharing.r and sharing.w,
// .from-friends.cborstream): read one value after the other; an incomplete or malformed tail (e.g.
// an append still being written) ends the stream, and only whole values count as read.
import { decodeCborPrefix, type CborValue } from '../../codec/cbor.ts'

export function parseCborStream<T>(bytes: Uint8Array, decode: (v: CborValue) => T): { items: T[]; bytesRead: number } {
  const items: T[] = []
  let pos = 0
  while (pos < bytes.length) {
    try {
      const { value, length } = decodeCborPrefix(bytes.subarray(pos), { maxDepth: 8 })
      items.push(decode(value))
      pos += length
    } catch {
      break
    }
  }
  return { items, bytesRead: pos }
}
