// ProcessedCaps (Peergos ProcessedCaps, stored as /<user>/.capabilitycache/<friend>$incoming.cbor): how
// far we have read a friend's sharing files: capabilities retrieved and byte offsets reached in
// sharing.r and sharing.w, and the same per group folder of theirs (by folder name). CBOR
// {rc, wc, rb, wb, g: {groupName: ProcessedCaps}}.
import { decodeCbor, encodeCbor, type CborValue } from '../codec/cbor.ts'
import { cborMap, Fields } from '../codec/cbor-read.ts'
import { InvalidObjectError } from './errors.ts'

export interface ProcessedCaps {
  readonly readCaps: number
  readonly writeCaps: number
  readonly readCapBytes: number
  readonly writeCapBytes: number
  readonly groups: ReadonlyMap<string, ProcessedCaps>
}

export const EMPTY_PROCESSED_CAPS: ProcessedCaps = { readCaps: 0, writeCaps: 0, readCapBytes: 0, writeCapBytes: 0, groups: new Map() }

/** New capabilities read from one sharing folder from the offsets of `prior` on (Peergos CapsDiff, counts only). */
export interface CapsProgress {
  readonly readCaps: number
  readonly writeCaps: number
  readonly readBytes: number
  readonly writeBytes: number
  readonly groups: ReadonlyMap<string, CapsProgress>
}

/** ProcessedCaps.add: the offsets and counts after `diff` (which was read from exactly these offsets). */
export function addProgress(p: ProcessedCaps, diff: CapsProgress): ProcessedCaps {
  const groups = new Map(p.groups)
  for (const [name, g] of diff.groups) groups.set(name, addProgress(p.groups.get(name) ?? EMPTY_PROCESSED_CAPS, g))
  return {
    readCaps: p.readCaps + diff.readCaps,
    writeCaps: p.writeCaps + diff.writeCaps,
    readCapBytes: p.readCapBytes + diff.readBytes,
    writeCapBytes: p.writeCapBytes + diff.writeBytes,
    groups,
  }
}

export function processedCapsToCbor(p: ProcessedCaps): CborValue {
  const g = new Map<string, CborValue>()
  for (const [name, sub] of p.groups) g.set(name, processedCapsToCbor(sub))
  return cborMap({ g, rb: p.readCapBytes, rc: p.readCaps, wb: p.writeCapBytes, wc: p.writeCaps })
}

export function processedCapsFromCbor(v: CborValue, depth = 0): ProcessedCaps {
  if (depth > 2) throw new InvalidObjectError('ProcessedCaps: groups nested too deeply')
  const f = Fields.of(v, 'ProcessedCaps')
  const groups = new Map<string, ProcessedCaps>()
  for (const [name, sub] of f.fields('g').map) groups.set(name, processedCapsFromCbor(sub, depth + 1))
  const count = (k: string): number => {
    const n = f.int(k)
    if (n < 0) throw new InvalidObjectError(`ProcessedCaps.${k} is negative`)
    return n
  }
  return { readCaps: count('rc'), writeCaps: count('wc'), readCapBytes: count('rb'), writeCapBytes: count('wb'), groups }
}

export function encodeProcessedCaps(p: ProcessedCaps): Uint8Array {
  return encodeCbor(processedCapsToCbor(p))
}

export function decodeProcessedCaps(bytes: Uint8Array): ProcessedCaps {
  return processedCapsFromCbor(decodeCbor(bytes, { maxDepth: 8 }))
}
