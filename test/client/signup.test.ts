// buildSignup (reference §3.4, §5.3): the OpLog a Peergos client sends, checked block by block (each
// writer's blocks then its first pointer, the identity first; every signature), its WriterData and
// CHAMPs (the root writer's OwnerProof in the identity's owned keys, the home directory in the root
// writer's tree), login data and mirror BAT; and its shape against the account the real Peergos wrote.
import { beforeAll, describe, expect, it } from 'vitest'
import { Champ, MemoryBlockStore } from '../../src/champ/index.ts'
import { buildSignup, deriveLoginSecrets, randomSignupKeys, type BuiltSignup, type SignupKeys } from '../../src/client/signup.ts'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { inlineBatId, sha256BatId } from '../../src/model/bat-id.ts'
import { publicBoxingKeyHash } from '../../src/model/boxing-key-pair.ts'
import { decodeCryptreeNode } from '../../src/model/cryptree-node.ts'
import { encodeLoginData } from '../../src/model/login-data.ts'
import { decodeOwnerProof, ownedKeyChampKey, verifyOwnerProof } from '../../src/model/owner-proof.ts'
import { openSignedPointerUpdate } from '../../src/model/pointer-update.ts'
import { defaultLoginAlgorithm, scryptGenerator } from '../../src/model/secret-generation-algorithm.ts'
import { publicKeyFromHash, randomSigningKeyPair } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { validChain } from '../../src/model/user-public-key-link.ts'
import { decryptEntryPoints } from '../../src/model/user-static-data.ts'
import { decodeWriterData } from '../../src/model/writer-data.ts'
import { identityWriterData, logIn, readBlock } from '../model/account.ts'
import { describeVectors, loadVector } from '../vectors.ts'

const SERVER = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')

describe('buildSignup', () => {
  let c: CryptoProvider
  let keys: SignupKeys
  let s: BuiltSignup
  let blocks: MemoryBlockStore
  beforeAll(async () => {
    c = await createNodeCrypto()
    keys = randomSignupKeys(c, { login: randomSigningKeyPair(c), loginRoot: randomSymmetricKey(c) }, defaultLoginAlgorithm(c))
    s = await buildSignup(c, { username: 'alice', homeServer: SERVER, keys })
    // Only what the OpLog carries: every CHAMP read below must find its nodes there.
    blocks = new MemoryBlockStore(c)
    for (const op of s.opLog.operations) if (op.kind === 'block') await blocks.put(op.write.block, op.write.isRaw)
  })
  const wd = async (cid = s.identityWriterData) => decodeWriterData((await blocks.get(cid))!)

  it("sends each writer's signed blocks then its first pointer, the identity first", () => {
    const writers = s.opLog.operations.map((op) => `${op.kind}:${cidToString(op.write.writer)}`)
    const id = cidToString(s.identity.publicKeyHash)
    const rw = cidToString(s.rootWriter.publicKeyHash)
    const firstRoot = writers.findIndex((w) => w.endsWith(rw))
    expect(writers.slice(0, firstRoot).every((w) => w.endsWith(id))).toBe(true)
    expect(writers[firstRoot - 1]).toBe(`pointer:${id}`)
    expect(writers.slice(firstRoot).every((w) => w.endsWith(rw))).toBe(true)
    expect(writers.at(-1)).toBe(`pointer:${rw}`)
    for (const op of s.opLog.operations) {
      const key = publicKeyFromHash(op.write.writer)!
      if (op.kind === 'block') expect(c.openAttached(op.write.signature, key)).toEqual(c.sha256(op.write.block))
      else {
        const update = openSignedPointerUpdate(c, key, op.write.signedUpdate)
        expect([update.original, update.sequence]).toEqual([null, 1])
        expect(cidToString(update.updated!)).toBe(cidToString(op.write.writer.equals(s.identity.publicKeyHash) ? s.identityWriterData : s.rootWriterData))
      }
    }
  })

  it("holds the root writer's OwnerProof in the identity's owned keys, and the login algorithm and boxer", async () => {
    const identity = await wd()
    expect(Object.keys(identity).sort()).toEqual(['algorithm', 'controller', 'followRequestReceiver', 'ownedKeys'])
    expect(identity.algorithm).toEqual(keys.algorithm)
    expect(cidToString(identity.followRequestReceiver!)).toBe(cidToString(publicBoxingKeyHash(c, keys.boxer.publicKey)))
    expect(await blocks.get(identity.followRequestReceiver!)).toBeDefined() // a hybrid key is a block of the OpLog
    const champ = new Champ({ store: blocks, crypto: c })
    const proofCid = await champ.get(identity.ownedKeys!, ownedKeyChampKey(s.rootWriter.publicKeyHash))
    const proof = decodeOwnerProof((await blocks.get(proofCid!))!)
    expect(cidToString(verifyOwnerProof(c, proof))).toBe(cidToString(s.identity.publicKeyHash))
    expect(await champ.size(identity.ownedKeys!)).toBe(1)
  })

  it("holds the home directory in the root writer's tree, with its own and the mirror BAT", async () => {
    const root = await wd(s.rootWriterData)
    expect(Object.keys(root).sort()).toEqual(['controller', 'ownedKeys', 'tree'])
    const champ = new Champ({ store: blocks, crypto: c })
    expect(await champ.size(root.ownedKeys!)).toBe(0)
    const home = s.home.pointer
    const node = decodeCryptreeNode((await blocks.get((await champ.get(root.tree!, home.mapKey))!))!)
    expect(node.bats.map(cidToString)).toEqual([inlineBatId(home.bat!), sha256BatId(c, keys.mirrorBat)].map(cidToString))
    expect(cidToString(home.owner)).toBe(cidToString(s.identity.publicKeyHash))
    expect(cidToString(home.writer)).toBe(cidToString(s.rootWriter.publicKeyHash))
  })

  it('carries login data for the login key, signed by the identity, the mirror BAT and a valid claim', async () => {
    const login = s.opLog.login!
    expect(login.data.authorisedReader).toEqual(keys.login.publicKey)
    expect(c.verifyDetached(login.auth, encodeLoginData(login.data), keys.identity.publicKey)).toBe(true)
    const entries = decryptEntryPoints(c, keys.loginRoot, login.data.entryPoints)
    expect(entries.entries.map((e) => e.ownerName)).toEqual(['alice'])
    expect(entries.identity?.secretKey).toEqual(keys.identity.secretKey)
    expect(cidToString(s.opLog.mirrorBat!.bat.id)).toBe(cidToString(sha256BatId(c, keys.mirrorBat)))
    expect(await validChain(c, [s.chain], 'alice')).toBe(true)
    expect(cidToString(s.chain.claim.storageProviders[0])).toBe(cidToString(SERVER))
  })

  it('refuses a password equal to the username', async () => {
    await expect(deriveLoginSecrets(c, 'alice', 'alice', scryptGenerator(17, 8, 1, 64, ''))).rejects.toThrow('Your password cannot be the same as your username!')
  })
})

describeVectors('buildSignup against the account the real Peergos wrote', () => {
  it("gives bob's identity and home writer WriterData the same fields, and keys owned keys the same way", async () => {
    const c = await createNodeCrypto()
    const manifest = loadVector('account-alice/manifest.json')
    const identity = identityWriterData(c, manifest.users.bob.identity)
    expect(Object.keys(identity).sort()).toEqual(['algorithm', 'controller', 'followRequestReceiver', 'ownedKeys'])
    const store = { get: async (cid: Parameters<typeof readBlock>[0]) => readBlock(cid), put: () => Promise.reject(new Error('read-only')) }
    const champ = new Champ({ store, crypto: c })
    let owned = 0
    for await (const e of champ.entries(identity.ownedKeys!)) {
      expect(e.key).toEqual(ownedKeyChampKey(decodeOwnerProof(readBlock(e.value)).ownedKey))
      owned++
    }
    expect(owned).toBeGreaterThan(0)
    const bob = await logIn(c, 'bob')
    const home = bob.entryPoints.entries[0].pointer
    const pointer = loadVector('account-alice/pointers.json').pointers.find((p: { writer: string }) => p.writer === cidToString(home.writer))
    const rootWd = decodeWriterData(readBlock(parseCid(pointer.decoded.updated)))
    expect(Object.keys(rootWd).sort()).toEqual(['controller', 'ownedKeys', 'tree'])
  }, 60_000)
})
