// A PKI node on SQLite ':memory:' stores and the temporary in-memory block/pointer stand-ins, for the
// LocalCoreNode and LocalAccount unit tests; reopenable over the same state.
import { parseCid } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode, type LocalCoreNodeOptions } from '../../../src/server/services/pki/local-core-node.ts'
import type { PkiIdentity } from '../../../src/server/services/pki/pki-store.ts'
import { keyPair } from '../../conformance/pki-users.ts'
import { TemporaryMemoryPointers, TemporaryMemoryStorage } from './stand-ins.ts'

export const SERVER_ID = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')

let shared: CryptoProvider | undefined
export async function crypto(): Promise<CryptoProvider> {
  return (shared ??= await createNodeCrypto())
}

export interface PkiEnv {
  readonly c: CryptoProvider
  readonly stores: Stores
  readonly storage: TemporaryMemoryStorage
  readonly pointers: TemporaryMemoryPointers
  readonly pki: PkiIdentity
  readonly core: LocalCoreNode
  /** Opens another node over the same stores, blocks and pointers. */
  open(extra?: Partial<LocalCoreNodeOptions>): Promise<LocalCoreNode>
  close(): Promise<void>
}

export async function pkiEnv(options: Partial<LocalCoreNodeOptions> = {}, setup?: (storage: TemporaryMemoryStorage, pointers: TemporaryMemoryPointers) => void): Promise<PkiEnv> {
  const c = await crypto()
  const stores = await openStores({ kind: 'sqlite', dir: ':memory:' })
  const storage = new TemporaryMemoryStorage(c, SERVER_ID)
  const pointers = new TemporaryMemoryPointers(c, storage)
  setup?.(storage, pointers)
  const owner = keyPair(c)
  const writer = keyPair(c)
  const pki: PkiIdentity = options.pki ?? { owner: owner.hash, writer: writer.hash, signer: writer.signer }
  const open = (extra: Partial<LocalCoreNodeOptions> = {}): Promise<LocalCoreNode> => LocalCoreNode.open({
    crypto: c, storage, pointers, pki, logins: stores.logins, bats: stores.bats, difficulty: fixedDifficulty(0), ...options, ...extra,
  })
  const core = await open()
  return { c, stores, storage, pointers, pki, core, open, close: () => stores.close() }
}
