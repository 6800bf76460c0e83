// secretboxInto and secretboxOpenInto, both providers: the same bytes as secretbox and secretboxOpen,
// written into the caller's buffer (a view of a larger one too); a tampered box is refused with
// DecryptionFailedError; an output of the wrong length or overlapping the input is a typed error.
import { describe, expect, it } from 'vitest'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'

function errorName(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    return (e as Error).name
  }
  return undefined
}

describe.each([['node', createNodeCrypto], ['portable', createPortableCrypto]] as const)('secretbox into a buffer (%s provider)', (_name, create) => {
  it('seals and opens into given buffers, byte for byte as secretbox and secretboxOpen', async () => {
    const c = await create()
    const key = c.randomBytes(32)
    const nonce = c.randomBytes(24)
    for (const n of [0, 1, 63, 4096, 65_537, 5 * 1024 * 1024 + 4102]) {
      const message = c.randomBytes(n)
      const expected = c.secretbox(message, nonce, key)
      const big = new Uint8Array(n + 16 + 40).fill(0xee)
      const out = big.subarray(20, 20 + n + 16)
      c.secretboxInto(out, message, nonce, key)
      expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true)
      expect(big.subarray(0, 20).every((b) => b === 0xee) && big.subarray(36 + n).every((b) => b === 0xee)).toBe(true)
      const opened = new Uint8Array(n).fill(0x55)
      c.secretboxOpenInto(opened, out, nonce, key)
      expect(Buffer.from(opened).equals(Buffer.from(message))).toBe(true)
    }
  })

  it('refuses a tampered box, a wrong output length and an output overlapping its input', async () => {
    const c = await create()
    const key = c.randomBytes(32)
    const nonce = c.randomBytes(24)
    const boxed = c.secretbox(c.randomBytes(1000), nonce, key)
    const tampered = boxed.slice()
    tampered[500] ^= 1
    expect(errorName(() => c.secretboxOpenInto(new Uint8Array(1000), tampered, nonce, key))).toBe('DecryptionFailedError')
    expect(errorName(() => c.secretboxOpenInto(new Uint8Array(1000), boxed.subarray(0, 15), nonce, key))).toBe('DecryptionFailedError')
    expect(errorName(() => c.secretboxOpenInto(new Uint8Array(999), boxed, nonce, key))).toBe('InvalidCryptoInputError')
    expect(errorName(() => c.secretboxInto(new Uint8Array(1000), new Uint8Array(1000), nonce, key))).toBe('InvalidCryptoInputError')
    const shared = new Uint8Array(3000)
    expect(errorName(() => c.secretboxInto(shared.subarray(500, 1516), shared.subarray(0, 1000), nonce, key))).toBe('InvalidCryptoInputError')
    shared.set(boxed)
    expect(errorName(() => c.secretboxOpenInto(shared.subarray(100, 1100), shared.subarray(0, 1016), nonce, key))).toBe('InvalidCryptoInputError')
    expect(errorName(() => c.secretboxOpenInto(new Uint8Array(1000), boxed, nonce.subarray(1), key))).toBe('InvalidCryptoInputError')
  })
})
