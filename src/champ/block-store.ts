// The block store the CHAMP reads and writes nodes through, and an in-memory implementation.
// The server implements BlockStore over real storage; a signing writer wraps it for writes.
import type { CID } from '../codec/cid.ts'
import { blockCid } from '../codec/cid.ts'
import type { CryptoProvider } from '../crypto/provider.ts'

export interface BlockStore {
  /** The bytes stored under `cid`, or undefined when absent. Callers must not modify them. */
  get(cid: CID): Promise<Uint8Array | undefined>
  /** Stores a block (raw codec or dag-cbor) and returns its CIDv1 sha2-256. */
  put(block: Uint8Array, raw: boolean): Promise<CID>
  /** True when get() can only return bytes that hash to their CID, so readers may skip re-hashing. */
  readonly trusted?: boolean
  /** The bytes under `cid` when they are at hand without waiting (a cache), else undefined; lets Champ.getLocal walk without promises. */
  getLocal?(cid: CID): Uint8Array | undefined
}

/** Binary string of some bytes, for use as a Map key (compact and fast to build; not for display). */
export function binaryKey(b: Uint8Array): string {
  if (b.length <= 1024) return String.fromCharCode.apply(null, b as unknown as number[])
  let s = ''
  for (let i = 0; i < b.length; i += 1024) s += String.fromCharCode.apply(null, b.subarray(i, i + 1024) as unknown as number[])
  return s
}

const cidKeys = new WeakMap<CID, string>()

/** Map key of a CID, memoised per CID object (the links of cached nodes are looked up over and over). */
export function cidKey(cid: CID): string {
  let k = cidKeys.get(cid)
  if (k === undefined) {
    k = binaryKey(cid.bytes)
    cidKeys.set(cid, k)
  }
  return k
}

/** Blocks in a Map; trusted, because every block was hashed by put() itself. */
export class MemoryBlockStore implements BlockStore {
  readonly trusted = true
  private readonly blocks = new Map<string, Uint8Array>()

  constructor(private readonly crypto: CryptoProvider) {}

  async get(cid: CID): Promise<Uint8Array | undefined> {
    return this.blocks.get(cidKey(cid))
  }

  async put(block: Uint8Array, raw: boolean): Promise<CID> {
    const cid = blockCid(this.crypto, block, raw)
    const k = cidKey(cid)
    if (!this.blocks.has(k)) this.blocks.set(k, block.slice())
    return cid
  }

  has(cid: CID): boolean {
    return this.blocks.has(cidKey(cid))
  }

  get size(): number {
    return this.blocks.size
  }
}
