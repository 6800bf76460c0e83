// Fragment buffers given back after their put (releaseFragments) and reused by the next chunks'
// fragments: the reused block holds exactly the new bytes, its block/put/bulk envelope is written in
// place with the new signature (not refused as the previous use's), and only fragments built here
// (not adopted from another realm), large enough and not already pooled, are kept, at most
// MAX_POOLED_FRAGMENTS of them.
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cborMap } from '../../src/codec/cbor-read.ts'
import { verifyBlock } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { encodeBlockWriteGroup } from '../../src/http/wire.ts'
import {
  adoptRoomAround, buildFpctCbor, decryptFpct, FRAGMENT_ROOM_AFTER, FRAGMENT_ROOM_BEFORE, fragmentWithRoom, hasRoomAround, MAX_POOLED_FRAGMENTS, releaseFragments, type FragmentBlock,
} from '../../src/model/fragmented-cipher-text.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'

const MiB = 1024 * 1024

function filled(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

describe('fragment buffer reuse', () => {
  let c: CryptoProvider
  beforeAll(async () => { c = await createNodeCrypto() })
  const key = symmetricKey(new Uint8Array(32).fill(9))
  const sign = (f: FragmentBlock, seed: number): Uint8Array => c.signAttached(f.cid.multihash.digest, c.signKeyPairFromSeed(new Uint8Array(32).fill(seed)).secretKey)
  const fetcherOf = (fragments: readonly FragmentBlock[]) => async (cid: FragmentBlock['cid']) => fragments.find((f) => f.cid.equals(cid))!.data

  it('reuses given-back buffers for the next chunk: its own bytes, its own envelope in place, opens as before', async () => {
    const first = buildFpctCbor(c, key, filled(3 * MiB + 10_000, 1))
    const firstBuffers = new Set(first.fragments.map((f) => f.data.buffer))
    for (const f of first.fragments) encodeBlockWriteGroup({ blocks: [f.data], signatures: [sign(f, 1)] }) // sent once
    releaseFragments(first.fragments.map((f) => f.data))

    const plain = filled(3 * MiB + 10_000, 2)
    const second = buildFpctCbor(c, key, plain)
    const reused = second.fragments.filter((f) => firstBuffers.has(f.data.buffer))
    expect(reused.length).toBe(3) // the three full 1 MiB fragments; the small tail is not pooled
    for (const f of second.fragments) {
      expect(hasRoomAround(f.data)).toBe(true)
      verifyBlock(c, f.cid, f.data) // the CID is of the new bytes
      const sig = sign(f, 2) // another signature than the buffer's previous use
      const body = encodeBlockWriteGroup({ blocks: [f.data], signatures: [sig] })
      expect(body.buffer).toBe(f.data.buffer) // still written around the block, no copy
      expect(Buffer.compare(body, encodeCbor(cborMap({ b: [f.data], s: [sig] })))).toBe(0)
    }
    const opened = await decryptFpct(c, second.fpct, key, fetcherOf(second.fragments))
    expect(Buffer.compare(opened.subarray(5, 5 + plain.length), plain)).toBe(0)
  })

  it('keeps only large fragments built here, once each, and at most MAX_POOLED_FRAGMENTS', () => {
    const foreign = new Uint8Array(2 * MiB).subarray(16, 16 + MiB) // no room recorded: not built here
    const adopted = new Uint8Array(FRAGMENT_ROOM_BEFORE + MiB + 44 + FRAGMENT_ROOM_AFTER).subarray(FRAGMENT_ROOM_BEFORE, FRAGMENT_ROOM_BEFORE + MiB + 44) // built with room elsewhere (a web chunk helper)
    adoptRoomAround(adopted)
    expect(hasRoomAround(adopted)).toBe(true)
    const small = fragmentWithRoom(new Uint8Array(4), new Uint8Array(1000))
    releaseFragments([foreign, adopted, small])
    expect(fragmentWithRoom(new Uint8Array(44), new Uint8Array(MiB)).buffer).not.toBe(adopted.buffer)
    expect(fragmentWithRoom(new Uint8Array(4), new Uint8Array(1000)).buffer).not.toBe(small.buffer)

    const built = Array.from({ length: MAX_POOLED_FRAGMENTS + 5 }, () => fragmentWithRoom(new Uint8Array(40), new Uint8Array(MiB)))
    releaseFragments(built)
    releaseFragments(built) // twice: still one entry each
    const again = Array.from({ length: MAX_POOLED_FRAGMENTS + 5 }, () => fragmentWithRoom(new Uint8Array(40), new Uint8Array(MiB)))
    const old = new Set(built.map((b) => b.buffer))
    const reused = again.filter((b) => old.has(b.buffer))
    expect(reused.length).toBe(MAX_POOLED_FRAGMENTS)
    expect(new Set(reused.map((b) => b.buffer)).size).toBe(MAX_POOLED_FRAGMENTS) // no buffer handed out twice
    const other = fragmentWithRoom(new Uint8Array(41), new Uint8Array(MiB)) // another size: a new buffer
    expect(old.has(other.buffer)).toBe(false)
  })
})
