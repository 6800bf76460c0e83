// Where blocks carry their BatIds (reference §7.6, Bat.createRawBlockPrefix / getBlockBats):
// raw blocks start with the 8-byte magic 71 1d 10 cf 3d 32 2f 2b, a CBOR list of BatIds and then
// the data (prefix ≤ 100 bytes); dag-cbor blocks list them under the top-level key `bats`.
import { decodeCbor, decodeCborPrefix, encodeCbor } from '../codec/cbor.ts'
import { asList } from '../codec/cbor-read.ts'
import { CODEC_DAG_CBOR, CODEC_RAW, type CID } from '../codec/cid.ts'
import { PeergosError } from '../errors.ts'
import { InvalidBatError, type Bat } from './bat.ts'
import { batIdFromCbor, inlineBatId, type BatId } from './bat-id.ts'
import { concatBytes } from './bytes.ts'

export const RAW_BLOCK_MAGIC_PREFIX = Uint8Array.of(0x71, 0x1d, 0x10, 0xcf, 0x3d, 0x32, 0x2f, 0x2b)
export const MAX_RAW_BLOCK_PREFIX_SIZE = 100

/** A raw block starts with the BAT magic but the prefix after it is not a well-formed list of BatIds within 100 bytes. */
export class InvalidBatPrefixError extends InvalidBatError {}

/** Bat.createRawBlockPrefix: magic ‖ CBOR [inline(bat), mirror?]. */
export function createRawBlockPrefix(inlineBat: Bat, mirrorBatId?: BatId): Uint8Array {
  const ids = mirrorBatId === undefined ? [inlineBatId(inlineBat)] : [inlineBatId(inlineBat), mirrorBatId]
  const prefix = concatBytes(RAW_BLOCK_MAGIC_PREFIX, encodeCbor(ids.map((id) => id.bytes)))
  if (prefix.length > MAX_RAW_BLOCK_PREFIX_SIZE) throw new InvalidBatPrefixError(`BAT prefix of ${prefix.length} bytes exceeds ${MAX_RAW_BLOCK_PREFIX_SIZE}`)
  return prefix
}

export interface ParsedRawBlock {
  /** The BatIds of the prefix; empty for a public block (no magic). */
  readonly batIds: BatId[]
  /** Length of the BAT prefix (0 when there is none). */
  readonly prefixLength: number
  /** The block's content after the prefix (a view into the block). */
  readonly data: Uint8Array
}

function hasMagic(block: Uint8Array): boolean {
  if (block.length < RAW_BLOCK_MAGIC_PREFIX.length) return false
  for (let i = 0; i < RAW_BLOCK_MAGIC_PREFIX.length; i++) if (block[i] !== RAW_BLOCK_MAGIC_PREFIX[i]) return false
  return true
}

/** Splits a raw block into its BatIds and data. Throws InvalidBatPrefixError when the magic is followed by anything but a list of valid BatIds ending within the first 100 bytes. */
export function parseRawBlock(block: Uint8Array): ParsedRawBlock {
  if (!hasMagic(block)) return { batIds: [], prefixLength: 0, data: block }
  const start = RAW_BLOCK_MAGIC_PREFIX.length
  const window = block.subarray(start, Math.min(block.length, MAX_RAW_BLOCK_PREFIX_SIZE))
  try {
    const { value, length } = decodeCborPrefix(window, { maxDepth: 2 })
    const batIds = asList(value, 'BAT prefix').map((v, i) => batIdFromCbor(v, `BAT prefix[${i}]`))
    return { batIds, prefixLength: start + length, data: block.subarray(start + length) }
  } catch (e) {
    if (e instanceof InvalidBatPrefixError) throw e
    const reason = e instanceof PeergosError ? e.message : String(e)
    throw new InvalidBatPrefixError(`Malformed BAT prefix in raw block: ${reason}`, { cause: e })
  }
}

/** Bat.getRawBlockBats. */
export function rawBlockBatIds(block: Uint8Array): BatId[] {
  return parseRawBlock(block).batIds
}

/** Bat.removeRawBlockBatPrefix: the data after the prefix (the whole block when there is none). */
export function removeRawBlockBatPrefix(block: Uint8Array): Uint8Array {
  return parseRawBlock(block).data
}

const BATS_KEY: ReadonlySet<string> = new Set(['bats'])

/** Bat.getCborBlockBats: the BatIds under the top-level `bats` key of a dag-cbor block (none if absent or not a map). */
export function cborBlockBatIds(block: Uint8Array): BatId[] {
  // only `bats` is built: the rest (a small file's inline data, ~4 KiB per listed file) is checked, not copied
  const value = decodeCbor(block, { onlyKeys: BATS_KEY })
  if (!(value instanceof Map)) return []
  const bats = value.get('bats')
  if (bats === undefined || bats === null) return []
  return asList(bats, 'bats').map((v, i) => batIdFromCbor(v, `bats[${i}]`))
}

/** BlockRequestAuthoriser: the BatIds guarding a block (raw prefix or dag-cbor `bats`; other codecs have none). */
export function blockBatIds(cid: CID, block: Uint8Array): BatId[] {
  if (cid.code === CODEC_RAW) return rawBlockBatIds(block)
  if (cid.code === CODEC_DAG_CBOR) return cborBlockBatIds(block)
  return []
}
