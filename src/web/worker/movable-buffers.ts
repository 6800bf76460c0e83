// Buffers the client worker may move to a chunk helper (a transfer, no copy) instead of cloning:
// the 5 MiB pieces it read from a File itself (file-streams.ts) and handed to the client library,
// which reads a chunk's plaintext only until it is sealed. Anything else (bytes a caller still
// holds, parts of larger buffers) is copied as before.
const movable = new WeakSet<ArrayBuffer>()

/** `buffer` is ours alone: whoever seals the bytes in it may take it. */
export function markMovable(buffer: ArrayBuffer): void {
  movable.add(buffer)
}

/** True (once) when `bytes` covers the whole of a buffer marked movable: the caller may transfer it. */
export function takeMovable(bytes: Uint8Array): boolean {
  const b = bytes.buffer as ArrayBuffer
  if (bytes.byteOffset !== 0 || bytes.byteLength !== b.byteLength || !movable.has(b)) return false
  movable.delete(b)
  return true
}
