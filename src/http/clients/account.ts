// HttpAccount: the Account interface over /peergos/v0/login/ (reference §5.2, §7.3; Peergos HttpAccount):
// setLogin posts CBOR LoginData; getLogin sends the login key and signed time and reads a LoginResponse.
import { encodeCbor } from '../../codec/cbor.ts'
import { bytesToHex } from '../../model/bytes.ts'
import { encodeLoginData, type LoginData } from '../../model/login-data.ts'
import { publicSigningKeyToCbor } from '../../model/signing-keys.ts'
import type { UserStaticData } from '../../model/user-static-data.ts'
import type { Account } from '../../services/account.ts'
import { decodeLoginResponse } from '../wire.ts'
import { HttpClientBase, query, readBoolean } from './common.ts'

const LOGIN = 'peergos/v0/login/'
/** MultiFactorAuthMethod.Type values Peergos 1.32 clients announce (TOTP, WEBAUTHN, BACKUP_CODES, MOUNT). */
export const MFA_TYPES = '1,2,3,4'

export class HttpAccount extends HttpClientBase implements Account {
  async setLoginData(login: LoginData, auth: Uint8Array, forceLocal: boolean): Promise<boolean> {
    const path = LOGIN + 'setLogin' + query([['username', login.username], ['auth', bytesToHex(auth)], ['local', forceLocal]])
    return readBoolean(await this.send(path, encodeLoginData(login), { gzip: true }))
  }

  async getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData> {
    const path = LOGIN + 'getLogin' + query([
      ['username', username],
      ['author', bytesToHex(encodeCbor(publicSigningKeyToCbor(authorisedReader)))],
      ['auth', bytesToHex(auth)],
      ['proxy', false],
      ['mfaTypes', MFA_TYPES],
      ['mfa', mfa === undefined ? undefined : bytesToHex(mfa)],
    ])
    return decodeLoginResponse(await this.read(path))
  }
}
