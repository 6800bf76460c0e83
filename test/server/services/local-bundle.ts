// The local storage services on real backends for tests: SQLite stores and a FileBlockStore in a fresh
// temporary PEERGOS_PATH (or any other BundleBackend: Postgres, S3), an in-memory username registry
// and per-user byte quotas.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryKey } from '../../../src/champ/block-store.ts'
import { CID } from '../../../src/codec/cid.ts'
import * as Digest from 'multiformats/hashes/digest'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import type { Bat } from '../../../src/model/bat.ts'
import type { BatId } from '../../../src/model/bat-id.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { FileBlockStore, type ServerBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type SqliteSynchronous, type Stores } from '../../../src/server/db/index.ts'
import { createLocalStorageServices, type LocalStorageServices, type LocalStorageServicesOptions } from '../../../src/server/services/local-storage-services.ts'
import type { StorageBundle } from './storage-fixtures.ts'

/** A libp2p-key CIDv1 (identity multihash) standing in for this server's peer id. */
export function fakePeerId(c: CryptoProvider): CID {
  return CID.createV1(0x72, Digest.create(0x00, Uint8Array.of(8, 1, 18, 32, ...c.randomBytes(32))))
}

/** Where a bundle keeps its blocks and rows; the default is a FileBlockStore and SQLite files in the bundle's temp dir. */
export interface BundleBackend<B extends ServerBlockStore> {
  openBlocks(crypto: CryptoProvider, root: string): Promise<B>
  openStores(root: string): Promise<Stores>
  /** Runs after the blocks and stores are closed (drop a schema, ...). */
  cleanup?(): Promise<void>
}

export function fileSqliteBackend(db: { synchronous?: SqliteSynchronous } = {}): BundleBackend<FileBlockStore> {
  return {
    openBlocks: (crypto, root) => FileBlockStore.open({ root, crypto }),
    openStores: (root) => openStores({ kind: 'sqlite', dir: root, ...db }),
  }
}

export interface LocalBundle<B extends ServerBlockStore = FileBlockStore> extends StorageBundle {
  readonly services: LocalStorageServices
  readonly root: string
  readonly blocks: B
  readonly stores: Stores
  readonly serverId: CID
  /** Bytes each user may still write; absent = unlimited. */
  setQuota(username: string, bytes: number): Promise<void>
  addMirrorBat(username: string, id: BatId, bat: Bat): Promise<void>
  usernameOf(owner: PublicKeyHash): Promise<string | undefined>
  close(): Promise<void>
}

let sharedCrypto: CryptoProvider | undefined

export async function openLocalBundle(extra: Partial<LocalStorageServicesOptions> = {}, db: { synchronous?: SqliteSynchronous } = {}): Promise<LocalBundle> {
  return openBundleOn(fileSqliteBackend(db), extra)
}

/** The local storage services over `backend`, in a fresh temporary directory. */
export async function openBundleOn<B extends ServerBlockStore>(backend: BundleBackend<B>, extra: Partial<LocalStorageServicesOptions> = {}): Promise<LocalBundle<B>> {
  const crypto = (sharedCrypto ??= await createNodeCrypto())
  const root = await mkdtemp(join(tmpdir(), 'pts-services-'))
  let blocks: B | undefined
  let stores: Stores
  try {
    blocks = await backend.openBlocks(crypto, root)
    stores = await backend.openStores(root)
  } catch (e) {
    await blocks?.close()
    await backend.cleanup?.().catch(() => {})
    await rm(root, { recursive: true, force: true })
    throw e
  }
  const users = new Map<string, string>()
  const remaining = new Map<string, number>()
  const serverId = fakePeerId(crypto)
  const usernameOf = async (owner: PublicKeyHash): Promise<string | undefined> => users.get(binaryKey(owner.bytes))
  const services = createLocalStorageServices({
    crypto,
    blocks,
    stores,
    usernameOf,
    serverIds: () => [serverId],
    checkQuota: async (owner, bytes) => {
      const name = await usernameOf(owner)
      const left = name === undefined ? undefined : remaining.get(name)
      if (left === undefined) return true
      if (bytes > left) return false
      remaining.set(name!, left - bytes)
      return true
    },
    ...extra,
  })
  return {
    services,
    storage: services.storage,
    pointers: services.pointers,
    crypto,
    root,
    blocks,
    stores,
    serverId,
    usernameOf,
    async registerUser(username, identity) {
      users.set(binaryKey(identity.bytes), username)
    },
    async setQuota(username, bytes) {
      remaining.set(username, bytes)
    },
    async addMirrorBat(username, id, bat) {
      await stores.bats.add(username, id, bat)
    },
    async close() {
      await blocks.close()
      await stores.close()
      await backend.cleanup?.()
      await rm(root, { recursive: true, force: true })
    },
  }
}
