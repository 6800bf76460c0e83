// The PKI mirror (reference §4.3; Peergos MirrorCoreNode.updateMirror) against a real PKI node on real
// stores (pki-env.ts), read through the same calls the p2p clients make: the first pull, incremental
// pulls that fetch only the changed CHAMP paths, the state saved and served with the PKI node gone,
// and every change a PKI node could make against the append-only rule refused with the old state kept.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { Champ } from '../../../src/champ/index.ts'
import { blockCid, parseCid, type CID } from '../../../src/codec/cid.ts'
import { localDateOf, plusMonths } from '../../../src/model/local-date.ts'
import { openSignedPointerUpdate } from '../../../src/model/pointer-update.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { createInitialChain, createKeyChangeChain, encodeChain, type UserPublicKeyLink } from '../../../src/model/user-public-key-link.ts'
import { decodeWriterData, encodeWriterData } from '../../../src/model/writer-data.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { storageKeyResolver } from '../../../src/server/services/key-resolver.ts'
import { PKI_USERNAME } from '../../../src/server/services/pki/local-core-node.ts'
import { MIRROR_STATE_FILE } from '../../../src/server/services/pki/mirror-state.ts'
import { PkiChangeRefusedError, PkiMirror, type PkiSource } from '../../../src/server/services/pki/pki-mirror.ts'
import { PkiStore } from '../../../src/server/services/pki/pki-store.ts'
import { keyPair, newUser, signUp, updateChain, type KeyPair, type TestUser } from '../../conformance/pki-users.ts'
import { crypto, pkiEnv, SERVER_ID, type PkiEnv } from './pki-env.ts'
import { signBlock, signPointer, SigningBlockStore, uniqueName } from './storage-fixtures.ts'

const PKI_NODE = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')
const NEW_PKI_NODE = parseCid('zdvgqEMYmNeH5fKciougvQcfzMcNk4Kz1ocVa4yKvBJ9aGXHS')

/** What the PKI node answers over p2p, with a switch that takes it down and a count of block fetches. */
interface TestSource extends PkiSource {
  down: boolean
  blockGets: number
  /** A hostile node: answers this signed pointer for the PKI identity instead of its own. */
  pointerOverride?: Uint8Array
}

function sourceOf(env: PkiEnv, identity: PublicKeyHash): TestSource {
  const s: TestSource = {
    down: false,
    blockGets: 0,
    identity: async () => {
      if (s.down) throw new Error('PKI node unreachable')
      return identity
    },
    getPointer: async (owner, writer) => {
      if (s.down) throw new Error('PKI node unreachable')
      return s.pointerOverride ?? env.pointers.getPointer(owner, writer)
    },
    getBlock: async (owner, cid) => {
      if (s.down) throw new Error('PKI node unreachable')
      s.blockGets++
      return env.storage.get(owner, cid)
    },
  }
  return s
}

interface MirrorSide {
  readonly dir: string
  readonly blocks: FileBlockStore
  readonly stores: Stores
  open(source: PkiSource, pkiNode?: CID): Promise<PkiMirror>
  close(): Promise<void>
}

async function mirrorSide(): Promise<MirrorSide> {
  const c = await crypto()
  const dir = await mkdtemp(join(tmpdir(), 'pts-mirror-'))
  const blocks = await FileBlockStore.open({ root: dir, crypto: c })
  const stores = await openStores({ kind: 'sqlite', dir })
  const opened: PkiMirror[] = []
  return {
    dir, blocks, stores,
    async open(source, pkiNode = PKI_NODE) {
      const m = await PkiMirror.open({ crypto: c, blocks, pointers: stores.pointers, transactions: stores.transactions, pkiNode, source, statePath: join(dir, MIRROR_STATE_FILE), missBackoffMs: 0 })
      opened.push(m)
      return m
    },
    async close() {
      for (const m of opened) await m.close()
      await blocks.close()
      await stores.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

function signerOf(k: KeyPair): { publicKeyHash: PublicKeyHash; publicKey: Uint8Array; secretKey: Uint8Array } {
  return { publicKeyHash: k.hash, publicKey: k.publicKey, secretKey: k.secretKey }
}

/** Writes `chain` for `username` straight into the PKI tree with the PKI key, as a PKI node ignoring the rules would. */
async function forceChain(env: PkiEnv, username: string, chain: UserPublicKeyLink[]): Promise<void> {
  const store = new PkiStore(env.c, env.storage, env.pointers, env.pki, storageKeyResolver(env.storage))
  await store.load()
  await (await store.prepare(username, chain)).commit()
}

/** Removes `username` from the PKI tree with the PKI key. */
async function dropUser(env: PkiEnv, pkiKey: KeyPair, username: string): Promise<void> {
  const c = env.c
  const owner = env.pki.owner
  const signed = (await env.pointers.getPointer(owner, owner))!
  const current = openSignedPointerUpdate(c, pkiKey.publicKey, signed)
  const wd = decodeWriterData((await env.storage.get(owner, current.updated!))!)
  const tid = await env.storage.startTransaction(owner)
  const champ = new Champ({ store: new SigningBlockStore(c, env.storage, owner, signerOf(pkiKey), tid), crypto: c, keyHash: 'blake2b', bitWidth: 3, maxCollisions: 4 })
  const key = new TextEncoder().encode(username)
  const tree = await champ.remove(wd.tree!, key, await champ.get(wd.tree!, key))
  const block = encodeWriterData({ ...wd, tree })
  await env.storage.put(owner, owner, [signBlock(c, signerOf(pkiKey), block)], [block], tid, false)
  expect(await env.pointers.setPointer(owner, owner, signPointer(c, signerOf(pkiKey), current.updated, blockCid(c, block, false), (current.sequence ?? 0) + 1))).toBe(true)
}

function chainBytes(chain: readonly UserPublicKeyLink[] | undefined): string {
  return chain === undefined ? 'none' : Buffer.from(encodeChain(chain)).toString('hex')
}

describe('the PKI mirror', () => {
  let pkiKey: KeyPair
  let env: PkiEnv
  let side: MirrorSide
  const users = new Map<string, TestUser>()
  const names = (): string[] => [...users.keys()]

  async function addUser(prefix: string): Promise<TestUser> {
    const u = newUser(env.c, uniqueName(prefix), SERVER_ID)
    await signUp(env.c, env.core, u)
    users.set(u.username, u)
    return u
  }

  beforeAll(async () => {
    pkiKey = keyPair(await crypto())
    env = await pkiEnv({ pki: { owner: pkiKey.hash, writer: pkiKey.hash, signer: pkiKey.signer } })
    for (let i = 0; i < 12; i++) await addUser('m')
  })
  afterAll(async () => {
    await env?.close()
  })
  afterEach(async () => {
    await side?.close()
  })

  it('pulls every claim chain, saves its state, pins the PKI pointer and answers lookups locally', async () => {
    side = await mirrorSide()
    const mirror = await side.open(sourceOf(env, pkiKey.hash))
    expect(await mirror.refresh()).toBe(true)
    for (const n of names()) expect(chainBytes(mirror.chain(n))).toBe(chainBytes(await env.core.getChain(n)))
    expect(mirror.usernames('')).toEqual(expect.arrayContaining(names()))
    expect(mirror.usernameOf(pkiKey.hash)).toBe(PKI_USERNAME)
    const third = users.get(names()[3])!
    expect(mirror.usernameOf(third.identity.hash)).toBe(third.username)
    expect(mirror.current?.tree?.equals(env.core.treeRoot!)).toBe(true)
    // The PKI's pointer is pinned locally, so GC keeps the mirrored tree.
    expect(Buffer.from((await side.stores.pointers.get(pkiKey.hash))!)).toEqual(Buffer.from((await env.pointers.getPointer(pkiKey.hash, pkiKey.hash))!))
    expect((await readFile(join(side.dir, MIRROR_STATE_FILE))).length).toBeGreaterThan(0)
    expect(await mirror.refresh()).toBe(false)
  })

  it('pulls only the changed paths: a new user and a key change', async () => {
    const c = env.c
    side = await mirrorSide()
    const source = sourceOf(env, pkiKey.hash)
    const mirror = await side.open(source)
    await mirror.refresh()
    const fullPull = source.blockGets
    const fresh = await addUser('n')
    const first = users.get(names()[0])!
    const next = keyPair(c)
    const changed = createKeyChangeChain(c, first.identity.signer, next.signer, first.username, plusMonths(localDateOf(new Date()), 3), [SERVER_ID])
    await updateChain(c, env.core, first.username, changed)
    source.blockGets = 0
    expect(await mirror.refresh()).toBe(true)
    expect(source.blockGets).toBeLessThan(fullPull / 2)
    expect(chainBytes(mirror.chain(fresh.username))).toBe(chainBytes(fresh.chain))
    expect(chainBytes(mirror.chain(first.username))).toBe(chainBytes(changed))
    expect(mirror.usernameOf(next.hash)).toBe(first.username)
    expect(mirror.usernameOf(first.identity.hash)).toBe(first.username)
  })

  it('serves its saved state after a restart with the PKI node down, and pulls on a miss once it is back', async () => {
    side = await mirrorSide()
    const source = sourceOf(env, pkiKey.hash)
    await (await side.open(source)).refresh()
    source.down = true
    const reopened = await side.open(source)
    await expect(reopened.refresh()).rejects.toThrow('unreachable')
    for (const n of names()) expect(chainBytes(reopened.chain(n))).toBe(chainBytes(await env.core.getChain(n)))
    source.down = false
    const late = await addUser('late')
    expect(reopened.chain(late.username)).toBeUndefined()
    await reopened.refreshOnMiss()
    expect(chainBytes(reopened.chain(late.username))).toBe(chainBytes(late.chain))
  })

  it('refuses a pointer that goes back', async () => {
    side = await mirrorSide()
    const source = sourceOf(env, pkiKey.hash)
    const mirror = await side.open(source)
    await mirror.refresh()
    const older = (await env.pointers.getPointer(pkiKey.hash, pkiKey.hash))!
    const newest = await addUser('s')
    await mirror.refresh()
    source.pointerOverride = older
    await expect(mirror.refresh()).rejects.toThrow(PkiChangeRefusedError)
    await expect(mirror.refresh()).rejects.toThrow(/went back from sequence/)
    expect(chainBytes(mirror.chain(newest.username))).toBe(chainBytes(newest.chain))
    source.pointerOverride = undefined
  })

  it('follows a PKI node it is re-pointed to whose tree keeps every chain (a promoted mirror)', async () => {
    side = await mirrorSide()
    await (await side.open(sourceOf(env, pkiKey.hash))).refresh()
    // The same tree continued under a new PKI key, as `pki promote` does.
    const promotedKey = keyPair(env.c)
    const promoted = await env.open({ pki: { owner: promotedKey.hash, writer: promotedKey.hash, signer: promotedKey.signer }, initialTree: env.core.treeRoot })
    const moved = await side.open(sourceOf(env, promotedKey.hash), NEW_PKI_NODE)
    expect(await moved.refresh()).toBe(true)
    expect(moved.identity?.equals(promotedKey.hash)).toBe(true)
    for (const n of names()) expect(chainBytes(moved.chain(n))).toBe(chainBytes(await promoted.getChain(n)))
    // The old PKI's pin is dropped for the new one.
    expect(await side.stores.pointers.get(pkiKey.hash)).toBeUndefined()
    expect(await side.stores.pointers.get(promotedKey.hash)).toBeDefined()
  })

  // Last: it leaves the PKI tree broken.
  it('refuses a rewritten chain and a dropped user, keeping its state and state file', async () => {
    const c = env.c
    side = await mirrorSide()
    const source = sourceOf(env, pkiKey.hash)
    const mirror = await side.open(source)
    await mirror.refresh()
    const before = await readFile(join(side.dir, MIRROR_STATE_FILE))
    const [, victim, gone] = names()
    const held = chainBytes(mirror.chain(victim))

    // A chain replaced by another key's claim: a takeover the PKI must never do.
    const thief = keyPair(c)
    await forceChain(env, victim, createInitialChain(c, thief.signer, victim, plusMonths(localDateOf(new Date()), 6), [SERVER_ID]))
    await expect(mirror.refresh()).rejects.toThrow(PkiChangeRefusedError)
    await expect(mirror.refresh()).rejects.toThrow(/append-only rule: User already exists/)
    expect(chainBytes(mirror.chain(victim))).toBe(held)
    expect(mirror.usernameOf(thief.hash)).toBeUndefined()

    // A user removed from the tree.
    await forceChain(env, victim, users.get(victim)!.chain)
    await dropUser(env, pkiKey, gone)
    await expect(mirror.refresh()).rejects.toThrow(PkiChangeRefusedError)
    await expect(mirror.refresh()).rejects.toThrow(`The PKI dropped the user ${gone}`)
    expect(chainBytes(mirror.chain(gone))).toBe(chainBytes(users.get(gone)!.chain))
    expect(await readFile(join(side.dir, MIRROR_STATE_FILE))).toEqual(before)

    // A fresh mirror that never saw the dropped user takes the tree as it is.
    const other = await mirrorSide()
    try {
      const m = await other.open(sourceOf(env, pkiKey.hash))
      await m.refresh()
      expect(m.chain(gone)).toBeUndefined()
      expect(chainBytes(m.chain(victim))).toBe(held)
    } finally {
      await other.close()
    }
  })
})
