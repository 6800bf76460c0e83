// The PKI, account and BAT services on the real Peergos data (account-alice dump): the four claim
// chains register and answer lookups; the dump's own PKI tree loads from its pointer and continues
// under a new PKI key; alice logs in with her real login row; her real mirror BAT is listed.
import { readFileSync } from 'node:fs'
import { afterEach, expect, it } from 'vitest'
import { decodeCbor } from '../../../src/codec/cbor.ts'
import { blockCid, cidToString, parseCid } from '../../../src/codec/cid.ts'
import { Champ, MemoryBlockStore } from '../../../src/champ/index.ts'
import { batFromCbor } from '../../../src/model/bat.ts'
import { batIdFromCbor } from '../../../src/model/bat-id.ts'
import { publicKeyHash } from '../../../src/model/signing-keys.ts'
import { decodeChain, encodeChain } from '../../../src/model/user-public-key-link.ts'
import { LocalAccount } from '../../../src/server/services/local-account.ts'
import { LocalBatCave, checkMirrorBat } from '../../../src/server/services/local-bat-cave.ts'
import { PKI_USERNAME } from '../../../src/server/services/pki/local-core-node.ts'
import { PkiStateError } from '../../../src/server/services/pki/pki-store.ts'
import { signRequest, signTime } from '../../../src/server/services/signed-time.ts'
import { userStaticDataToCbor } from '../../../src/model/user-static-data.ts'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { emptyProofOfWork } from '../../../src/model/proof-of-work.ts'
import { keyPair, newUser, updateChain } from '../../conformance/pki-users.ts'
import { logIn } from '../../model/account.ts'
import { describeVectors, hex, loadVector, vectorPath } from '../../vectors.ts'
import { pkiEnv, SERVER_ID, type PkiEnv } from './pki-env.ts'

describeVectors('PKI, login and BATs on the real Peergos account dump', () => {
  let env: PkiEnv
  afterEach(async () => {
    await env?.close()
  })
  const vectorChains = (): Array<[string, { chainCbor: string; publicKeyHash: string; links: Array<{ storageProviders: string[] }> }]> =>
    Object.entries(loadVector('account-alice/pki-chains.json').chains)

  it('registers all four real claim chains and answers every lookup byte for byte', async () => {
    env = await pkiEnv()
    for (const [name, v] of vectorChains()) await updateChain(env.c, env.core, name, decodeChain(hex(v.chainCbor)))
    for (const [name, v] of vectorChains()) {
      expect(Buffer.from(encodeChain(await env.core.getChain(name))).toString('hex')).toBe(v.chainCbor)
      expect(cidToString((await env.core.getPublicKeyHash(name))!)).toBe(v.publicKeyHash)
      expect(cidToString((await env.core.getHomeServer(name))!)).toBe(v.links[0].storageProviders[0])
      expect(await env.core.getUsername(parseCid(v.publicKeyHash))).toBe(name)
      // A second registration of the name by another key is refused.
      await expect(env.core.updateChain(name, newUser(env.c, name, SERVER_ID).chain, emptyProofOfWork(), '')).rejects.toThrow('User already exists: Invalid key change attempt!')
    }
  })

  it("loads the dump's PKI from its pointer (read-only), then continues it under a new PKI key", async () => {
    const manifest = loadVector('account-alice/manifest.json')
    const owner = parseCid(manifest.server['pkiIdentity(peergos.identity.hash)'])
    const pointers = loadVector('account-alice/pointers.json').pointers as Array<{ writer: string; signedPointerHex: string }>
    const writer = 'z59vuwzfFDosV6nQ3TKnq9WUpZp7Zuc7R68SuMwaNaDYzJpnMt1YKYR' // the writer whose tree is the Blake2b CHAMP of usernames
    env = await pkiEnv({ pki: { owner, writer: parseCid(writer) } }, async (blocks, stores) => {
      for (const b of loadVector('account-alice/blocks.json').blocks as Array<{ cid: string }>) {
        await blocks.put(PKI_USERNAME, parseCid(b.cid), new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${b.cid}.bin`))))
      }
      const row = pointers.find((p) => p.writer === writer)!
      expect(await stores.pointers.compareAndSet(parseCid(writer), undefined, hex(row.signedPointerHex))).toBe(true)
    })
    expect(env.core.skipped).toEqual([])
    expect((await env.core.getUsernames('')).sort()).toEqual(['alice', 'bob', 'carol', 'peergos'])
    for (const [name, v] of vectorChains()) expect(Buffer.from(encodeChain(await env.core.getChain(name))).toString('hex')).toBe(v.chainCbor)
    await expect(updateChain(env.c, env.core, 'dave', newUser(env.c, 'dave', SERVER_ID).chain)).rejects.toThrow(PkiStateError)

    // The new PKI key is its own identity (as in our daemon): the storage only lets owned keys write.
    const next = keyPair(env.c)
    const adopted = await env.open({ pki: { owner: next.hash, writer: next.hash, signer: next.signer }, initialTree: env.core.treeRoot })
    const dave = newUser(env.c, 'dave', SERVER_ID)
    await updateChain(env.c, adopted, 'dave', dave.chain)
    expect((await adopted.getUsernames('')).sort()).toEqual(['alice', 'bob', 'carol', 'dave', 'peergos'])
    // The CHAMP stays canonical: a fresh build of the same five mappings has the same root.
    const fresh = new Champ({ store: new MemoryBlockStore(env.c), crypto: env.c, keyHash: 'blake2b' })
    let root = await fresh.createEmpty()
    for (const name of ['peergos', 'alice', 'bob', 'carol', 'dave']) {
      const cid = blockCid(env.c, encodeChain(await adopted.getChain(name)), false)
      root = await fresh.put(root, new TextEncoder().encode(name), undefined, cid)
    }
    expect(cidToString(adopted.treeRoot!)).toBe(cidToString(root))
  })

  it('serves alice her real login row to her real login key (scrypt), and nobody else', async () => {
    env = await pkiEnv()
    const alice = await logIn(env.c, 'alice')
    const row = loadVector('account-alice/login-rows.json').rows.find((r: { username: string }) => r.username === 'alice')
    await env.stores.logins.set({ username: 'alice', entry: hex(row.entryHex), reader: hex(row.readerHex) })
    const account = new LocalAccount({ crypto: env.c, logins: env.stores.logins, core: env.core, storage: env.storage, pointers: env.pointers })
    const got = await account.getLoginData('alice', alice.loginKeys.publicKey, signTime(env.c, alice.loginKeys.secretKey))
    expect(Buffer.from(encodeCbor(userStaticDataToCbor(got))).toString('hex')).toBe(row.entryHex)
    const other = env.c.signKeyPairFromSeed(new Uint8Array(32))
    await expect(account.getLoginData('alice', other.publicKey, signTime(env.c, other.secretKey))).rejects.toThrow('Incorrect username or password')
    // The identity in her decrypted entry points is the one the PKI names.
    expect(cidToString(publicKeyHash(alice.entryPoints.identity!.publicKey))).toBe(cidToString(alice.identity))
  })

  it("stores and lists every user's real mirror BAT (their ids are sha256 of the secret)", async () => {
    env = await pkiEnv()
    const alice = await logIn(env.c, 'alice')
    for (const [name, v] of vectorChains()) await updateChain(env.c, env.core, name, decodeChain(hex(v.chainCbor)))
    const rows = loadVector('account-alice/bats-and-linkcounts.json').bats as Array<{ username: string; idHex: string; batHex: string }>
    for (const r of rows) {
      const id = batIdFromCbor(decodeCbor(hex(r.idHex)))
      const bat = batFromCbor(decodeCbor(hex(r.batHex)))
      checkMirrorBat(env.c, id, bat)
      await env.stores.bats.add(r.username, id, bat)
    }
    const cave = new LocalBatCave({ crypto: env.c, bats: env.stores.bats, core: env.core })
    const bats = await cave.getUserBats('alice', signRequest(env.c, alice.entryPoints.identity!.secretKey, 'peergos/v0/bats/getUserBats'))
    const mine = rows.find((r) => r.username === 'alice')!
    expect(bats.map((b) => b.id.toString())).toEqual([batIdFromCbor(decodeCbor(hex(mine.idHex))).toString()])
  })
})
