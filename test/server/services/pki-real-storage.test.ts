// The PKI, account, social and BAT services wired to the server's real storage services
// (LocalContentAddressedStorage + LocalMutablePointers over a FileBlockStore and SQLite): the PKI user
// "peergos" owns the PKI key through a `named` OwnerProof, the storage files a user's blocks under the
// username LocalCoreNode.usernameForWrites gives it (also during the user's own signup).
import { rm, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { blockCid, type CID } from '../../../src/codec/cid.ts'
import { buildOwnerProof } from '../../../src/model/owner-proof.ts'
import type { OpLog } from '../../../src/model/op-log.ts'
import { encodeWriterData } from '../../../src/model/writer-data.ts'
import { FileBlockStore } from '../../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../../src/server/db/index.ts'
import { LocalAccount } from '../../../src/server/services/local-account.ts'
import { createLocalStorageServices, type LocalStorageServices } from '../../../src/server/services/local-storage-services.ts'
import { fixedDifficulty } from '../../../src/server/services/pki/difficulty.ts'
import { LocalCoreNode } from '../../../src/server/services/pki/local-core-node.ts'
import type { PkiIdentity } from '../../../src/server/services/pki/pki-store.ts'
import { firstPointer, keyPair, newUser, signUp, signedBlock, signedTime, signupOpLog, type TestUser } from '../../conformance/pki-users.ts'
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
    services = createLocalStorageServices({ crypto: c, blocks, stores, serverIds: () => [serverId], usernameOf: async (o) => usernameOf(o) })
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

  /** A signup whose OpLog writes only as the identity (what the real storage accepts before any ownership is committed). */
  const identityOnly = (u: TestUser, log: OpLog): OpLog => ({
    ...log,
    operations: log.operations.filter((op) => op.write.writer.equals(u.identity.hash)),
  })

  it('signs up, files the blocks under the username, serves the login, and reloads from the PKI pointer', async () => {
    const c = await crypto()
    const alice = newUser(c, 'alice', serverId)
    await signUp(c, core, alice, identityOnly(alice, signupOpLog(c, alice)))
    const account = new LocalAccount({ crypto: c, logins: stores.logins, core, storage: services.storage, pointers: services.pointers })
    expect(await account.getLoginData('alice', alice.login.publicKey, signedTime(c, alice.login))).toBeDefined()
    const identityWd = blockCid(c, encodeWriterData({ controller: alice.identity.hash }), false)
    const dirs: string[] = []
    for await (const e of blocks.entries()) if (e.cid.equals(identityWd)) dirs.push(e.ownerDir)
    expect(dirs).toEqual(['alice'])
    const again = await LocalCoreNode.open({
      crypto: c, storage: services.storage, pointers: services.pointers, logins: stores.logins, bats: stores.bats,
      pki, difficulty: fixedDifficulty(0),
    })
    expect(await again.getUsername(alice.identity.hash)).toBe('alice')
  })

  it('refuses a multi-writer OpLog whose second writer is not yet owned, leaving nothing behind', async () => {
    // Peergos applies signups through its raw storage; ours checks ownership against committed
    // pointers, so the root writer needs LocalCoreNodeOptions.oplog variants (see the report).
    const c = await crypto()
    const bob = newUser(c, 'bob', serverId)
    await expect(signUp(c, core, bob)).rejects.toThrow(/not allowed/)
    expect(await core.getChain('bob')).toEqual([])
    expect(await services.pointers.getPointer(bob.identity.hash, bob.identity.hash)).toBeUndefined()
    expect(await stores.logins.get('bob')).toBeUndefined()
  })
})
