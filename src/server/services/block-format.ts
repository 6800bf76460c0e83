// What a block write must look like before it is stored (reference §7.3, §7.6): dag-cbor blocks are
// strict CBOR (Peergos parses each one for its links and BATs when storing it) and raw blocks that
// start with the BAT magic carry a well-formed BAT prefix, so every stored block can be BAT-checked.
// A dag-cbor block is checked by checkCborPrefix: the same strict decoder, building no value.
import { checkCborPrefix } from '../../codec/cbor.ts'
import { CODEC_RAW, type CID } from '../../codec/cid.ts'
import { CborDecodeError } from '../../codec/errors.ts'
import { parseRawBlock } from '../../model/bat-prefix.ts'

/** Throws a CborDecodeError or InvalidBatPrefixError for a block that is not what its codec says. */
export function checkBlockFormat(cid: CID, block: Uint8Array): void {
  if (cid.code === CODEC_RAW) {
    parseRawBlock(block)
    return
  }
  const length = checkCborPrefix(block)
  // decodeCbor's message for the same bytes
  if (length !== block.length) throw new CborDecodeError(`${block.length - length} trailing bytes after the CBOR value`)
}
