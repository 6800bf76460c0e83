// Usage accounting on real services for the space tests: SQLite stores and a FileBlockStore in a temp
// dir (reopenable, for restarts), the SpaceAccounting plugged into the storage services' hooks, files
// uploaded and deleted through a writer's tree CHAMP, and an independent full walk to check usage against.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { binaryKey } from '../../../src/champ/block-store.ts'
import { Champ } from '../../../src/champ/champ.ts'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { cborMap } from '../../../src/codec/cbor-read.ts'
import type { CID } from '../../../src/codec/cid.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { cborLinks } from '../../../src/server/services/cbor-links.ts'
import { createLocalStorageServices, type LocalStorageServices } from '../../../src/server/services/local-storage-services.ts'
import { currentTarget } from '../../../src/server/services/stored-pointer.ts'
import { SpaceAccounting, type SpaceAccountingOptions } from '../../../src/server/space/space-accounting.ts'
import { fakePeerId } from '../services/local-bundle.ts'
import { SigningBlockStore, type StorageBundle, type TestUser, type WriterState } from '../services/storage-fixtures.ts'

export const KiB = 1024
export const MiB = 1024 * 1024

let sharedCrypto: CryptoProvider | undefined

export interface SpaceEnvOptions extends Partial<Omit<SpaceAccountingOptions, 'usage' | 'quotas' | 'usernameOf'>> {
  readonly root?: string
  readonly defaultQuota?: number
  /** The username registry (kept across a reopen). */
  readonly users?: Map<string, string>
}

export interface SpaceEnv extends StorageBundle {
  readonly root: string
  readonly blocks: FileBlockStore
  readonly stores: Stores
  readonly services: LocalStorageServices
  readonly space: SpaceAccounting
  readonly users: Map<string, string>
  usernameOf(owner: PublicKeyHash): string | undefined
  /** Closes the services (writing the usage records), keeping the directory. */
  shutdown(): Promise<void>
  /** Closes everything and deletes the directory. */
  close(): Promise<void>
}

export async function openSpaceEnv(o: SpaceEnvOptions = {}): Promise<SpaceEnv> {
  const crypto = (sharedCrypto ??= await createNodeCrypto())
  const root = o.root ?? (await mkdtemp(join(tmpdir(), 'pts-space-')))
  const rawBlocks = await FileBlockStore.open({ root, crypto })
  const stores = await openStores({ kind: 'sqlite', dir: root }, { defaultQuota: o.defaultQuota })
  const users = o.users ?? new Map<string, string>()
  const usernameOf = (owner: PublicKeyHash): string | undefined => users.get(binaryKey(owner.bytes))
  const space = new SpaceAccounting({
    quotaCacheMs: 0,
    onError: (e) => {
      throw e // surfaces as an unhandled error: no test may leave one
    },
    ...o,
    usage: stores.usage,
    quotas: stores.quotas,
    usernameOf,
  })
  const serverId = fakePeerId(crypto)
  const services = createLocalStorageServices({
    crypto,
    blocks: space.observe(rawBlocks),
    stores,
    usernameOf: async (owner) => usernameOf(owner),
    serverIds: () => [serverId],
    checkQuota: space.checkQuota,
    onPointerChange: space.onPointerChange,
    onHookError: (e) => {
      throw e
    },
  })
  space.attach(services.context)
  let closed = false
  const shutdown = async (): Promise<void> => {
    if (closed) return
    closed = true
    await space.close()
    await rawBlocks.close()
    await stores.close()
  }
  return {
    crypto, storage: services.storage, pointers: services.pointers, root, blocks: rawBlocks, stores, services, space, users, usernameOf,
    async registerUser(username, identity) {
      users.set(binaryKey(identity.bytes), username)
    },
    shutdown,
    async close() {
      await shutdown()
      await rm(root, { recursive: true, force: true })
    },
  }
}

/** A stand-in file: raw fragments of at most 128 KiB and a dag-cbor node linking them (a cryptree node). */
export interface UploadedFile {
  readonly key: Uint8Array
  readonly node: CID
  readonly bytes: number
}

/** Puts a file of `size` bytes and adds it to `w`'s tree CHAMP, then commits `w` (FileWrapper.uploadFile + commit). */
export async function uploadFile(u: TestUser, w: WriterState, size: number): Promise<UploadedFile> {
  const c = u.c
  const frags: Uint8Array[] = []
  for (let off = 0; off < size; off += 128 * KiB) frags.push(c.randomBytes(Math.min(128 * KiB, size - off)))
  const root = await u.tx(async (tid) => {
    const cids: CID[] = []
    for (let i = 0; i < frags.length; i += 7) cids.push(...(await u.put(w.signer, frags.slice(i, i + 7), true, tid)))
    const store = new SigningBlockStore(c, u.bundle.storage, u.owner, w.signer, tid)
    const node = await store.put(encodeCbor(cborMap({ n: c.randomBytes(32), f: cids })), false)
    const champ = new Champ({ store, crypto: c })
    const key = c.randomBytes(32)
    const base = w.wd.tree ?? (await champ.createEmpty())
    return { tree: await champ.put(base, key, undefined, node), key, node }
  })
  if (!(await u.commit(w, { ...w.wd, tree: root.tree }))) throw new Error('commit failed')
  return { key: root.key, node: root.node, bytes: size }
}

/** Removes a file from `w`'s tree and commits (FileWrapper.remove). */
export async function deleteFile(u: TestUser, w: WriterState, f: UploadedFile): Promise<void> {
  const tree = await u.tx(async (tid) => {
    const champ = new Champ({ store: new SigningBlockStore(u.c, u.bundle.storage, u.owner, w.signer, tid), crypto: u.c })
    return champ.remove(w.wd.tree!, f.key, f.node)
  })
  if (!(await u.commit(w, { ...w.wd, tree }))) throw new Error('commit failed')
}

/** The tree size of a writer's current WriterData by a plain full walk of the stored blocks (links counted as often as they occur). */
export async function walkSize(env: { blocks: Pick<FileBlockStore, 'get'>; stores: Pick<SpaceEnv['stores'], 'pointers'> }, writer: PublicKeyHash): Promise<number> {
  const root = await currentTarget(env.stores.pointers, writer)
  if (root === undefined) return 0
  let total = 0
  const stack: CID[] = [root]
  while (stack.length > 0) {
    const cid = stack.pop()!
    if (cid.multihash.code === 0) continue
    const bytes = await env.blocks.get(cid)
    if (bytes === undefined) continue
    total += bytes.length
    if (cid.code === 0x71) stack.push(...cborLinks(bytes))
  }
  return total
}

/** Confirmed usage of `owner`'s user as the accounting reports it, once queued changes are processed. */
export async function usageOf(env: SpaceEnv, owner: PublicKeyHash): Promise<number> {
  await env.space.idle()
  return (await env.space.usage(owner)).total
}
