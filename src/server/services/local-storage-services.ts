// Wiring of the local storage services (reference §3, §7.3, §8.1): one shared context (caches) behind
// the ContentAddressedStorage, the MutablePointers and the garbage collector of a server.
import type { CryptoProvider } from '../../crypto/provider.ts'
import type { ServerBlockStore } from '../blocks/server-block-store.ts'
import type { Stores } from '../db/config.ts'
import { ServiceContext } from './context.ts'
import { GarbageCollector, type GarbageCollectorOptions } from './garbage-collector.ts'
import { LocalContentAddressedStorage, type LocalContentAddressedStorageOptions } from './local-content-addressed-storage.ts'
import { LocalMutablePointers, type LocalMutablePointersOptions } from './local-mutable-pointers.ts'

export interface LocalStorageServicesOptions
  extends Omit<LocalContentAddressedStorageOptions, 'transactions' | 'bats' | 'linkCounts'>, LocalMutablePointersOptions {
  readonly crypto: CryptoProvider
  readonly blocks: ServerBlockStore
  readonly stores: Pick<Stores, 'pointers' | 'transactions' | 'bats' | 'linkCounts'>
  readonly cacheSize?: number
  readonly maxOwnedKeys?: number
  readonly gc?: Pick<GarbageCollectorOptions, 'transactionMaxAgeMs' | 'deleteConcurrency' | 'onPhase'>
}

export interface LocalStorageServices {
  readonly context: ServiceContext
  readonly storage: LocalContentAddressedStorage
  readonly pointers: LocalMutablePointers
  readonly gc: GarbageCollector
}

export function createLocalStorageServices(o: LocalStorageServicesOptions): LocalStorageServices {
  const context = new ServiceContext({ crypto: o.crypto, blocks: o.blocks, pointers: o.stores.pointers, cacheSize: o.cacheSize, maxOwnedKeys: o.maxOwnedKeys })
  const storage = new LocalContentAddressedStorage(context, {
    transactions: o.stores.transactions,
    bats: o.stores.bats,
    linkCounts: o.stores.linkCounts,
    usernameOf: o.usernameOf,
    serverIds: o.serverIds,
    checkQuota: o.checkQuota,
    instanceBat: o.instanceBat,
    maxPutBytes: o.maxPutBytes,
    now: o.now,
  })
  const pointers = new LocalMutablePointers(context, { onPointerChange: o.onPointerChange, onHookError: o.onHookError, casRetries: o.casRetries })
  const gc = new GarbageCollector({ blocks: o.blocks, pointers: o.stores.pointers, transactions: o.stores.transactions, ...o.gc })
  return { context, storage, pointers, gc }
}
