// What the local storage and pointer services share (reference §3, §7.3): the block store, the pointer
// table, writer keys, decoded WriterData, a CHAMP reader and the ownership resolver, with their caches,
// so that a decision made for a block write is reused by the next pointer update and vice versa.
import type { Champ } from '../../champ/champ.ts'
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { PointerStore } from '../db/pointer-store.ts'
import { serverChamp } from './champ-store.ts'
import { OwnershipResolver } from './ownership.ts'
import { SigningKeys } from './signing-keys.ts'
import { currentTarget, readCurrentPointer, type CurrentPointer } from './stored-pointer.ts'
import { WriterDataCache } from './writer-data-cache.ts'

export interface ServiceContextOptions {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly pointers: PointerStore
  /** Entries of each cache (keys, WriterData, owned-key sets, ownership chains; default 10,000). */
  readonly cacheSize?: number
  /** Bound on the keys one ownership search visits (default 10,000). */
  readonly maxOwnedKeys?: number
}

export class ServiceContext {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly pointerStore: PointerStore
  readonly keys: SigningKeys
  readonly writerData: WriterDataCache
  readonly champ: Champ
  readonly ownership: OwnershipResolver

  constructor(o: ServiceContextOptions) {
    this.crypto = o.crypto
    this.blocks = o.blocks
    this.pointerStore = o.pointers
    this.keys = new SigningKeys(o.crypto, o.blocks, o.cacheSize)
    this.writerData = new WriterDataCache(o.blocks, o.cacheSize)
    this.champ = serverChamp(o.crypto, o.blocks)
    this.ownership = new OwnershipResolver({
      crypto: o.crypto,
      blocks: o.blocks,
      champ: this.champ,
      keys: this.keys,
      writerData: this.writerData,
      currentTarget: (w) => currentTarget(o.pointers, w),
      maxKeys: o.maxOwnedKeys,
      cacheSize: o.cacheSize,
    })
  }

  /** The writer's stored pointer; `forUpdate`: as this process last wrote it when known (no query; see PointerStore.getForUpdate). */
  currentPointer(writer: PublicKeyHash, forUpdate = false): Promise<CurrentPointer | undefined> {
    return readCurrentPointer(this.pointerStore, writer, forUpdate)
  }
}
