// Buffers the client worker may move (a transfer, no copy) instead of copying: the 5 MiB pieces it
// read from a File itself (file-streams.ts) and handed to the client library, which reads a chunk's
// plaintext only until it is sealed (moved to a chunk helper then), and the chunks a helper opened
// (chunk-crypto-pool.ts), which the download feed reads once (moved to the download's reader).
// Anything else (bytes a caller still holds, cached blocks) is copied as before.
const movable = new WeakSet<ArrayBuffer>()

/** `buffer` is ours alone: whoever seals the bytes in it may take it. */
export function markMovable(buffer: ArrayBuffer): void {
  movable.add(buffer)
}

/**
 * True (once) when `bytes` lies in a buffer marked movable (and covers it whole unless `part`):
 * the caller may transfer that buffer.
 */
export function takeMovable(bytes: Uint8Array, part = false): boolean {
  const b = bytes.buffer as ArrayBuffer
  if (!part && (bytes.byteOffset !== 0 || bytes.byteLength !== b.byteLength)) return false
  if (!movable.has(b)) return false
  movable.delete(b)
  return true
}
