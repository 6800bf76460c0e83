// Hostile requests through the whole stack (security checklist B4 10-11, 13, 16-20, 26, 29, 32-35) on a
// daemon started as `peergos-ts daemon --port 0`: each attack gets Peergos' error (class and text) and
// leaves the blocks, pointers, PKI and BATs exactly as they were.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString, type CID } from '../../src/codec/cid.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import { javaUrlDecode } from '../../src/http/url-encoding.ts'
import { encodeBlockWriteGroup } from '../../src/http/wire.ts'
import { randomBat } from '../../src/model/bat.ts'
import { batWithId, sha256BatId } from '../../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../../src/model/bat-prefix.ts'
import { bytesToHex, concatBytes } from '../../src/model/bytes.ts'
import { localDateOf, plusMonths } from '../../src/model/local-date.ts'
import { buildProofOfWork, emptyProofOfWork } from '../../src/model/proof-of-work.ts'
import { signRequest, signTime } from '../../src/model/signed-time.ts'
import { createInitialChain, encodeChain } from '../../src/model/user-public-key-link.ts'
import { encodeWriterData } from '../../src/model/writer-data.ts'
import { MAX_BLOCK_SIZE } from '../../src/services/content-addressed-storage.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'
import { raw } from '../http/raw-http.ts'
import { cborBlock, newSigner, randomBlock, signBlock, signPointer, TestUser, type Signer, type StorageBundle, type WriterState } from './services/storage-fixtures.ts'

describe('hostile requests against a running daemon', () => {
  let dir: string
  let daemon: RunningDaemon
  let http: HttpNetworkServices
  let alice: TestUser
  let mallory: TestUser
  let aw: WriterState
  let mw: WriterState
  let guarded: CID
  const c = (): RunningDaemon['crypto'] => daemon.crypto

  /** Registers `identity` as `username` through the public API (updateChain of a new name), as a fresh client would. */
  const register = async (username: string, identity: Signer): Promise<void> => {
    const chain = createInitialChain(c(), identity, username, plusMonths(localDateOf(new Date()), 2), [daemon.identity.id])
    let pow = emptyProofOfWork()
    for (let i = 0; i < 3; i++) {
      const r = await http.coreNode.updateChain(username, chain, pow, '')
      if (r === undefined) return
      pow = buildProofOfWork(c(), encodeChain(chain), r.difficulty)
    }
    throw new Error('updateChain kept asking for more work')
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pts-hostile-'))
    daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0']), createLogger('silent'))
    http = httpNetworkServices(new FetchPoster(daemon.url))
    const signers = new Map<string, Signer>()
    const bundle: StorageBundle = {
      crypto: daemon.crypto, storage: http.storage, pointers: http.pointers,
      registerUser: (username, identity) => register(username, signers.get(cidToString(identity))!),
    }
    const user = (name: string): Promise<TestUser> => {
      const s = newSigner(c())
      signers.set(cidToString(s.publicKeyHash), s)
      return TestUser.create(bundle, name, s)
    }
    alice = await user('alice')
    mallory = await user('mallory')
    aw = await alice.addWriter()
    mw = await mallory.addWriter()
    const bat = randomBat(c())
    ;[guarded] = await alice.put(aw.signer, [concatBytes(createRawBlockPrefix(bat), randomBlock(c(), 300))], true)
  }, 60_000)
  afterAll(async () => {
    await daemon?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  /** Everything an attack could change: stored blocks, every test writer's pointer, the PKI's names and chains, BATs. */
  const snapshot = async (): Promise<unknown> => {
    const blocks: string[] = []
    for await (const cid of daemon.blocks.list()) blocks.push(cidToString(cid))
    const pointers: Record<string, string | undefined> = {}
    for (const [u, ws] of [[alice, [alice.identity, aw]], [mallory, [mallory.identity, mw]]] as const) {
      for (const w of ws) {
        const p = await daemon.local.pointers.getPointer(u.owner, w.hash)
        pointers[cidToString(w.hash)] = p === undefined ? undefined : bytesToHex(p)
      }
    }
    const names = await daemon.coreNode.getUsernames('')
    const chains = await Promise.all(names.map(async (n) => bytesToHex(encodeChain(await daemon.coreNode.getChain(n)))))
    const bats = await Promise.all(['alice', 'mallory'].map((n) => daemon.stores.bats.list(n)))
    return { blocks: blocks.sort(), pointers, names, chains, bats }
  }
  /** Runs `attack` and asserts it changed nothing. */
  const unchanged = async (attack: () => Promise<void>): Promise<void> => {
    const before = await snapshot()
    await attack()
    expect(await snapshot()).toEqual(before)
  }
  const post = (path: string, body: Uint8Array = new Uint8Array(0)): Promise<Response> => fetch(daemon.url + path, { method: 'POST', body: body as Uint8Array<ArrayBuffer> })
  const put = (owner: TestUser, writer: Signer, blocks: Uint8Array[], raw: boolean, sigs?: Uint8Array[]): Promise<CID[]> =>
    owner.tx((tid) => http.storage.put(owner.owner, writer.publicKeyHash, sigs ?? blocks.map((b) => signBlock(c(), writer, b)), blocks, tid, raw))
  const O = (): string => cidToString(alice.owner)
  /** A new WriterData version of `w`, stored but not committed. */
  const newVersion = async (u: TestUser, w: WriterState): Promise<CID> =>
    (await u.put(w.signer, [encodeWriterData({ ...w.wd, tree: (await u.put(w.signer, [cborBlock(c())], false))[0] })], false))[0]

  it('refuses oversized bodies and blocks before the service (413 / 400) (11)', () => unchanged(async () => {
    const r = await raw(daemon.port, `POST /api/v0/block/put/bulk?format=raw&owner=${O()}&transaction=t&writer=${O()} HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nContent-Length: ${64 * 1024 * 1024}\r\n\r\n`)
    expect(r.status).toBe(413)
    expect(javaUrlDecode(r.headers.get('trailer')![0])).toBe(`Input exceeds maximum size of ${2 * MAX_BLOCK_SIZE} bytes`)
    await expect(http.pointers.setPointer(alice.owner, aw.hash, new Uint8Array(1025))).rejects.toMatchObject({ name: 'BodyTooLargeError', message: 'Input exceeds maximum size of 1024 bytes' })
    const big = randomBlock(c(), MAX_BLOCK_SIZE + 1)
    const tid = await http.storage.startTransaction(alice.owner)
    const res = await post(`/api/v0/block/put/bulk?format=raw&owner=${O()}&transaction=${tid}&writer=${O()}`, encodeBlockWriteGroup({ blocks: [big], signatures: [signBlock(c(), alice.identity.signer, big)] }))
    expect(res.status).toBe(400)
    expect(javaUrlDecode(res.headers.get('trailer')!)).toMatch(/^Invalid block size: \d+, blocks must be smaller than 1MiB!$/)
    await http.storage.closeTransaction(alice.owner, tid)
  }))

  it('refuses malformed CBOR: truncated, allocation and depth bombs, a non-CBOR dag-cbor block (19, 20)', () => unchanged(async () => {
    for (const body of [[0xa1, 0x61], [0x9b, 0, 0, 0, 1, 0, 0, 0, 0], [0x5b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], new Array(100_000).fill(0x81)]) {
      const r = await post(`/peergos/v0/mutable/setPointers?owner=${O()}`, Uint8Array.from(body))
      expect(r.status).toBe(400)
      expect(r.headers.get('x-peergos-error-class')).toMatch(/^(Cbor[A-Za-z]*|NonCanonicalCbor|UnsupportedCbor)Error$/)
    }
    await expect(put(alice, alice.identity.signer, [Uint8Array.of(0xff, 0, 1)], false)).rejects.toMatchObject({ name: expect.stringMatching(/Cbor/) })
    await expect(put(alice, alice.identity.signer, [encodeCbor(new Map([['a', 1], ['b', 1]])).reverse()], false)).rejects.toMatchObject({ name: expect.stringMatching(/Cbor/) })
  }))

  it("refuses a foreign signature, a signature of other bytes, and bytes that do not match the signed hash (10)", () => unchanged(async () => {
    const blk = randomBlock(c(), 100)
    await expect(put(alice, alice.identity.signer, [blk], true, [signBlock(c(), mallory.identity.signer, blk)])).rejects.toMatchObject({ name: 'InvalidSignatureError', message: 'Invalid signature for block!' })
    await expect(put(alice, aw.signer, [blk], true, [signBlock(c(), aw.signer, randomBlock(c(), 100))])).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    await expect(put(alice, aw.signer, [blk], true, [c().randomBytes(96)])).rejects.toMatchObject({ name: 'InvalidSignatureError' })
  }))

  it('refuses a replayed pointer update with PointerCAS (13)', async () => {
    const replay = (await http.pointers.getPointer(alice.owner, aw.hash))!
    expect(await alice.commit(aw, { ...aw.wd, tree: (await alice.put(aw.signer, [cborBlock(c())], false))[0] })).toBe(true)
    await unchanged(async () => {
      await expect(http.pointers.setPointer(alice.owner, aw.hash, replay)).rejects.toMatchObject({ name: 'CasFailedError', message: expect.stringMatching(/^PointerCAS:/) })
    })
  })

  it('refuses a stale sequence and a pointer update signed by the wrong key (16, 17)', async () => {
    const next = await newVersion(alice, aw)
    await unchanged(async () => {
      await expect(http.pointers.setPointer(alice.owner, aw.hash, signPointer(c(), aw.signer, aw.target, next, aw.sequence))).rejects.toMatchObject({
        name: 'InvalidSequenceError', message: expect.stringMatching(/^Invalid sequence number update in mutable pointer/),
      })
      expect(await http.pointers.setPointer(alice.owner, aw.hash, signPointer(c(), mallory.identity.signer, aw.target, next, 1000))).toBe(false)
    })
  })

  it("answers false to a clone of another user's root (maliciousPointerClone) (26)", async () => {
    const [copy] = await mallory.put(mallory.identity.signer, [(await http.storage.get(alice.owner, aw.target!))!], false)
    await unchanged(async () => {
      expect(await http.pointers.setPointer(mallory.owner, mw.hash, signPointer(c(), mw.signer, mw.target, copy, 1000))).toBe(false)
    })
  })

  it('refuses a block get without its BAT, with a wrong BAT, or with another node\'s auth on plain HTTP (29)', () => unchanged(async () => {
    await expect(http.storage.get(alice.owner, guarded)).rejects.toMatchObject({ name: 'UnauthorisedError', message: 'Unauthorised!' })
    const wrong = randomBat(c())
    await expect(http.storage.get(alice.owner, guarded, batWithId(wrong, sha256BatId(c(), wrong)))).rejects.toMatchObject({ name: 'UnauthorisedError' })
    const r = await post(`/api/v0/block/get?arg=${cidToString(guarded)}&owner=${O()}&auth=${'ab'.repeat(60)}`)
    expect([r.status, r.headers.get('x-peergos-error-class')]).toEqual([400, 'UnauthorisedError'])
  }))

  it('refuses blocks and pointers of a writer the owner does not own (16, 26)', async () => {
    const next = await newVersion(mallory, mw)
    await unchanged(async () => {
      await expect(put(alice, mw.signer, [randomBlock(c(), 100)], true)).rejects.toMatchObject({ name: 'WriterNotAllowedError', message: `Key not allowed to write to this server: ${cidToString(mw.hash)}` })
      await expect(http.pointers.setPointer(alice.owner, mw.hash, mallory.nextUpdate(mw, next))).rejects.toMatchObject({ name: 'WriterNotAllowedError' })
    })
  })

  it('refuses "constructor" and "__proto__" at signup and answers lookups of them as unknown (32)', () => unchanged(async () => {
    for (const name of ['constructor', '__proto__']) {
      const s = newSigner(c())
      const chain = createInitialChain(c(), s, name, plusMonths(localDateOf(new Date()), 2), [daemon.identity.id])
      await expect(http.coreNode.signup(name, chain[0], { operations: [] }, emptyProofOfWork(), '')).rejects.toMatchObject({ name: 'InvalidUsernameError', message: 'Invalid username' })
      await expect(http.coreNode.updateChain(name, chain, emptyProofOfWork(), '')).rejects.toMatchObject({ name: 'InvalidUsernameError', message: 'Invalid username' })
      expect(await http.coreNode.getChain(name)).toEqual([])
      expect(await http.coreNode.getPublicKeyHash(name)).toBeUndefined()
      await expect(http.account.getLoginData(name, s.publicKey, signTime(c(), s.secretKey))).rejects.toMatchObject({ name: 'IncorrectPasswordError' })
    }
  }))

  it('serves no file for traversal on static-looking paths (33)', () => unchanged(async () => {
    for (const path of ['/../../etc/passwd', '/%2e%2e/', '/%2e%2e/%2e%2e/etc/passwd', '/..%2f..%2fetc%2fpasswd', '/index.html/../../../etc/passwd', '/public/../../etc/passwd', '//etc/passwd']) {
      for (const method of ['GET', 'POST']) {
        const r = await raw(daemon.port, `${method} ${path} HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
        expect([400, 404], `${method} ${path}`).toContain(r.status)
        expect(r.body).not.toContain('root:')
        expect(r.headers.get('content-type')).toBeDefined()
      }
    }
  }))

  it('keeps user input in an error message out of the headers (35)', () => unchanged(async () => {
    const evil = 'peergos/v0/bats/getUserBats\r\nSet-Cookie: evil=1\r\nX-Injected: 1'
    const auth = bytesToHex(signRequest(c(), mallory.identity.signer.secretKey, evil))
    const r = await raw(daemon.port, `POST /peergos/v0/bats/getUserBats?username=mallory&auth=${auth} HTTP/1.1\r\nHost: 127.0.0.1:${daemon.port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`)
    expect(r.status).toBe(400)
    expect(r.headers.has('set-cookie')).toBe(false)
    expect(r.headers.has('x-injected')).toBe(false)
    expect(r.headers.get('trailer')).toHaveLength(1)
    expect(r.headers.get('trailer')![0]).toMatch(/^[\x21-\x7e]+$/)
    expect(javaUrlDecode(r.headers.get('trailer')![0])).toBe(`Illegal path for signed request: ${evil}`)
    expect(r.headers.get('x-peergos-error-class')).toEqual(['InvalidAuthError'])
  }))
})
