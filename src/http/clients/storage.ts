// HttpContentAddressedStorage: the ContentAddressedStorage interface over /api/v0/ (reference §7.3;
// Peergos ContentAddressedStorage.HTTP with isPeergosServer = true), sending what the Java client sends.
import { decodeByteStringList, decodeCbor } from '../../codec/cbor.ts'
import { asBytes, asList } from '../../codec/cbor-read.ts'
import { cidToString, isIdentity, parseCid, type CID } from '../../codec/cid.ts'
import { encodeBatWithId, type BatWithId } from '../../model/bat-id.ts'
import { decodeEncryptedCapability, type EncryptedCapability } from '../../model/encrypted-capability.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import { InvalidSignatureError } from '../../crypto/errors.ts'
import { encodeBlockAuth } from '../../model/block-auth.ts'
import { InvalidObjectError } from '../../model/errors.ts'
import { MAX_BLOCK_SIZE, type ChunkMirrorCap, type ContentAddressedStorage, type PeerBlockAuth, type TransactionId } from '../../services/content-addressed-storage.ts'
import { OversizedBlockError } from '../../services/errors.ts'
import { HttpTransportError } from '../errors.ts'
import { capsParameter, encodeBlockWriteGroup, parseJsonStream, parsePeerId } from '../wire.ts'
import { HttpClientBase, query, readJson, readText } from './common.ts'

const API = 'api/v0/'

function field(json: unknown, key: string, what: string): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || !Object.hasOwn(json, key)) throw new HttpTransportError(`${what}: no ${key} in reply`)
  return (json as Record<string, unknown>)[key]
}

function peerIdOf(v: unknown, what: string): CID {
  if (typeof v !== 'string') throw new HttpTransportError(`${what}: peer id is not a string`)
  return parsePeerId(v)
}

/** ContentAddressedStorage.HTTP.bulkPut's grouping: consecutive blocks totalling at most MAX_BLOCK_SIZE per request. */
function groups(blocks: Uint8Array[], signatures: Uint8Array[]): Array<{ blocks: Uint8Array[]; signatures: Uint8Array[] }> {
  const out = [{ blocks: [] as Uint8Array[], signatures: [] as Uint8Array[] }]
  let size = 0
  blocks.forEach((b, i) => {
    if (size + b.length > MAX_BLOCK_SIZE) {
      out.push({ blocks: [], signatures: [] })
      size = 0
    }
    size += b.length
    out[out.length - 1].blocks.push(b)
    out[out.length - 1].signatures.push(signatures[i])
  })
  return out
}

export class HttpContentAddressedStorage extends HttpClientBase implements ContentAddressedStorage {
  async id(): Promise<CID> {
    return peerIdOf(field(readJson(await this.read(API + 'id'), 'id'), 'ID', 'id'), 'id')
  }

  async ids(): Promise<CID[]> {
    const ids = field(readJson(await this.read(API + 'ids'), 'ids'), 'IDS', 'ids')
    if (!Array.isArray(ids)) throw new HttpTransportError('ids: IDS is not a list')
    return ids.map((v) => peerIdOf(v, 'ids'))
  }

  async startTransaction(owner: PublicKeyHash): Promise<TransactionId> {
    return readText(await this.read(API + 'transaction/start' + query([['owner', cidToString(owner)]])), 'transaction/start')
  }

  async closeTransaction(owner: PublicKeyHash, tid: TransactionId): Promise<void> {
    await this.read(API + 'transaction/close' + query([['arg', tid], ['owner', cidToString(owner)]]))
  }

  async put(owner: PublicKeyHash, writer: PublicKeyHash, signatures: Uint8Array[], blocks: Uint8Array[], tid: TransactionId, raw: boolean): Promise<CID[]> {
    // Refused before sending, with the errors the server would give.
    if (signatures.length !== blocks.length) throw new InvalidObjectError(`${blocks.length} blocks but ${signatures.length} signatures`)
    if (signatures.some((s) => s.length === 0)) throw new InvalidSignatureError('Invalid signature for block!')
    for (const b of blocks) if (b.length > MAX_BLOCK_SIZE) throw new OversizedBlockError(`Block too big! ${b.length} > ${MAX_BLOCK_SIZE}`)
    const path = API + 'block/put/bulk' + query([['format', raw ? 'raw' : 'dag-cbor'], ['owner', cidToString(owner)], ['transaction', tid], ['writer', cidToString(writer)]])
    const results = await Promise.all(groups(blocks, signatures).map(async (g) => {
      const reply = await this.send(path, encodeBlockWriteGroup(g), { timeoutMs: g.blocks.length > 1 ? 30_000 : -1 })
      let hashes: CID[]
      try {
        hashes = parseJsonStream(readText(reply, 'block/put/bulk')).map((j) => this.cidOf(field(j, 'Hash', 'block/put/bulk')))
      } catch (e) {
        if (e instanceof HttpTransportError) throw e
        throw new HttpTransportError('block/put/bulk: invalid reply', { cause: e })
      }
      if (hashes.length !== g.blocks.length) throw new HttpTransportError(`Incorrect number of hashes returned from bulk write: ${hashes.length} != ${g.blocks.length}`)
      return hashes
    }))
    return results.flat()
  }

  private cidOf(v: unknown): CID {
    if (typeof v !== 'string') throw new HttpTransportError('block/put/bulk: Hash is not a string')
    return parseCid(v)
  }

  /**
   * A `peerAuth` is sent as `auth=`; its requester is not: the receiving end takes that from its transport.
   * `receiveInto` (this client only, not the interface's): where the block may land (PostOptions.receiveInto);
   * the result is then a view of that buffer.
   */
  async get(owner: PublicKeyHash, cid: CID, bat?: BatWithId, peerAuth?: PeerBlockAuth, receiveInto?: (length: number) => Uint8Array | undefined): Promise<Uint8Array | undefined> {
    if (isIdentity(cid)) return cid.multihash.digest
    const reply = await this.read(API + 'block/get' + query([
      ['arg', cidToString(cid)], ['owner', cidToString(owner)], ['bat', bat === undefined ? undefined : encodeBatWithId(bat)],
      ['auth', peerAuth === undefined ? undefined : encodeBlockAuth(peerAuth.auth)],
    ]), receiveInto === undefined ? {} : { receiveInto })
    return reply.length === 0 ? undefined : reply
  }

  /** One call, as Peergos' client makes it: the server answers at most MAX_CHAMP_GETS caps and refuses more. */
  async getChampLookup(owner: PublicKeyHash, root: CID, caps: ChunkMirrorCap[]): Promise<Uint8Array[]> {
    if (caps.length === 0) return []
    // query([..., ['caps', encodeCaps(caps)]]) byte for byte, the caps written straight into their escaped form
    const reply = await this.read(API + 'champ/get/bulk' + query([['arg', cidToString(root)], ['owner', cidToString(owner)]]) + '&' + capsParameter(caps))
    return decodeByteStringList(reply) ?? asList(decodeCbor(reply, { maxDepth: 1, viewBytes: true }), 'champ/get/bulk').map((b, j) => asBytes(b, `champ/get/bulk[${j}]`))
  }

  async getSize(owner: PublicKeyHash, cid: CID): Promise<number | undefined> {
    if (isIdentity(cid)) return cid.multihash.digest.length
    const size = field(readJson(await this.read(API + 'block/stat' + query([['arg', cidToString(cid)], ['owner', cidToString(owner)], ['auth', 'letmein']])), 'block/stat'), 'Size', 'block/stat')
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw new HttpTransportError('block/stat: Size is not a size')
    // Peergos answers Size 0 for an absent block; no Peergos block is empty.
    return size === 0 ? undefined : size
  }

  async getSecretLink(owner: PublicKeyHash, label: number): Promise<EncryptedCapability> {
    return decodeEncryptedCapability(await this.read(API + 'link/get' + query([['label', label], ['owner', cidToString(owner)]])))
  }
}
