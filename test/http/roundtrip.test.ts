// Round trips over 127.0.0.1 that the conformance suites (test/conformance/http.test.ts) leave out, on
// the real local services: secret links, a second factor at login, the space figures, and the real
// Peergos account dump served and read back. Each HTTP answer is compared with the local one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Champ } from '../../src/champ/champ.ts'
import { encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { blockCid, cidToString, equalBytes, parseCid, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createApiHandler, FetchPoster, HttpContentAddressedStorage, HttpMutablePointers } from '../../src/http/index.ts'
import { nullCapability } from '../../src/model/capability.ts'
import { sealCapability } from '../../src/model/encrypted-capability.ts'
import { secretLinkChampKey } from '../../src/model/secret-link.ts'
import { encodeSecretLinkTarget } from '../../src/model/secret-link-target.ts'
import type { PublicKeyHash } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { userStaticDataToCbor } from '../../src/model/user-static-data.ts'
import { MfaRequiredError } from '../../src/services/errors.ts'
import type { SpaceUsage } from '../../src/services/space-usage.ts'
import { VerifiedStorage } from '../../src/client/verified-storage.ts'
import { startHttpServer, type RunningHttpServer } from '../../src/server/http/node-server.ts'
import { registerServerWireErrors } from '../../src/server/http/wire-errors.ts'
import { LocalAccount } from '../../src/server/services/local-account.ts'
import { newUser, signUp, signedTime } from '../conformance/pki-users.ts'
import { openServicesStack, type ServicesStack } from '../conformance/services-stack.ts'
import { loadDump } from '../proof/dump-services.ts'
import { openLocalBundle, type LocalBundle } from '../server/services/local-bundle.ts'
import { SigningBlockStore, TestUser, uniqueName } from '../server/services/storage-fixtures.ts'
import { describeVectors, hex, loadVector } from '../vectors.ts'
import { serveOverHttp } from './harness.ts'

const servers: RunningHttpServer[] = []
const closers: Array<() => Promise<void>> = []
afterAll(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  await Promise.all(servers.map((s) => s.close(100)))
})
registerServerWireErrors()

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p
  } catch (e) {
    return e as Error
  }
  throw new Error('expected a rejection')
}

/** Both rejections carry the same class name and message. */
async function sameRefusal(local: Promise<unknown>, remote: Promise<unknown>): Promise<Error> {
  // both handled at once: awaiting one first left the other unhandled if it rejected meanwhile
  const [l, r] = await Promise.all([rejection(local), rejection(remote)])
  expect([r.name, r.message]).toEqual([l.name, l.message])
  return r
}

describe('secret links over HTTP (real storage)', () => {
  let b: LocalBundle
  let http: Awaited<ReturnType<typeof serveOverHttp>>['clients']
  beforeAll(async () => {
    b = await openLocalBundle()
    closers.push(() => b.close())
    const served = await serveOverHttp({ storage: b.storage, pointers: b.pointers })
    servers.push(served.server)
    http = served.clients
  })

  it('hands out a published link, counts retrievals, and refuses as the local service does', async () => {
    const u = await TestUser.create(b, uniqueName('links'))
    const cap = sealCapability(b.crypto, randomSymmetricKey(b.crypto), nullCapability(b.crypto), false)
    const root = await u.tx(async (tid) => {
      const store = new SigningBlockStore(b.crypto, b.storage, u.owner, u.identity.signer, tid)
      const champ = new Champ({ store, crypto: b.crypto })
      const once = await champ.put(await champ.createEmpty(), secretLinkChampKey(b.crypto, 11), undefined, await store.put(encodeSecretLinkTarget({ cap, maxRetrievals: 1 }), false))
      return champ.put(once, secretLinkChampKey(b.crypto, 33), undefined, await store.put(encodeSecretLinkTarget({ cap }), false))
    })
    await sameRefusal(b.storage.getSecretLink(u.owner, 33), http.storage.getSecretLink(u.owner, 33))
    expect(await u.commit(u.identity, { ...u.identity.wd, secretLinks: root })).toBe(true)
    expect(await http.storage.getSecretLink(u.owner, 11)).toEqual(cap)
    const e = await sameRefusal(b.storage.getSecretLink(u.owner, 11), http.storage.getSecretLink(u.owner, 11))
    expect([e.name, e.message]).toEqual(['SecretLinkUnavailableError', 'Maximum link retrievals exceed!'])
    expect(await http.storage.getSecretLink(u.owner, 33)).toEqual(await b.storage.getSecretLink(u.owner, 33))
    await sameRefusal(b.storage.getSecretLink(u.owner, 44), http.storage.getSecretLink(u.owner, 44))
    expect(await b.stores.linkCounts.get(u.username, 33)).toBe(2)
  })
})

describe('a second factor at login over HTTP (LocalAccount with a second-factor check)', () => {
  let stack: ServicesStack
  const request = encodeCbor(new Map<string, CborValue>([['c', new Uint8Array(32).fill(7)], ['m', []]]))
  const answer = encodeCbor(new Map([['x', 1]]))
  let local: LocalAccount
  let http: Awaited<ReturnType<typeof serveOverHttp>>['clients']
  beforeAll(async () => {
    stack = await openServicesStack()
    closers.push(() => stack.close())
    local = new LocalAccount({
      crypto: stack.crypto, logins: stack.stores.logins, core: stack.coreNode, storage: stack.storage, pointers: stack.pointers,
      secondFactor: async (_username, mfa) => {
        if (mfa === undefined || !equalBytes(mfa, answer)) throw new MfaRequiredError(request)
      },
    })
    const served = await serveOverHttp({ account: local, coreNode: stack.coreNode })
    servers.push(served.server)
    http = served.clients
  })

  it('asks for the factor with the same request bytes, then serves the login data once answered', async () => {
    const alice = newUser(stack.crypto, 'alice', stack.serverId)
    await signUp(stack.crypto, stack.coreNode, alice)
    const get = (a: typeof http.account | LocalAccount, mfa?: Uint8Array) => a.getLoginData('alice', alice.login.publicKey, signedTime(stack.crypto, alice.login), mfa)
    const e = await sameRefusal(get(local), get(http.account))
    expect(e).toBeInstanceOf(MfaRequiredError)
    expect((e as MfaRequiredError).request).toEqual(request)
    expect(encodeCbor(userStaticDataToCbor(await get(http.account, answer)))).toEqual(encodeCbor(userStaticDataToCbor(await get(local, answer))))
    await sameRefusal(get(local, new Uint8Array([1])), get(http.account, new Uint8Array([1])))
  })
})

describe('space figures over HTTP', () => {
  // SpaceUsage has no server implementation in this tree yet (src/server/space*): until it lands, a
  // stand-in that records its arguments checks the wire round trip of usage and quota.
  it('carries owner, signed time and the local flag, and CBOR longs back', async () => {
    const calls: unknown[][] = []
    const space: SpaceUsage = {
      getUsage: async (owner, signedTime, isLocal) => { calls.push([owner, signedTime, isLocal]); return 123_456_789_012 },
      getQuota: async (owner, signedTime) => { calls.push([owner, signedTime]); return 1 << 30 },
    }
    const served = await serveOverHttp({ spaceUsage: space })
    servers.push(served.server)
    const owner: PublicKeyHash = parseCid('z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV')
    expect(await served.clients.spaceUsage.getUsage(owner, new Uint8Array([1, 2]), true)).toBe(123_456_789_012)
    expect(await served.clients.spaceUsage.getQuota(owner, new Uint8Array([3]))).toBe(1 << 30)
    expect(calls).toEqual([[owner, new Uint8Array([1, 2]), true], [owner, new Uint8Array([3])]])
  })
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
