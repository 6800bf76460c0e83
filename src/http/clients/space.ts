// HttpSpaceUsage: the SpaceUsage interface over /peergos/v0/storage/ (reference §7.5; Peergos
// HttpSpaceUsage): usage and quota as CBOR longs, authorised by the owner's signed time.
import { cidToString } from '../../codec/cid.ts'
import { bytesToHex } from '../../model/bytes.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { SpaceUsage } from '../../services/space-usage.ts'
import { HttpClientBase, query, readLong } from './common.ts'

const SPACE = 'peergos/v0/storage/'

export class HttpSpaceUsage extends HttpClientBase implements SpaceUsage {
  async getUsage(owner: PublicKeyHash, signedTime: Uint8Array, local: boolean): Promise<number> {
    const path = SPACE + 'usage' + query([['owner', cidToString(owner)], ['local', local], ['auth', bytesToHex(signedTime)]])
    return readLong(await this.read(path), 'usage')
  }

  async getQuota(owner: PublicKeyHash, signedTime: Uint8Array): Promise<number> {
    return readLong(await this.read(SPACE + 'quota' + query([['owner', cidToString(owner)], ['auth', bytesToHex(signedTime)]])), 'quota')
  }
}
