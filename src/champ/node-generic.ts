// CHAMP node blocks through the generic CBOR model (reference §3.1): decodes every form, including
// the root wrapper {d: <list>, bats: [batId]}, with the same checks as the fast path in node-codec.ts.
import { compareKeys, decodeCbor, type CborValue } from '../codec/cbor.ts'
import { CID, cidFromBytes } from '../codec/cid.ts'
import { CborDecodeError, InvalidCidError } from '../codec/errors.ts'
import { InvalidChampNodeError } from './errors.ts'
import { isNodeCid, type ChampEntry, type ChampNode, type ChampParams, type ChampSlot } from './node.ts'

export function fail(msg: string, cause?: unknown): never {
  throw new InvalidChampNodeError(`Invalid CHAMP node: ${msg}`, cause === undefined ? undefined : { cause })
}

export function checkBitmap(v: Uint8Array, what: string, width: number): Uint8Array {
  if (v.length > (width + 7) >> 3) fail(`${what} has ${v.length} bytes, more than ${width} bits`)
  if (v.length > 0 && v[v.length - 1] === 0) fail(`${what} has a trailing zero byte`)
  if (width < 8 && v.length === 1 && v[0] >> width !== 0) fail(`${what} sets a bit beyond ${width}`)
  return v
}

function bitSet(bits: Uint8Array, pos: number): boolean {
  const i = pos >> 3
  return i < bits.length && ((bits[i] >> (pos & 7)) & 1) === 1
}

/** Data positions ascending and node positions descending: the order of their items in contents. */
export function layout(dataBits: Uint8Array, nodeBits: Uint8Array, width: number): { data: number[]; nodes: number[] } {
  const data: number[] = []
  const nodes: number[] = []
  for (let pos = 0; pos < width; pos++) {
    const d = bitSet(dataBits, pos)
    const n = bitSet(nodeBits, pos)
    if (d && n) fail(`position ${pos} is set in both bitmaps`)
    if (d) data.push(pos)
    if (n) nodes.unshift(pos)
  }
  return { data, nodes }
}

export function checkBucketSize(items: number, maxCollisions: number): void {
  if (items === 0 || items % 2 !== 0) fail(`bucket list has ${items} items`)
  if (items / 2 > maxCollisions) fail(`bucket has ${items / 2} mappings, more than ${maxCollisions}`)
}

export function checkChildLink(link: CID): CID {
  if (!isNodeCid(link)) fail(`child link ${link.toString()} is not a dag-cbor sha2-256 CIDv1`)
  return link
}

function asCid(v: CborValue): CID | null {
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array) && !Array.isArray(v) && !(v instanceof Map) ? CID.asCID(v) : null
}

function mirrorBatOf(bats: CborValue | undefined): CID | undefined {
  if (bats === undefined) return undefined
  if (!Array.isArray(bats) || bats.length > 1) fail("'bats' is not a list of at most one BAT id")
  if (bats.length === 0) return undefined
  if (!(bats[0] instanceof Uint8Array)) fail('BAT id is not a byte string')
  try {
    return cidFromBytes(bats[0])
  } catch (e) {
    if (e instanceof InvalidCidError) fail(`BAT id: ${e.message}`, e)
    throw e
  }
}

function fromValue(v: CborValue, params: ChampParams): ChampNode {
  let mirrorBat: CID | undefined
  if (v instanceof Map) {
    const d = v.get('d')
    if (d === undefined) fail("mirror-BAT wrapper lacks 'd'")
    mirrorBat = mirrorBatOf(v.get('bats'))
    v = d
  }
  if (!Array.isArray(v) || v.length !== 3) fail('not a 3-item list')
  const width = 1 << params.bitWidth
  const [dm, nm, contents] = v
  if (!(dm instanceof Uint8Array) || !(nm instanceof Uint8Array)) fail('a bitmap is not a byte string')
  const { data, nodes } = layout(checkBitmap(dm, 'dataMap', width), checkBitmap(nm, 'nodeMap', width), width)
  if (!Array.isArray(contents)) fail('contents is not a list')
  if (contents.length !== data.length + nodes.length) fail(`bitmaps count ${data.length + nodes.length} entries but contents has ${contents.length}`)
  const slots = new Array<ChampSlot | undefined>(width).fill(undefined)
  let i = 0
  for (const pos of data) {
    const items = contents[i++]
    if (!Array.isArray(items)) fail('a data position does not hold a bucket list')
    checkBucketSize(items.length, params.maxCollisions)
    const bucket: ChampEntry[] = []
    for (let j = 0; j < items.length; j += 2) {
      const key = items[j]
      const raw = items[j + 1]
      if (!(key instanceof Uint8Array)) fail('bucket key is not a byte string')
      const value = raw === null ? null : asCid(raw)
      if (value === null && raw !== null) fail('bucket value is neither a link nor null')
      if (bucket.length > 0 && compareKeys(bucket[bucket.length - 1].key, key) >= 0) fail('bucket keys are not strictly sorted')
      bucket.push({ key, value })
    }
    slots[pos] = bucket
  }
  for (const pos of nodes) {
    const link = asCid(contents[i++])
    if (link === null) fail('a node position does not hold a link')
    slots[pos] = checkChildLink(link)
  }
  return { slots, mirrorBat }
}

/** Decodes any node block through the generic CBOR decoder (also the reference for the fast path). */
export function decodeNodeGeneric(bytes: Uint8Array, params: ChampParams): ChampNode {
  let v: CborValue
  try {
    v = decodeCbor(bytes, { maxDepth: 5 })
  } catch (e) {
    if (e instanceof CborDecodeError) fail(e.message, e)
    throw e
  }
  return fromValue(v, params)
}
