// Round trips over 127.0.0.1 (reference §7.3): one service contract runs against the local implementation
// and against HTTP client → node server → router → that implementation (named errors, replies and
// arguments survive the wire unchanged), and the real Peergos account dump is served and read back.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { blockCid, cidToString, parseCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { CasFailedError, IncorrectPasswordError } from '../../src/model/errors.ts'
import { emptyProofOfWork } from '../../src/model/proof-of-work.ts'
import { createApiHandler, FetchPoster, HttpContentAddressedStorage, HttpMutablePointers } from '../../src/http/index.ts'
import { MfaRequiredError, QuotaExceededError } from '../../src/services/errors.ts'
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/node-server.ts'
import { VerifiedStorage } from '../../src/client/verified-storage.ts'
import { loadDump } from '../proof/dump-services.ts'
import { describeVectors, hex, loadVector } from '../vectors.ts'
import { serveOverHttp } from './harness.ts'
import { fakeServices, loadFixtures, type AllServices, type FakeState, type Fixtures } from './fakes.ts'

interface Subject { services: AllServices; state: FakeState }

const servers: RunningHttpServer[] = []
afterAll(async () => { await Promise.all(servers.map((s) => s.close(100))) })

async function overHttp(local: AllServices): Promise<AllServices> {
  const served = await serveOverHttp(local)
  servers.push(served.server)
  return served.clients
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

function contract(name: string, make: (c: CryptoProvider, f: Fixtures) => Promise<Subject>): void {
  describeVectors(`service contract: ${name}`, () => {
    let c: CryptoProvider
    let f: Fixtures
    let s: AllServices
    let state: FakeState
    beforeAll(async () => {
      c = await createNodeCrypto()
      f = loadFixtures()
      ;({ services: s, state } = await make(c, f))
    })
    const lastCall = (n: string): unknown[] => state.calls.filter(([k]) => k === n).at(-1)![1]

    it('storage: ids, transactions, puts, gets, sizes, CHAMP lookups, secret links', async () => {
      expect((await s.storage.id()).equals(f.serverId)).toBe(true)
      expect((await s.storage.ids()).map(cidToString)).toEqual([cidToString(f.serverId), cidToString(f.alice)])
      const tid = await s.storage.startTransaction(f.alice)
      const blocks = [encodeCbor(new Map([['x', 1]])), encodeCbor('hello')]
      const sigs = blocks.map((_, i) => new Uint8Array(96).fill(i + 1))
      const cids = await s.storage.put(f.alice, f.alice, sigs, blocks, tid, false)
      expect(cids.map(cidToString)).toEqual(blocks.map((b) => cidToString(blockCid(c, b, false))))
      expect(lastCall('put')).toEqual([f.alice, f.alice, sigs, blocks, tid, false])
      const raw = await s.storage.put(f.alice, f.alice, [sigs[0]], [new Uint8Array([1, 2, 3])], tid, true)
      expect(raw[0].code).toBe(0x55)
      await s.storage.closeTransaction(f.alice, tid)
      expect(lastCall('closeTransaction')).toEqual([f.alice, tid])
      const bat = f.bats.get('alice')![0]
      expect(await s.storage.get(f.alice, cids[1], bat)).toEqual(blocks[1])
      expect(lastCall('get')[2]).toEqual(bat)
      const absent = blockCid(c, new Uint8Array([9, 9]), true)
      expect(await s.storage.get(f.alice, absent)).toBeUndefined()
      expect(await s.storage.getSize(f.alice, cids[0])).toBe(blocks[0].length)
      expect(await s.storage.getSize(f.alice, absent)).toBeUndefined()
      const caps = [{ mapKey: new Uint8Array(32).fill(1), bat }, { mapKey: new Uint8Array(32).fill(2) }]
      expect(await s.storage.getChampLookup(f.alice, cids[0], caps)).toEqual([blocks[0], caps[0].mapKey, caps[1].mapKey])
      expect(lastCall('getChampLookup')[2]).toEqual(caps)
      const link = await s.storage.getSecretLink(f.alice, 1959756740)
      expect(link.payload.nonce).toEqual(new Uint8Array(24).fill(1959756740 % 256))
    })

    it('storage: a quota refusal is a QuotaExceededError carrying Peergos\' text', async () => {
      state.quota = 10
      try {
        const e = await rejection(s.storage.put(f.alice, f.alice, [new Uint8Array(96)], [new Uint8Array(64)], 'tid-q', true))
        expect(e).toBeInstanceOf(QuotaExceededError)
        expect(e.message).toContain('Storage quota reached')
      } finally {
        state.quota = Number.MAX_SAFE_INTEGER
      }
    })

    it('pointers: set, get, CAS failure as CasFailedError with the PointerCAS text, atomic multi-writer', async () => {
      expect(await s.pointers.getPointer(f.alice, f.alice)).toBeUndefined()
      expect(await s.pointers.setPointer(f.alice, f.alice, new Uint8Array([1, 42]))).toBe(true)
      expect(await s.pointers.getPointer(f.alice, f.alice)).toEqual(new Uint8Array([1, 42]))
      const e = await rejection(s.pointers.setPointer(f.alice, f.alice, new Uint8Array([7])))
      expect(e).toBeInstanceOf(CasFailedError)
      expect(e.message).toBe(`PointerCAS:${cidToString(f.alice)},3,EMPTY`)
      const updates = [{ writer: f.alice, signed: new Uint8Array([2]) }, { writer: f.serverId, signed: new Uint8Array([3]) }]
      expect(await s.pointers.setPointers(f.alice, updates)).toBe(true)
      expect(lastCall('setPointers')).toEqual([f.alice, updates])
    })

    it('core node: chains, signup, updateChain, usernames, keys, home server', async () => {
      const chain = f.chains.get('alice')!
      expect(await s.coreNode.getChain('alice')).toEqual(chain)
      expect(await s.coreNode.getChain('nobody')).toEqual([])
      const ops = { operations: [] }
      expect(await s.coreNode.signup('alice', chain[0], ops, emptyProofOfWork(), '')).toBeUndefined()
      expect(lastCall('signup')).toEqual(['alice', chain[0], ops, emptyProofOfWork(), ''])
      expect(await s.coreNode.signup('alice', chain[0], ops, emptyProofOfWork(), 'more-work')).toEqual({ difficulty: 11 })
      expect(await s.coreNode.updateChain('alice', chain, emptyProofOfWork(), 'tok')).toBeUndefined()
      expect(lastCall('updateChain')).toEqual(['alice', chain, emptyProofOfWork(), 'tok'])
      expect(await s.coreNode.getUsername(f.alice)).toBe('alice')
      expect(await s.coreNode.getUsernames('')).toEqual(['alice', 'bob', 'carol', 'peergos'])
      expect(await s.coreNode.getUsernames('b')).toEqual(['bob'])
      expect((await s.coreNode.getPublicKeyHash('alice'))!.equals(f.alice)).toBe(true)
      expect(await s.coreNode.getPublicKeyHash('nobody')).toBeUndefined()
      expect((await s.coreNode.getHomeServer('alice'))!.equals(f.serverId)).toBe(true)
    })

    it('account: login data, wrong reader, second factor', async () => {
      const auth = new Uint8Array([1, 2, 3])
      expect(await s.account.getLoginData('alice', f.login.authorisedReader, auth)).toEqual(f.login.entryPoints)
      expect(lastCall('getLoginData')).toEqual(['alice', f.login.authorisedReader, auth, undefined])
      expect(await rejection(s.account.getLoginData('alice', new Uint8Array(32), auth))).toBeInstanceOf(IncorrectPasswordError)
      state.mfaRequest = encodeCbor(new Map<string, CborValue>([['c', new Uint8Array(32)], ['m', []]]))
      try {
        const e = await rejection(s.account.getLoginData('alice', f.login.authorisedReader, auth))
        expect(e).toBeInstanceOf(MfaRequiredError)
        expect((e as MfaRequiredError).request).toEqual(state.mfaRequest)
        const mfa = encodeCbor(new Map([['x', 1]]))
        expect(await s.account.getLoginData('alice', f.login.authorisedReader, auth, mfa)).toEqual(f.login.entryPoints)
        expect(lastCall('getLoginData')[3]).toEqual(mfa)
      } finally {
        state.mfaRequest = undefined
      }
      expect(await s.account.setLoginData(f.login, new Uint8Array(64), true)).toBe(true)
      expect(lastCall('setLoginData')).toEqual([f.login, new Uint8Array(64), true])
    })

    it('social, bats and space', async () => {
      expect(await s.social.sendFollowRequest(f.alice, f.followRequest)).toBe(true)
      const pending = await s.social.getFollowRequests(f.alice, new Uint8Array([5]))
      expect(decodeCbor(pending)).toEqual([f.followRequest])
      expect(await s.social.removeFollowRequest(f.alice, new Uint8Array([6, 7]))).toBe(true)
      expect(lastCall('removeFollowRequest')).toEqual([f.alice, new Uint8Array([6, 7])])
      expect(await s.batCave.getUserBats('alice', new Uint8Array([8]))).toEqual(f.bats.get('alice'))
      const b = f.bats.get('bob')![0]
      expect(await s.batCave.addBat('alice', b.id, b.bat, new Uint8Array([9]))).toBe(true)
      expect(lastCall('addBat')).toEqual(['alice', b.id, b.bat, new Uint8Array([9])])
      expect(await s.spaceUsage.getUsage(f.alice, new Uint8Array([1]), true)).toBe(123_456_789_012)
      expect(lastCall('getUsage')).toEqual([f.alice, new Uint8Array([1]), true])
      expect(await s.spaceUsage.getQuota(f.alice, new Uint8Array([1]))).toBe(1 << 30)
    })
  })
}

contract('local implementation', async (c, f) => fakeServices(c, f))
contract('HTTP client → node server → router → implementation', async (c, f) => {
  const fake = fakeServices(c, f)
  return { services: await overHttp(fake.services), state: fake.state }
})

describeVectors('the real Peergos account dump over HTTP', () => {
  let c: CryptoProvider
  let storage: HttpContentAddressedStorage
  let pointers: HttpMutablePointers
  const manifest = loadVector('account-alice/manifest.json')
  const alice = parseCid(manifest.users.alice.identity)

  beforeAll(async () => {
    c = await createNodeCrypto()
    const dump = loadDump(c)
    const server = await startHttpServer(createApiHandler({ storage: dump.storage, pointers: dump.pointers }))
    servers.push(server)
    const poster = new FetchPoster(server.url)
    storage = new HttpContentAddressedStorage(poster)
    pointers = new HttpMutablePointers(poster)
  })

  it('id is the dump server\'s peer id', async () => {
    expect(cidToString(await storage.id())).toBe(manifest.server['serverId(pki-node-id)'])
  })

  it("getPointer of alice's identity is the signed pointer Peergos stored, byte for byte", async () => {
    const row = loadVector('account-alice/pointers.json').pointers.find((p: { writer: string }) => p.writer === manifest.users.alice.identity)
    expect(await pointers.getPointer(alice, alice)).toEqual(hex(row.signedPointerHex))
    expect(await pointers.getPointer(alice, parseCid(loadVector('account-alice/pointers.json').pointers[0].writer))).toBeDefined()
  })

  it('block get returns dump blocks that verify against their CIDs, and getSize their length', async () => {
    const blocks = loadVector('account-alice/blocks.json').blocks as Array<{ cid: string }>
    const verified = new VerifiedStorage(c, storage)
    for (const b of [blocks[0], blocks[1], blocks[blocks.length - 1]]) {
      const cid: CID = parseCid(b.cid)
      const bytes = await verified.get(alice, cid)
      expect(bytes).toBeDefined()
      expect(await storage.getSize(alice, cid)).toBe(bytes!.length)
    }
    expect(await storage.get(alice, blockCid(c, new Uint8Array([1]), true))).toBeUndefined()
  })

  it('a read-only service\'s plain Error reaches the client as an internal error, not its text', async () => {
    const e = await rejection(pointers.setPointer(alice, alice, new Uint8Array([1])))
    expect(e.name).toBe('RemoteError')
    expect(e.message).toBe('Internal server error')
  })
})
