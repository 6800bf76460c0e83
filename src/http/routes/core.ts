// The /peergos/v0/core/ routes (reference §4.1, §7.3; Peergos CoreNodeHandler, HTTPCoreNode): the
// PKI. Bodies are DataOutput-framed (Serialize: int length + bytes) CBOR; getUsernamesGzip/<prefix>
// replies gzip-encoded JSON.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { cidFromBytes } from '../../codec/cid.ts'
import { DataInputReader, DataOutputWriter } from '../../codec/data-output.ts'
import { batWithIdFromCbor } from '../../model/bat-id.ts'
import { MAX_USERNAME_SIZE } from '../../model/claim.ts'
import { decodeOpLog } from '../../model/op-log.ts'
import { decodeProofOfWork } from '../../model/proof-of-work.ts'
import { publicKeyHashFromCbor } from '../../model/signing-keys.ts'
import { chainToCbor, decodeChain, MAX_CHAIN_SIZE, userPublicKeyLinkFromCbor } from '../../model/user-public-key-link.ts'
import { encodeUserSnapshot } from '../../model/user-snapshot.ts'
import type { CoreNode, RequiredDifficulty } from '../../services/core-node.ts'
import { MigrationError } from '../../services/errors.ts'
import { BadRequestError } from '../errors.ts'
import { gzip } from '../gzip.ts'
import { bytesReply } from '../transport.ts'
import { uriDecode } from '../url-encoding.ts'
import { route, type Route, type RouteTable } from './route.ts'

export const CORE_PREFIX = '/peergos/v0/core/'
/** CoreNodeUtils.deserializeString's bound on usernames, prefixes and tokens. */
export const MAX_CORE_STRING = 1024
const MAX_OPLOG = 64 * 1024
const MAX_POW = 100
/** A PublicKeyHash's CBOR is ~45 bytes (Peergos allows 1 MiB here; we stay far above any real key). */
const MAX_KEY_CBOR = 8192

const INT = 4
const MAX_SIGNUP_BODY = INT + MAX_CORE_STRING + INT + 2 * MAX_CHAIN_SIZE + INT + MAX_OPLOG + INT + MAX_POW + INT + MAX_CORE_STRING
const MAX_UPDATE_CHAIN_BODY = INT + MAX_CORE_STRING + INT + 2 * MAX_CHAIN_SIZE + INT + MAX_POW + INT + MAX_CORE_STRING
/** CoreNodeHandler.migrateUser's bounds: the chain 4096 bytes, the storage id and the BAT 128 each. */
const MAX_MIGRATION_CHAIN = 4096
const MAX_MIGRATION_FIELD = 128
const MAX_MIGRATE_BODY = INT + MAX_CORE_STRING + INT + MAX_MIGRATION_CHAIN + INT + MAX_MIGRATION_FIELD + 1 + INT + MAX_MIGRATION_FIELD + 8 + 8 + 1

/** signup/updateChain reply: writeBoolean(success), then writeInt(difficulty) on failure. */
function difficultyReply(d: RequiredDifficulty | undefined): Uint8Array {
  const w = new DataOutputWriter().writeBoolean(d === undefined)
  if (d !== undefined) w.writeInt(d.difficulty)
  return w.toBytes()
}

function reader(body: Uint8Array): DataInputReader {
  return new DataInputReader(body)
}

export function coreRoutes(core: CoreNode): RouteTable {
  return new Map<string, Route>([
    ['getChain', route(INT + MAX_CORE_STRING, async ({ req }) => {
      const din = reader(req.body)
      const username = din.readJavaString(MAX_CORE_STRING)
      din.expectEnd()
      return bytesReply(encodeCbor(chainToCbor(await core.getChain(username))), 'application/cbor')
    })],
    ['signup', route(MAX_SIGNUP_BODY, async ({ req }) => {
      const din = reader(req.body)
      const username = din.readJavaString(MAX_CORE_STRING)
      const link = userPublicKeyLinkFromCbor(decodeCbor(din.readByteArray(2 * MAX_CHAIN_SIZE), { maxDepth: 5 }))
      const ops = decodeOpLog(din.readByteArray(MAX_OPLOG))
      const pow = decodeProofOfWork(din.readByteArray(MAX_POW))
      const token = din.readJavaString(MAX_CORE_STRING)
      din.expectEnd()
      return bytesReply(difficultyReply(await core.signup(username, link, ops, pow, token)))
    })],
    ['updateChain', route(MAX_UPDATE_CHAIN_BODY, async ({ req }) => {
      const din = reader(req.body)
      const username = din.readJavaString(MAX_CORE_STRING)
      const chain = decodeChain(din.readByteArray(2 * MAX_CHAIN_SIZE))
      const pow = decodeProofOfWork(din.readByteArray(MAX_POW))
      const token = din.readJavaString(MAX_CORE_STRING)
      din.expectEnd()
      return bytesReply(difficultyReply(await core.updateChain(username, chain, pow, token)))
    })],
    ['getPublicKey', route(INT + MAX_CORE_STRING, async ({ req }) => {
      const din = reader(req.body)
      const username = din.readJavaString(MAX_CORE_STRING)
      din.expectEnd()
      const key = await core.getPublicKeyHash(username)
      const w = new DataOutputWriter().writeBoolean(key !== undefined)
      if (key !== undefined) w.writeByteArray(encodeCbor(key))
      return bytesReply(w.toBytes())
    })],
    ['getUsername', route(INT + MAX_KEY_CBOR, async ({ req }) => {
      const din = reader(req.body)
      const owner = publicKeyHashFromCbor(decodeCbor(din.readByteArray(MAX_KEY_CBOR), { maxDepth: 1 }))
      din.expectEnd()
      const username = await core.getUsername(owner)
      if (username.length > MAX_USERNAME_SIZE) throw new Error('username too long')
      return bytesReply(new DataOutputWriter().writeJavaString(username).toBytes())
    })],
    ['migrateUser', route(MAX_MIGRATE_BODY, async ({ req }) => {
      const din = reader(req.body)
      const username = din.readJavaString(MAX_CORE_STRING)
      const chain = decodeChain(din.readByteArray(MAX_MIGRATION_CHAIN))
      const currentStorageId = cidFromBytes(din.readByteArray(MAX_MIGRATION_FIELD))
      const mirrorBat = din.readBoolean() ? batWithIdFromCbor(decodeCbor(din.readByteArray(MAX_MIGRATION_FIELD), { maxDepth: 2 })) : undefined
      const linkCountsAfter = Number(din.readLong())
      const usage = Number(din.readLong())
      const commitToPki = din.readBoolean()
      din.expectEnd()
      if (core.migrateUser === undefined) throw new MigrationError('Migration from pki node unimplemented!')
      const snapshot = await core.migrateUser(username, chain, currentStorageId, mirrorBat, linkCountsAfter, usage, commitToPki)
      return bytesReply(encodeUserSnapshot(snapshot), 'application/cbor')
    })],
    ['getUsernamesGzip', route(0, async ({ suffix }) => {
      const prefix = uriDecode(suffix ?? '')
      if (prefix === undefined || prefix.length > MAX_USERNAME_SIZE) throw new BadRequestError('Invalid username prefix')
      const names = await core.getUsernames(prefix)
      return bytesReply(await gzip(new TextEncoder().encode(JSON.stringify(names))), 'application/json', { 'Content-Encoding': 'gzip' })
    }, true)],
  ])
}
