// HttpSocialNetwork: the SocialNetwork interface over /peergos/v0/social/ (reference §6.1, §7.3;
// Peergos HttpSocialNetwork): follow requests in, pending requests out as a Serialize byte array.
import { cidToString } from '../../codec/cid.ts'
import { DataInputReader } from '../../codec/data-output.ts'
import { bytesToHex } from '../../model/bytes.ts'
import type { PublicKeyHash } from '../../model/signing-keys.ts'
import type { SocialNetwork } from '../../services/social-network.ts'
import { HttpClientBase, query, readBoolean } from './common.ts'

const SOCIAL = 'peergos/v0/social/'
/** CoreNodeUtils.MAX_KEY_LENGTH, the bound HttpSocialNetwork reads the pending requests with. */
const MAX_FOLLOW_REQUESTS = 1024 * 1024

export class HttpSocialNetwork extends HttpClientBase implements SocialNetwork {
  async sendFollowRequest(target: PublicKeyHash, blindRequest: Uint8Array): Promise<boolean> {
    return readBoolean(await this.send(SOCIAL + 'followRequest' + query([['owner', cidToString(target)]]), blindRequest, { gzip: true }))
  }

  async getFollowRequests(owner: PublicKeyHash, signedTime: Uint8Array): Promise<Uint8Array> {
    const reply = await this.read(SOCIAL + 'getFollowRequests' + query([['owner', cidToString(owner)], ['auth', bytesToHex(signedTime)]]))
    const din = new DataInputReader(reply)
    const requests = din.readByteArray(MAX_FOLLOW_REQUESTS)
    din.expectEnd()
    return requests
  }

  async removeFollowRequest(owner: PublicKeyHash, signedRequest: Uint8Array): Promise<boolean> {
    return readBoolean(await this.send(SOCIAL + 'removeFollowRequest' + query([['owner', cidToString(owner)]]), signedRequest, { gzip: true }))
  }
}
