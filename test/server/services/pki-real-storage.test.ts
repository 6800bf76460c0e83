// The PKI wired to the server's real storage services with LocalCoreNode's default OpLog writer: the
// PKI user "peergos" owns the PKI key through a `named` OwnerProof; a Peergos-shaped signup (identity
// owning the root writer in the same OpLog) is accepted; an OpLog that does not prove the root
// writer's ownership (no proof, a proof for another identity, a proof not signed by the writer), or
// breaks a size or quota limit, is refused, leaves nothing behind, and grants nothing later.
import { rm, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Champ, MemoryBlockStore } from '../../../src/champ/index.ts'
import { blockCid, type CID } from '../../../src/codec/cid.ts'
import { buildOwnerProof, encodeOwnerProof, ownedKeyChampKey, type OwnerProof } from '../../../src/model/owner-proof.ts'
import type { OpLog, OpLogOperation } from '../../../src/model/op-log.ts'
import { decodeWriterData, encodeWriterData } from '../../../src/model/writer-data.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import { LocalAccount } from '../../../src/server/services/local-account.ts'
import { createLocalStorageServices, type LocalStorageServices } from '../../../src/server/services/local-storage-services.ts'
import { fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode } from '../../../src/server/services/pki/local-core-node.ts'
import type { PkiIdentity } from '../../../src/server/services/pki/pki-store.ts'
import type { PublicKeyHash } from '../../../src/model/signing-keys.ts'
import { buildTestSignup, firstPointer, keyPair, newUser, signUp, signedBlock, signedTime, signupOpLog, type TestUser } from '../../conformance/pki-users.ts'
import { crypto } from './pki-env.ts'
import { fakePeerId } from './local-bundle.ts'

describe('PKI on the real local storage services', () => {
  let root: string
  let blocks: FileBlockStore
  let stores: Stores
  let services: LocalStorageServices
  let core: LocalCoreNode
  let serverId: CID
  let pki: PkiIdentity
  /** The storage's quota check (all writes allowed unless a test says otherwise). */
  let quota: (owner: PublicKeyHash, bytes: number, writer: PublicKeyHash) => boolean

  beforeEach(async () => {
    const c = await crypto()
    // pki-init: the "peergos" identity names the PKI key as an owned key, so the PKI key may write for it.
    const peergos = keyPair(c)
    const pkiKey = keyPair(c)
    pki = { owner: peergos.hash, writer: pkiKey.hash, signer: pkiKey.signer }
    root = await mkdtemp(join(tmpdir(), 'pts-pki-'))
    blocks = await FileBlockStore.open({ root, crypto: c })
    stores = await openStores({ kind: 'sqlite', dir: root })
    serverId = fakePeerId(c)
    // The storage asks the PKI where a user's blocks go; until the PKI is open only "peergos" is known.
    let usernameOf = (o: CID): string | undefined => (o.equals(peergos.hash) ? 'peergos' : undefined)
    quota = () => true
    services = createLocalStorageServices({
      crypto: c, blocks, stores, serverIds: () => [serverId], usernameOf: async (o) => usernameOf(o), checkQuota: (o, n, w) => quota(o, n, w),
    })
    const wd = encodeWriterData({ controller: peergos.hash, namedOwnedKeys: new Map([['pki', buildOwnerProof(c, pkiKey.signer, peergos.hash)]]) })
    const tid = await services.storage.startTransaction(peergos.hash)
    await services.storage.put(peergos.hash, peergos.hash, [signedBlock(c, peergos, wd).signature], [wd], tid, false)
    await services.pointers.setPointer(peergos.hash, peergos.hash, firstPointer(c, peergos, blockCid(c, wd, false)).signedUpdate)
    await services.storage.closeTransaction(peergos.hash, tid)
    core = await LocalCoreNode.open({
      crypto: c, storage: services.storage, pointers: services.pointers, logins: stores.logins, bats: stores.bats,
      pki, serverIds: [serverId], difficulty: fixedDifficulty(0),
    })
    usernameOf = (o) => core.usernameForWrites(o)
  })
  afterEach(async () => {
    await blocks.close()
    await stores.close()
    await rm(root, { recursive: true, force: true })
  })

  it('signs up a Peergos-shaped OpLog, files both writers\' blocks under the username, serves the login, and reloads', async () => {
    const c = await crypto()
    const alice = newUser(c, 'alice', serverId)
    const built = await buildTestSignup(c, alice)
    await signUp(c, core, alice, built.opLog)
    const account = new LocalAccount({ crypto: c, logins: stores.logins, core, storage: services.storage, pointers: services.pointers })
    expect(await account.getLoginData('alice', alice.login.publicKey, signedTime(c, alice.login))).toBeDefined()
    expect(await services.pointers.getPointer(alice.identity.hash, alice.rootWriter.hash)).toBeDefined()
    expect(await services.context.ownership.isAllowed(alice.identity.hash, alice.rootWriter.hash)).toBe(true)
    const dirs = new Map<string, string[]>()
    for await (const e of blocks.entries()) dirs.set(e.cid.toString(), [...(dirs.get(e.cid.toString()) ?? []), e.ownerDir])
    expect(dirs.get(built.identityWriterData.toString())).toEqual(['alice'])
    expect(dirs.get(built.rootWriterData.toString())).toEqual(['alice'])
    const again = await LocalCoreNode.open({
      crypto: c, storage: services.storage, pointers: services.pointers, logins: stores.logins, bats: stores.bats,
      pki, difficulty: fixedDifficulty(0),
    })
    expect(await again.getUsername(alice.identity.hash)).toBe('alice')
  })

  /** The OpLog with the identity's WriterData owning, instead of the root writer, what `proof` proves (nothing without one). */
  async function withOwnedProof(u: TestUser, log: OpLog, proof?: OwnerProof): Promise<OpLog> {
    const c = await crypto()
    const champ = new Champ({ store: new MemoryBlockStore(c), crypto: c })
    const extra: Uint8Array[] = []
    let owned: CID | undefined
    if (proof !== undefined) {
      extra.push(encodeOwnerProof(proof))
      owned = await champ.put(await champ.createEmpty(), ownedKeyChampKey(proof.ownedKey), undefined, blockCid(c, extra[0], false))
      for await (const b of champ.blocks(owned)) extra.push(b.bytes)
    }
    const isIdentity = (op: OpLogOperation): boolean => op.write.writer.equals(u.identity.hash)
    const oldWd = log.operations.filter((op) => op.kind === 'block' && isIdentity(op)).map((op) => (op.kind === 'block' ? op.write.block : new Uint8Array()))
      .find((b) => { try { return decodeWriterData(b).controller.equals(u.identity.hash) } catch { return false } })!
    const { ownedKeys: _, ...rest } = decodeWriterData(oldWd)
    const wd = encodeWriterData(owned === undefined ? rest : { ...rest, ownedKeys: owned })
    const identityOps: OpLogOperation[] = [...extra, wd].map((b) => ({ kind: 'block', write: signedBlock(c, u.identity, b) }))
    identityOps.push({ kind: 'pointer', write: firstPointer(c, u.identity, blockCid(c, wd, false)) })
    return { ...log, operations: [...identityOps, ...log.operations.filter((op) => !isIdentity(op))] }
  }

  it('refuses an OpLog that does not prove the root writer belongs to the identity, leaving nothing behind', async () => {
    const c = await crypto()
    const bob = newUser(c, 'bob', serverId)
    const mallory = keyPair(c)
    const variants: Array<[string, OwnerProof | undefined]> = [
      ['no owned keys', undefined],
      ['a proof naming another identity', buildOwnerProof(c, bob.rootWriter.signer, mallory.hash)],
      ['a proof signed by the identity, not the writer', { ownedKey: bob.rootWriter.hash, signedOwner: buildOwnerProof(c, bob.identity.signer, bob.identity.hash).signedOwner }],
    ]
    for (const [what, proof] of variants) {
      const log = await withOwnedProof(bob, await signupOpLog(c, bob), proof)
      await expect(signUp(c, core, bob, log), what).rejects.toThrow(/Key not allowed to write/)
      expect(await core.getChain('bob'), what).toEqual([])
      expect(await services.pointers.getPointer(bob.identity.hash, bob.identity.hash), what).toBeUndefined()
      expect(await services.pointers.getPointer(bob.identity.hash, bob.rootWriter.hash), what).toBeUndefined()
      expect(await stores.logins.get('bob'), what).toBeUndefined()
      expect(await stores.bats.getOwner(bob.batId), what).toBeUndefined()
      expect((await stores.transactions.allOpenBlocks()).length, what).toBe(0)
    }
    // What a refused OpLog proposed is not remembered: the root writer owns nothing for bob afterwards.
    expect(await services.context.ownership.isAllowed(bob.identity.hash, bob.rootWriter.hash)).toBe(false)
    // The honest OpLog then signs up.
    await signUp(c, core, bob)
    expect(await core.getUsername(bob.identity.hash)).toBe('bob')
  })

  it("checks sizes and quota on the OpLog's writes as on any other", async () => {
    const c = await crypto()
    const carol = newUser(c, 'carol', serverId)
    quota = (_o, _n, w) => !w.equals(carol.rootWriter.hash)
    await expect(signUp(c, core, carol)).rejects.toThrow(/Storage quota reached/)
    expect(await core.getChain('carol')).toEqual([])
    expect(await services.pointers.getPointer(carol.identity.hash, carol.identity.hash)).toBeUndefined()
    expect(await stores.logins.get('carol')).toBeUndefined()
    quota = () => true
    const log = await signupOpLog(c, carol)
    const huge = log.operations.map((op) => (op.kind === 'block' && op.write.writer.equals(carol.rootWriter.hash)
      ? { kind: 'block' as const, write: signedBlock(c, carol.rootWriter, new Uint8Array(MAX_BLOCK_SIZE + 1)) }
      : op))
    await expect(signUp(c, core, carol, { ...log, operations: huge })).rejects.toThrow(/larger than|too big/i)
    expect(await core.getChain('carol')).toEqual([])
    await signUp(c, core, carol)
    expect(await core.getUsername(carol.identity.hash)).toBe('carol')
  })
})
