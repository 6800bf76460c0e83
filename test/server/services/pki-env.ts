// A PKI node on the server's real services (SQLite files and a FileBlockStore in a temp dir, the
// validating storage and pointers), for the LocalCoreNode, LocalAccount and vector tests: reopenable
// over the same state, with injectable faults on block writes and on the final pointer commit.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryKey } from '../../../src/champ/block-store.ts'
import { parseCid } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import type { ContentAddressedStorage } from '../../../src/services/content-addressed-storage.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { createLocalStorageServices, type LocalStorageServices } from '../../../src/server/services/local-storage-services.ts'
import { opLogWriterFor, type OpLogWriterFactory } from '../../../src/server/services/oplog-scope.ts'
import { fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode, PKI_USERNAME, type LocalCoreNodeOptions } from '../../../src/server/services/pki/local-core-node.ts'
import type { PkiIdentity } from '../../../src/server/services/pki/pki-store.ts'
import { keyPair } from '../../conformance/pki-users.ts'

export const SERVER_ID = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')

let shared: CryptoProvider | undefined
export async function crypto(): Promise<CryptoProvider> {
  return (shared ??= await createNodeCrypto())
}

/** Faults to inject: a block write by a writer fails; the OpLog's final pointer commit fails. */
export interface Faults {
  put?: (writer: PublicKeyHash) => Error | undefined
  setPointers?: Error
}

export interface PkiEnv {
  readonly c: CryptoProvider
  readonly stores: Stores
  readonly blocks: FileBlockStore
  readonly services: LocalStorageServices
  /** The storage the PKI and the other services use (the local one, with `faults.put`). */
  readonly storage: ContentAddressedStorage
  readonly pointers: LocalStorageServices['pointers']
  readonly pki: PkiIdentity
  readonly core: LocalCoreNode
  readonly faults: Faults
  /** Opens another node over the same stores and blocks. */
  open(extra?: Partial<LocalCoreNodeOptions>): Promise<LocalCoreNode>
  /** Blocks still protected by an open transaction (0 once every write closed its transaction). */
  openTransactionBlocks(): Promise<number>
  close(): Promise<void>
}

/** The local storage with `faults.put` in front of every block write (direct and OpLog-scoped). */
function faultyStorage(s: LocalStorageServices['storage'], faults: Faults): ContentAddressedStorage {
  const check = (writer: PublicKeyHash): void => {
    const e = faults.put?.(writer)
    if (e !== undefined) throw e
  }
  return {
    id: () => s.id(),
    ids: () => s.ids(),
    startTransaction: (o) => s.startTransaction(o),
    closeTransaction: (o, tid) => s.closeTransaction(o, tid),
    put: async (o, w, sigs, blocks, tid, raw) => (check(w), s.put(o, w, sigs, blocks, tid, raw)),
    get: (o, cid, bat, auth) => s.get(o, cid, bat, auth),
    getChampLookup: (o, root, caps, committed) => s.getChampLookup(o, root, caps, committed),
    getSize: (o, cid) => s.getSize(o, cid),
    getSecretLink: (o, label) => s.getSecretLink(o, label),
  }
}

/** The default OpLog writer of the local services, with both faults injected. */
function faultyOpLog(services: LocalStorageServices, faults: Faults): OpLogWriterFactory {
  const real = opLogWriterFor(services.storage, services.pointers)
  return (pending) => {
    const w = real(pending)
    return {
      ...w,
      put: async (o, writer, sigs, blocks, tid, raw) => {
        const e = faults.put?.(writer)
        if (e !== undefined) throw e
        return w.put(o, writer, sigs, blocks, tid, raw)
      },
      setPointerGroups: async (groups) => {
        if (faults.setPointers !== undefined) throw faults.setPointers
        return w.setPointerGroups(groups)
      },
    }
  }
}

/**
 * The environment. By default the PKI key is both the PKI identity and its writer (as in the daemon).
 * `setup` may preload blocks and pointers before the first node opens.
 */
export async function pkiEnv(options: Partial<LocalCoreNodeOptions> = {}, setup?: (blocks: FileBlockStore, stores: Stores) => Promise<void>): Promise<PkiEnv> {
  const c = await crypto()
  const root = await mkdtemp(join(tmpdir(), 'pts-pki-env-'))
  const blocks = await FileBlockStore.open({ root, crypto: c })
  const stores = await openStores({ kind: 'sqlite', dir: root })
  await setup?.(blocks, stores)
  const pkiKey = keyPair(c)
  const pki: PkiIdentity = options.pki ?? { owner: pkiKey.hash, writer: pkiKey.hash, signer: pkiKey.signer }
  // The storage files a user's blocks under the username a node gives it (also during its signup).
  const cores: LocalCoreNode[] = []
  const pkiOwners = new Set<string>()
  const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> => {
    if (pkiOwners.has(binaryKey(owner.bytes))) return PKI_USERNAME
    for (const core of cores) {
      const name = core.usernameForWrites(owner)
      if (name !== undefined) return name
    }
    return undefined
  }
  const services = createLocalStorageServices({ crypto: c, blocks, stores, usernameOf, serverIds: () => [SERVER_ID] })
  const faults: Faults = {}
  const storage = faultyStorage(services.storage, faults)
  const open = async (extra: Partial<LocalCoreNodeOptions> = {}): Promise<LocalCoreNode> => {
    const o: LocalCoreNodeOptions = {
      crypto: c, storage, pointers: services.pointers, oplog: faultyOpLog(services, faults), pki, logins: stores.logins, bats: stores.bats,
      difficulty: fixedDifficulty(0), ...options, ...extra,
    }
    pkiOwners.add(binaryKey(o.pki.owner.bytes))
    const core = await LocalCoreNode.open(o)
    cores.push(core)
    return core
  }
  const core = await open()
  return {
    c, stores, blocks, services, storage, pointers: services.pointers, pki, core, faults, open,
    openTransactionBlocks: async () => (await stores.transactions.allOpenBlocks()).length,
    async close() {
      await blocks.close()
      await stores.close()
      await rm(root, { recursive: true, force: true })
    },
  }
}
