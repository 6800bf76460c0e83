// HttpCoreNode: the CoreNode (PKI) interface over /peergos/v0/core/ (reference §4.1, §7.3; Peergos
// HTTPCoreNode): DataOutput-framed bodies (Serialize: int length + bytes), CBOR and DataOutput replies.
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import type { CID } from '../../codec/cid.ts'
import { DataInputReader, DataOutputWriter } from '../../codec/data-output.ts'
import { batWithIdToCbor, type BatWithId } from '../../model/bat-id.ts'
import { MAX_USERNAME_SIZE } from '../../model/claim.ts'
import { encodeOpLog, type OpLog } from '../../model/op-log.ts'
import { encodeProofOfWork, type ProofOfWork } from '../../model/proof-of-work.ts'
import { publicKeyHashFromCbor, type PublicKeyHash } from '../../model/signing-keys.ts'
import { chainHomeServer, decodeChain, encodeChain, userPublicKeyLinkToCbor, type UserPublicKeyLink } from '../../model/user-public-key-link.ts'
import { decodeUserSnapshot, type UserSnapshot } from '../../model/user-snapshot.ts'
import type { CoreNode, RequiredDifficulty } from '../../services/core-node.ts'
import { HttpTransportError } from '../errors.ts'
import { HttpClientBase, readJson } from './common.ts'

const CORE = 'peergos/v0/core/'
/** CoreNodeUtils.MAX_KEY_LENGTH: the bound HTTPCoreNode reads a public key hash with. */
const MAX_KEY_LENGTH = 1024 * 1024

function difficulty(reply: Uint8Array): RequiredDifficulty | undefined {
  const din = new DataInputReader(reply)
  if (din.readBoolean()) return undefined
  return { difficulty: din.readInt() }
}

export class HttpCoreNode extends HttpClientBase implements CoreNode {
  private username(name: string): Uint8Array {
    return new DataOutputWriter().writeJavaString(name).toBytes()
  }

  async getChain(username: string): Promise<UserPublicKeyLink[]> {
    return decodeChain(await this.send(CORE + 'getChain', this.username(username), { gzip: true }))
  }

  async signup(username: string, chain: UserPublicKeyLink, setup: OpLog, pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined> {
    const body = new DataOutputWriter().writeJavaString(username).writeByteArray(encodeCbor(userPublicKeyLinkToCbor(chain)))
      .writeByteArray(encodeOpLog(setup)).writeByteArray(encodeProofOfWork(pow)).writeJavaString(token).toBytes()
    return difficulty(await this.send(CORE + 'signup', body, { gzip: true, timeoutMs: 60_000 }))
  }

  async updateChain(username: string, chain: UserPublicKeyLink[], pow: ProofOfWork, token: string): Promise<RequiredDifficulty | undefined> {
    const body = new DataOutputWriter().writeJavaString(username).writeByteArray(encodeChain(chain))
      .writeByteArray(encodeProofOfWork(pow)).writeJavaString(token).toBytes()
    return difficulty(await this.send(CORE + 'updateChain', body, { gzip: true }))
  }

  async getUsername(key: PublicKeyHash): Promise<string> {
    const reply = await this.send(CORE + 'getUsername', new DataOutputWriter().writeByteArray(encodeCbor(key)).toBytes(), { gzip: true })
    return new DataInputReader(reply).readJavaString(MAX_USERNAME_SIZE)
  }

  async getUsernames(prefix: string): Promise<string[]> {
    const names = readJson(await this.send(CORE + 'getUsernamesGzip/' + encodeURIComponent(prefix), new Uint8Array(0), { gzip: true }), 'getUsernamesGzip')
    if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) throw new HttpTransportError('getUsernamesGzip: not a list of names')
    return names as string[]
  }

  async getPublicKeyHash(username: string): Promise<PublicKeyHash | undefined> {
    const din = new DataInputReader(await this.send(CORE + 'getPublicKey', this.username(username), { gzip: true }))
    if (!din.readBoolean()) return undefined
    return publicKeyHashFromCbor(decodeCbor(din.readByteArray(MAX_KEY_LENGTH), { maxDepth: 1 }))
  }

  /** HTTPCoreNode.migrateUser: a long call (no timeout); the reply is the user's snapshot. */
  async migrateUser(username: string, newChain: UserPublicKeyLink[], currentStorageId: CID, mirrorBat: BatWithId | undefined,
    latestLinkCountUpdate: number, currentUsage: number, commitToPki: boolean): Promise<UserSnapshot> {
    const w = new DataOutputWriter().writeJavaString(username).writeByteArray(encodeChain(newChain)).writeByteArray(currentStorageId.bytes).writeBoolean(mirrorBat !== undefined)
    if (mirrorBat !== undefined) w.writeByteArray(encodeCbor(batWithIdToCbor(mirrorBat)))
    const body = w.writeLong(BigInt(Math.trunc(latestLinkCountUpdate))).writeLong(BigInt(Math.trunc(currentUsage))).writeBoolean(commitToPki).toBytes()
    return decodeUserSnapshot(await this.send(CORE + 'migrateUser', body, { gzip: true, timeoutMs: -1 }))
  }

  /** Not a Peergos call: the home server is the first storage provider of the chain's last claim. */
  async getHomeServer(username: string): Promise<CID | undefined> {
    return chainHomeServer(await this.getChain(username))
  }
}
