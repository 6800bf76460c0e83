// What the HTTP clients put on the wire, checked against what Peergos' Java clients send (reference
// §7.3: HttpMutablePointers, ContentAddressedStorage.HTTP, HTTPCoreNode, HttpAccount,
// HttpSocialNetwork, HttpBatCave, HttpSpaceUsage), including the /p2p/<peer-id>/http/ prefix form.
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { CID, cidToString, CODEC_RAW, HASH_SHA2_256, parseCid } from '../../src/codec/cid.ts'
import { DataInputReader, DataOutputWriter } from '../../src/codec/data-output.ts'
import { batFromString } from '../../src/model/bat.ts'
import { batWithId, encodeBatWithId } from '../../src/model/bat-id.ts'
import * as Digest from 'multiformats/hashes/digest'
import { bytesToHex } from '../../src/model/bytes.ts'
import { HttpAccount, HttpBatCave, HttpContentAddressedStorage, HttpCoreNode, HttpMutablePointers, HttpSocialNetwork, HttpSpaceUsage, p2pPrefix, type PostOptions, type Poster } from '../../src/http/index.ts'
import { decodeBlockWriteGroup, decodeCaps } from '../../src/http/wire.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { encodeBlockAuth, generateBlockAuth } from '../../src/model/block-auth.ts'
import { MAX_BLOCK_SIZE } from '../../src/services/content-addressed-storage.ts'

const OWNER = parseCid('z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV')
const WRITER = parseCid('z59vuwzfFDosV6nQ3TKnq9WUpZp7Zuc7R68SuMwaNaDYzJpnMt1YKYR')
const BLOCK = parseCid('zdpuAnyLLzBWNhEPBAg7ED3wt6yQ2RXJbumcpHEvT8Gpt6TqJ')
const SERVER = parseCid('zdvgqGsMfVfU6MCNi6HxgDCuZKuieiRvFmXjri6H8Sdf5B39t')
const O = cidToString(OWNER)
const W = cidToString(WRITER)

interface Sent { path: string; body: Uint8Array; options: PostOptions }

class RecordingPoster implements Poster {
  sent: Sent[] = []
  constructor(private readonly reply: (path: string) => Uint8Array) {}
  async post(path: string, body: Uint8Array = new Uint8Array(0), options: PostOptions = {}): Promise<Uint8Array> {
    this.sent.push({ path, body, options })
    return this.reply(path)
  }
}

const TRUE = new Uint8Array([1])
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

describe('client requests match the Java clients', () => {
  it('mutable pointers', async () => {
    const poster = new RecordingPoster((p) => (p.includes('getPointer') ? new Uint8Array(0) : TRUE))
    const m = new HttpMutablePointers(poster)
    expect(await m.getPointer(OWNER, WRITER)).toBeUndefined()
    expect(await m.setPointer(OWNER, WRITER, new Uint8Array([9]))).toBe(true)
    expect(await m.setPointers(OWNER, [{ writer: WRITER, signed: new Uint8Array([1]) }])).toBe(true)
    expect(poster.sent.map((s) => s.path)).toEqual([
      `/peergos/v0/mutable/getPointer?owner=${O}&writer=${W}`,
      `/peergos/v0/mutable/setPointer?owner=${O}&writer=${W}`,
      `/peergos/v0/mutable/setPointers?owner=${O}`,
    ])
    expect(poster.sent[0].body.length).toBe(0)
    expect(poster.sent[0].options.get).toBe(true)
    expect(poster.sent[1].options.timeoutMs).toBe(60_000)
  })

  it('storage', async () => {
    const poster = new RecordingPoster((p) => {
      if (p.endsWith('/id')) return utf8(`{"ID":"${cidToString(SERVER)}"}`)
      if (p.includes('transaction/start')) return utf8('1234567')
      if (p.includes('put/bulk')) {
        const n = decodeBlockWriteGroup(poster.sent.at(-1)!.body).blocks.length
        return utf8(Array.from({ length: n }, () => `{"Hash":"${cidToString(BLOCK)}"}`).join(''))
      }
      if (p.includes('block/stat')) return utf8('{"Size":0}')
      if (p.includes('champ')) return encodeCbor([new Uint8Array([1])])
      return new Uint8Array(0)
    })
    const s = new HttpContentAddressedStorage(poster)
    const bat = batWithId({ secret: new Uint8Array(32).fill(3) }, CID.createV1(CODEC_RAW, Digest.create(HASH_SHA2_256, new Uint8Array(32).fill(4))))
    expect((await s.id()).equals(SERVER)).toBe(true)
    expect(await s.startTransaction(OWNER)).toBe('1234567')
    await s.closeTransaction(OWNER, '1234567')
    expect(await s.get(OWNER, BLOCK, bat)).toBeUndefined()
    expect(await s.getSize(OWNER, BLOCK)).toBeUndefined()
    await s.getChampLookup(OWNER, BLOCK, [{ mapKey: new Uint8Array(32) }])
    expect(await s.getChampLookup(OWNER, BLOCK, [])).toEqual([])
    const big = [new Uint8Array(600_000), new Uint8Array(600_000), new Uint8Array(100)]
    expect(await s.put(OWNER, WRITER, big.map(() => new Uint8Array(96)), big, '1234567', true)).toHaveLength(3)
    // caps= is multibase base64 (percent-escaped), which Peergos' Multibase.decode reads
    const caps = poster.sent.map((x) => /caps=(m[A-Za-z0-9%]+)$/.exec(x.path)?.[1]).filter((x) => x !== undefined)
    expect(caps.map((x) => decodeCaps(decodeURIComponent(x)))).toEqual([[{ mapKey: new Uint8Array(32) }]])
    expect(poster.sent.map((x) => x.path.replace(/caps=m[A-Za-z0-9%]+/, 'caps=…'))).toEqual([
      '/api/v0/id',
      `/api/v0/transaction/start?owner=${O}`,
      `/api/v0/transaction/close?arg=1234567&owner=${O}`,
      `/api/v0/block/get?arg=${cidToString(BLOCK)}&owner=${O}&bat=${encodeBatWithId(bat)}`,
      `/api/v0/block/stat?arg=${cidToString(BLOCK)}&owner=${O}&auth=letmein`,
      `/api/v0/champ/get/bulk?arg=${cidToString(BLOCK)}&owner=${O}&caps=…`,
      // Grouped as bulkPut does: at most MAX_BLOCK_SIZE of blocks per request.
      `/api/v0/block/put/bulk?format=raw&owner=${O}&transaction=1234567&writer=${W}`,
      `/api/v0/block/put/bulk?format=raw&owner=${O}&transaction=1234567&writer=${W}`,
    ])
    expect(poster.sent.slice(-2).map((x) => decodeBlockWriteGroup(x.body).blocks.length)).toEqual([1, 2])
    // Identity CIDs never leave the client.
    const identity = await s.get(OWNER, OWNER)
    expect(identity).toEqual(OWNER.multihash.digest)
    expect(poster.sent).toHaveLength(8)
  })

  it('storage sends a BlockAuth as auth= (never its requester), one champ/get/bulk call, and refuses bad puts as the server does', async () => {
    const poster = new RecordingPoster(() => encodeCbor([]))
    const s = new HttpContentAddressedStorage(poster)
    const bat = { secret: new Uint8Array(32).fill(3) }
    const id = CID.createV1(CODEC_RAW, Digest.create(HASH_SHA2_256, new Uint8Array(32).fill(4)))
    const auth = generateBlockAuth(await createNodeCrypto(), bat, BLOCK, SERVER, 300, '20250101T000000Z', id)
    await s.get(OWNER, BLOCK, undefined, { auth, requester: SERVER })
    expect(poster.sent[0].path).toBe(`/api/v0/block/get?arg=${cidToString(BLOCK)}&owner=${O}&auth=${encodeBlockAuth(auth)}`)
    await s.getChampLookup(OWNER, BLOCK, Array.from({ length: 25 }, (_, i) => ({ mapKey: new Uint8Array([i]) })))
    expect(poster.sent.filter((x) => x.path.includes('champ/get/bulk'))).toHaveLength(1)
    await expect(s.put(OWNER, WRITER, [], [new Uint8Array(1)], 't', true)).rejects.toMatchObject({ name: 'InvalidObjectError' })
    await expect(s.put(OWNER, WRITER, [new Uint8Array(0)], [new Uint8Array(1)], 't', true)).rejects.toMatchObject({ name: 'InvalidSignatureError' })
    await expect(s.put(OWNER, WRITER, [new Uint8Array(96)], [new Uint8Array(MAX_BLOCK_SIZE + 1)], 't', true)).rejects.toMatchObject({ name: 'OversizedBlockError' })
    expect(poster.sent).toHaveLength(2)
  })

  it('core node bodies are DataOutput-framed', async () => {
    const poster = new RecordingPoster((p) => {
      if (p.endsWith('getPublicKey')) return new DataOutputWriter().writeBoolean(true).writeByteArray(encodeCbor(OWNER)).toBytes()
      if (p.endsWith('getUsername')) return new DataOutputWriter().writeJavaString('alice').toBytes()
      if (p.includes('getUsernamesGzip')) return utf8('["alice","alicia"]')
      return encodeCbor([])
    })
    const core = new HttpCoreNode(poster)
    expect((await core.getPublicKeyHash('alice'))!.equals(OWNER)).toBe(true)
    expect(await core.getUsername(OWNER)).toBe('alice')
    expect(await core.getUsernames('ali')).toEqual(['alice', 'alicia'])
    expect(await core.getChain('nobody')).toEqual([])
    expect(poster.sent.map((x) => x.path)).toEqual(['/peergos/v0/core/getPublicKey', '/peergos/v0/core/getUsername', '/peergos/v0/core/getUsernamesGzip/ali', '/peergos/v0/core/getChain'])
    expect(new DataInputReader(poster.sent[0].body).readJavaString(1024)).toBe('alice')
    expect(poster.sent[1].body).toEqual(new DataOutputWriter().writeByteArray(encodeCbor(OWNER)).toBytes())
    expect(poster.sent[2].body.length).toBe(0)
    expect(poster.sent.every((x) => x.options.gzip === true)).toBe(true)
  })

  it('login, social, bats and space put everything Peergos expects in the query', async () => {
    const poster = new RecordingPoster((p) => {
      if (p.includes('getLogin')) return encodeCbor(new Map<string, import('../../src/codec/cbor.ts').CborValue>([['a', true], ['r', [new Uint8Array(24), new Uint8Array(16)]]]))
      if (p.includes('getFollowRequests')) return new DataOutputWriter().writeByteArray(new Uint8Array([0x80])).toBytes()
      if (p.includes('getUserBats')) return encodeCbor([])
      if (p.includes('addBat')) return encodeCbor(true)
      if (p.includes('/storage/')) return encodeCbor(1 << 30)
      return TRUE
    })
    const reader = new Uint8Array(32).fill(0xab)
    const auth = new Uint8Array([1, 2, 255])
    await new HttpAccount(poster).getLoginData('alice', reader, auth)
    await new HttpAccount(poster).setLoginData({ username: 'alice', entryPoints: { nonce: new Uint8Array(24), cipherText: new Uint8Array(16) }, authorisedReader: reader }, auth, false)
    expect(await new HttpSocialNetwork(poster).getFollowRequests(OWNER, auth)).toEqual(new Uint8Array([0x80]))
    await new HttpSocialNetwork(poster).sendFollowRequest(OWNER, new Uint8Array([5]))
    await new HttpBatCave(poster).getUserBats('alice', auth)
    const bat = batFromString('zFJ7pBpZWqAVZSE5CXD3ZyFd9y2bkNKz8Y6RSAehyz4Rx')
    await new HttpBatCave(poster).addBat('alice', BLOCK, bat, auth)
    expect(await new HttpSpaceUsage(poster).getUsage(OWNER, auth, false)).toBe(1 << 30)
    await new HttpSpaceUsage(poster).getQuota(OWNER, auth)
    const readerHex = bytesToHex(encodeCbor([1, reader]))
    expect(poster.sent.map((x) => x.path)).toEqual([
      `/peergos/v0/login/getLogin?username=alice&author=${readerHex}&auth=0102ff&proxy=false&mfaTypes=1,2,3,4`,
      '/peergos/v0/login/setLogin?username=alice&auth=0102ff&local=false',
      `/peergos/v0/social/getFollowRequests?owner=${O}&auth=0102ff`,
      `/peergos/v0/social/followRequest?owner=${O}`,
      '/peergos/v0/bats/getUserBats?username=alice&auth=0102ff',
      `/peergos/v0/bats/addBat?username=alice&batid=${cidToString(BLOCK)}&bat=zFJ7pBpZWqAVZSE5CXD3ZyFd9y2bkNKz8Y6RSAehyz4Rx&auth=0102ff`,
      `/peergos/v0/storage/usage?owner=${O}&local=false&auth=0102ff`,
      `/peergos/v0/storage/quota?owner=${O}&auth=0102ff`,
    ])
  })

  it('goes through the p2p proxy with the /p2p/<peer-id>/http/ prefix', async () => {
    const poster = new RecordingPoster(() => new Uint8Array(0))
    await new HttpMutablePointers(poster, { prefix: p2pPrefix(SERVER) }).getPointer(OWNER, WRITER)
    expect(poster.sent[0].path).toBe(`/p2p/${cidToString(SERVER)}/http/peergos/v0/mutable/getPointer?owner=${O}&writer=${W}`)
    expect(() => new HttpMutablePointers(poster, { prefix: 'p2p' })).toThrow(TypeError)
  })
})
