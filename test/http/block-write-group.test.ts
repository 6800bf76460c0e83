// BlockWriteGroup bodies (reference §7.3: block/put/bulk's CBOR {b: [blocks], s: [signatures]}):
// a fragment built by buildFpct is enveloped in the spare room of its own buffer, byte for byte
// what the general encoder writes, and decoded back by the server's reader; anything else is copied.
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cborMap } from '../../src/codec/cbor-read.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { buildFpctCbor, hasRoomAround } from '../../src/model/fragmented-cipher-text.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { decodeBlockWriteGroup, encodeBlockWriteGroup } from '../../src/http/wire.ts'

function generic(blocks: Uint8Array[], signatures: Uint8Array[]): Uint8Array {
  return encodeCbor(cborMap({ b: blocks, s: signatures }))
}

describe('BlockWriteGroup bodies', () => {
  let c: CryptoProvider
  beforeAll(async () => { c = await createNodeCrypto() })
  const key = symmetricKey(new Uint8Array(32).fill(9))

  it('envelopes a built fragment in place, with the bytes the general encoder writes', () => {
    const { fragments } = buildFpctCbor(c, key, new Uint8Array(2 * 1024 * 1024 + 5).fill(0xab))
    expect(fragments.length).toBeGreaterThan(1)
    for (const f of fragments) {
      expect(hasRoomAround(f.data)).toBe(true)
      const sig = c.signAttached(f.cid.multihash.digest, c.signKeyPairFromSeed(new Uint8Array(32).fill(1)).secretKey)
      const body = encodeBlockWriteGroup({ blocks: [f.data], signatures: [sig] })
      expect(body.buffer).toBe(f.data.buffer) // no copy of the block
      expect(Buffer.compare(body, generic([f.data], [sig]))).toBe(0)
      const back = decodeBlockWriteGroup(body.slice())
      expect(Buffer.compare(back.blocks[0], f.data)).toBe(0)
      expect(Buffer.compare(back.signatures[0], sig)).toBe(0)
      // the same signature again: the same bytes in place
      expect(Buffer.compare(encodeBlockWriteGroup({ blocks: [f.data], signatures: [sig] }), generic([f.data], [sig]))).toBe(0)
    }
  })

  it('copies when the room holds another signature, for groups of several blocks and for other blocks', () => {
    const { fragments } = buildFpctCbor(c, key, new Uint8Array(300_000).fill(1))
    const f = fragments[0]
    const one = c.signAttached(f.cid.multihash.digest, c.signKeyPairFromSeed(new Uint8Array(32).fill(1)).secretKey)
    const other = c.signAttached(f.cid.multihash.digest, c.signKeyPairFromSeed(new Uint8Array(32).fill(2)).secretKey)
    const first = encodeBlockWriteGroup({ blocks: [f.data], signatures: [one] })
    const second = encodeBlockWriteGroup({ blocks: [f.data], signatures: [other] })
    expect(second.buffer).not.toBe(f.data.buffer)
    expect(Buffer.compare(second, generic([f.data], [other]))).toBe(0)
    expect(Buffer.compare(first, generic([f.data], [one]))).toBe(0) // the first body is left as it was
    const plain = new Uint8Array(5000).fill(7)
    expect(hasRoomAround(plain)).toBe(false)
    expect(Buffer.compare(encodeBlockWriteGroup({ blocks: [plain], signatures: [one] }), generic([plain], [one]))).toBe(0)
    const two = encodeBlockWriteGroup({ blocks: [f.data, plain], signatures: [one, one] })
    expect(two.buffer).not.toBe(f.data.buffer)
    expect(Buffer.compare(two, generic([f.data, plain], [one, one]))).toBe(0)
  })
})
