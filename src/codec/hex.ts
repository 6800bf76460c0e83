// Hex text (either case) to bytes, for the layers above codec (model's hexToBytes, multibase base16).
/** The value of the hex digit with char code `code` (either case), or -1 when it is not one. */
export function hexDigitValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  if (code >= 97 && code <= 102) return code - 87
  if (code >= 65 && code <= 70) return code - 55
  return -1
}

/** Parses hex (either case); on odd length or a non-hex character throws what `fail` makes of the reason. */
export function parseHex(s: string, fail: (reason: string) => Error): Uint8Array {
  if (s.length % 2 !== 0) throw fail('Hex string has an odd length')
  const out = new Uint8Array(s.length / 2)
  for (let i = 0; i < out.length; i++) {
    const hi = hexDigitValue(s.charCodeAt(2 * i))
    const lo = hexDigitValue(s.charCodeAt(2 * i + 1))
    if (hi < 0 || lo < 0) throw fail(`Invalid hex character at offset ${hi < 0 ? 2 * i : 2 * i + 1}`)
    out[i] = (hi << 4) | lo
  }
  return out
}
