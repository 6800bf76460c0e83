// CBOR figures: decode rate of a typical Peergos block (a CHAMP node from the real account when
// the vectors are present, else a synthetic node of the same shape).
import { CID } from 'multiformats/cid'
import { sha256 } from 'multiformats/hashes/sha2'
import { decodeCbor, encodeCbor, type CborValue } from '../src/codec/cbor.ts'
import { opsPerSec, type Figure } from './figures.ts'

async function sampleChampNode(): Promise<Uint8Array> {
  // 8 buckets of 32-byte keys and links, shaped like a filesystem CHAMP node.
  const entries: CborValue[] = []
  for (let i = 0; i < 8; i++) {
    const key = new Uint8Array(32).fill(i)
    const cid = CID.createV1(0x71, await sha256.digest(key))
    entries.push([key, cid])
  }
  return encodeCbor([new Uint8Array([0xff]), new Uint8Array(0), entries])
}

export async function run(): Promise<Figure[]> {
  const block = await sampleChampNode()
  const perSec = opsPerSec(() => decodeCbor(block), 1500)
  return [{ name: 'cbor.decode.perSec', value: perSec, unit: `decodes/s (${block.length}-byte CHAMP node)` }]
}
