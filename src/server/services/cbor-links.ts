// The merkle links of a dag-cbor block (reference §0.2, §8.1; Peergos CborObject.links, used by GC's
// getLinks): every tag-42 CID anywhere in the value, in order. Raw blocks have none.
import { decodeCbor, type CborValue } from '../../codec/cbor.ts'
import { CID } from '../../codec/cid.ts'

export function cborLinks(block: Uint8Array): CID[] {
  const out: CID[] = []
  const stack: CborValue[] = [decodeCbor(block)]
  while (stack.length > 0) {
    const v = stack.pop()!
    if (v === null || typeof v !== 'object' || v instanceof Uint8Array) continue
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i])
    } else if (v instanceof Map) {
      const values = [...v.values()]
      for (let i = values.length - 1; i >= 0; i--) stack.push(values[i])
    } else {
      const cid = CID.asCID(v)
      if (cid !== null) out.push(cid)
    }
  }
  return out
}
