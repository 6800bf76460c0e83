// Where the first block lies in a block/put/bulk body (a canonical CBOR BlockWriteGroup {b: [blocks],
// s: [signatures]}, what Peergos clients and encodeBlockWriteGroup send), read from its first bytes:
// the daemon's HTTP server places pooled bodies so that this byte is page-aligned, and the block
// store then writes a fragment with O_DIRECT straight from the request body (durable-io.ts).

/** Map of 2 entries, then the text key "b" (0x61 'b'). */
const GROUP_START = [0xa2, 0x61, 0x62]
const MAJOR_ARRAY = 4
const MAJOR_BYTES = 2

/** The length of the CBOR head at `pos` of major type `major`, or undefined when it is not one (or not all there). */
function headLength(bytes: Uint8Array, pos: number, major: number): number | undefined {
  if (pos >= bytes.length || bytes[pos] >> 5 !== major) return undefined
  const info = bytes[pos] & 0x1f
  const length = info < 24 ? 1 : info === 24 ? 2 : info === 25 ? 3 : info === 26 ? 5 : info === 27 ? 9 : undefined
  return length !== undefined && pos + length <= bytes.length ? length : undefined
}

/** The offset of the first block's bytes in a BlockWriteGroup body starting with `first`; 0 for anything else. */
export function firstBlockOffset(first: Uint8Array): number {
  for (let i = 0; i < GROUP_START.length; i++) if (first[i] !== GROUP_START[i]) return 0
  const list = headLength(first, GROUP_START.length, MAJOR_ARRAY)
  if (list === undefined) return 0
  const block = headLength(first, GROUP_START.length + list, MAJOR_BYTES)
  return block === undefined ? 0 : GROUP_START.length + list + block
}
