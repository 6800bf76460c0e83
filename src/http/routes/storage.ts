// The /api/v0/ routes (reference §7.3; Peergos StorageHandler and ContentAddressedStorage.HTTP):
// ids, transactions, CHAMP lookups, secret links and signed bulk block writes and reads.
import { encodeByteStringList } from '../../codec/cbor.ts'
import { cidToString, type CID } from '../../codec/cid.ts'
import { encodeEncryptedCapability } from '../../model/encrypted-capability.ts'
import { decodeBlockAuth } from '../../model/block-auth.ts'
import { MAX_BLOCK_SIZE, type ChunkMirrorCap, type ContentAddressedStorage, type PeerBlockAuth } from '../../services/content-addressed-storage.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply, textReply } from '../transport.ts'
import { decodeBlockWriteGroup, decodeCaps, emptyBlockStoreProperties } from '../wire.ts'
import type { Params } from './params.ts'
import { immutable, jsonReply, route, transientBody, type Route, type RouteTable } from './route.ts'

export const STORAGE_PREFIX = '/api/v0/'
/** block/put/bulk bodies: Peergos reads each CBOR item up to 2 × MAX_BLOCK_SIZE; the blocks themselves total at most MAX_BLOCK_SIZE. */
export const MAX_BULK_PUT_BODY = 2 * MAX_BLOCK_SIZE
/** An attached signature of a sha256 is 96 bytes; anything much larger is not a signature. */
const MAX_SIGNATURE = 4096
const MAX_MAP_KEY = 256
/** A BlockAuth's CBOR is ~140 bytes; its hex well under this. */
const MAX_BLOCK_AUTH = 1024
const TID = /^[A-Za-z0-9._-]{1,128}$/

function format(p: Params): boolean {
  const f = p.string('format')
  if (f === 'raw') return true
  if (f === 'dag-cbor' || f === 'cbor') return false
  throw new BadRequestError("Invalid parameter 'format': expected raw or dag-cbor")
}

/** champ/get's positional args: root, then the hex map key. */
function champArgs(p: Params, count: number): string[] {
  const args = p.all('arg')
  if (args.length !== count) throw new BadRequestError(`Expected ${count} 'arg' parameter(s), got ${args.length}`)
  return [...args]
}

/**
 * block/get's `auth=` (hex BlockAuth) with the requester the transport vouches for. Peergos clients send
 * an empty `auth=` when they have no BAT; without a requester (plain HTTP) `auth=` is ignored, as
 * StorageHandler does, since the S3 V4 signature could not be tied to anyone.
 */
function peerAuth(p: Params, requester: CID | undefined): PeerBlockAuth | undefined {
  if (requester === undefined) return undefined
  const hex = p.optString('auth', MAX_BLOCK_AUTH)
  if (hex === undefined || hex === '') return undefined
  try {
    return { auth: decodeBlockAuth(hex), requester }
  } catch {
    throw new BadRequestError("Invalid parameter 'auth': not a BlockAuth")
  }
}

export function storageRoutes(s: ContentAddressedStorage): RouteTable {
  const champ = (bulk: boolean): Route => route(0, async ({ params: p }) => {
    const owner = p.owner()
    let root: CID
    let caps: ChunkMirrorCap[]
    if (bulk && p.has('caps')) {
      root = p.cid('arg', champArgs(p, 1)[0])
      caps = decodeCaps(p.string('caps'))
    } else {
      const [r, key] = champArgs(p, 2)
      root = p.cid('arg', r)
      caps = [{ mapKey: p.hex('arg', MAX_MAP_KEY, key), ...(p.has('bat') ? { bat: p.batWithId('bat') } : {}) }]
    }
    const blocks = await s.getChampLookup(owner, root, caps)
    return bytesReply(encodeByteStringList(blocks), 'application/cbor', immutable(root))
  })

  return new Map<string, Route>([
    ['id', route(0, async () => jsonReply(JSON.stringify({ ID: cidToString(await s.id()) })))],
    ['ids', route(0, async () => jsonReply(JSON.stringify({ IDS: (await s.ids()).map(cidToString) })))],
    ['blockstore/props', route(0, async () => bytesReply(emptyBlockStoreProperties(), 'application/cbor'))],
    ['transaction/start', route(0, async ({ params: p }) => textReply(await s.startTransaction(p.owner())))],
    ['transaction/close', route(0, async ({ params: p }) => {
      const owner = p.owner()
      const [tid] = champArgs(p, 1)
      if (!TID.test(tid)) throw new BadRequestError("Invalid parameter 'arg': not a transaction id")
      await s.closeTransaction(owner, tid)
      return jsonReply('1')
    })],
    ['champ/get', champ(false)],
    ['champ/get/bulk', champ(true)],
    ['link/get', route(0, async ({ params: p }) => {
      const owner = p.owner()
      const link = await s.getSecretLink(owner, p.positiveInt('label'))
      return bytesReply(encodeEncryptedCapability(link), 'application/cbor')
    })],
    // The blocks are hashed, checked and written before the put resolves; what is kept (CIDs, sizes,
    // links, small WriterData blocks) is copied out of the body (WriterDataCache.written copies).
    ['block/put/bulk', transientBody(route(MAX_BULK_PUT_BODY, async ({ req, params: p }) => {
      const raw = format(p)
      const owner = p.owner()
      const tid = p.matching('transaction', TID, 'not a transaction id')
      const writer = p.publicKeyHash('writer')
      const group = decodeBlockWriteGroup(req.body)
      let total = 0
      for (const b of group.blocks) {
        if (b.length > MAX_BLOCK_SIZE) throw new BadRequestError(`Invalid block size: ${b.length}, blocks must be smaller than 1MiB!`)
        total += b.length
      }
      if (total > MAX_BLOCK_SIZE) throw new BadRequestError(`Can't write group of blocks with total size bigger than ${MAX_BLOCK_SIZE}`)
      if (group.signatures.some((sig) => sig.length === 0 || sig.length > MAX_SIGNATURE)) throw new BadRequestError('Invalid signature in block write!')
      const cids = await s.put(owner, writer, group.signatures, group.blocks, tid, raw)
      if (cids.length !== group.blocks.length) throw new Error('put returned the wrong number of CIDs')
      return jsonReply(cids.map((c) => JSON.stringify({ Hash: cidToString(c) })).join(''))
    }))],
    ['block/get', route(0, async ({ params: p, requester }) => {
      const cid = p.cid('arg', champArgs(p, 1)[0])
      const owner = p.owner()
      const block = await s.get(owner, cid, p.optBatWithId('bat'), peerAuth(p, requester))
      return block === undefined ? bytesReply(new Uint8Array(0)) : bytesReply(block, 'application/octet-stream', immutable(cid))
    })],
    ['block/stat', route(0, async ({ params: p }) => {
      const cid = p.cid('arg', champArgs(p, 1)[0])
      const size = await s.getSize(p.owner(), cid)
      return jsonReply(JSON.stringify({ Size: size ?? 0 }), size === undefined ? undefined : immutable(cid))
    })],
  ])
}
