// HttpAccount: the Account interface over /peergos/v0/login/ (reference §5.2, §5.4, §7.3; Peergos
// HttpAccount): setLogin posts CBOR LoginData; getLogin sends the login key and signed time and reads a
// LoginResponse; listMfa, addTotp, enableTotp, genBackupCodes and deleteMfa carry the identity's
// signed request in `auth` and reply CBOR (a TotpKey as text).
import { decodeCbor, encodeCbor } from '../../codec/cbor.ts'
import { asBool } from '../../codec/cbor-read.ts'
import { decodeBackupCodes, type BackupCodes } from '../../model/backup-codes.ts'
import { bytesToHex } from '../../model/bytes.ts'
import { encodeLoginData, type LoginData } from '../../model/login-data.ts'
import { decodeMfaMethods, type MultiFactorAuthMethod } from '../../model/mfa.ts'
import { publicSigningKeyToCbor } from '../../model/signing-keys.ts'
import { decodeTotpKey, type TotpKey } from '../../model/totp-key.ts'
import type { UserStaticData } from '../../model/user-static-data.ts'
import { LOGIN_URL, type Account } from '../../services/account.ts'
import { decodeLoginResponse } from '../wire.ts'
import { HttpClientBase, query, readBoolean, readText } from './common.ts'

/** MultiFactorAuthMethod.Type values Peergos 1.32 clients announce (TOTP, WEBAUTHN, BACKUP_CODES, MOUNT). */
export const MFA_TYPES = '1,2,3,4'

function readCborBoolean(reply: Uint8Array, what: string): boolean {
  return asBool(decodeCbor(reply, { maxDepth: 1 }), what)
}

export class HttpAccount extends HttpClientBase implements Account {
  async setLoginData(login: LoginData, auth: Uint8Array, forceLocal: boolean): Promise<boolean> {
    const path = LOGIN_URL + 'setLogin' + query([['username', login.username], ['auth', bytesToHex(auth)], ['local', forceLocal]])
    return readBoolean(await this.send(path, encodeLoginData(login), { gzip: true }))
  }

  async getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData> {
    const path = LOGIN_URL + 'getLogin' + query([
      ['username', username],
      ['author', bytesToHex(encodeCbor(publicSigningKeyToCbor(authorisedReader)))],
      ['auth', bytesToHex(auth)],
      ['proxy', false],
      ['mfaTypes', MFA_TYPES],
      ['mfa', mfa === undefined ? undefined : bytesToHex(mfa)],
    ])
    return decodeLoginResponse(await this.read(path))
  }

  async getSecondAuthMethods(username: string, auth: Uint8Array): Promise<MultiFactorAuthMethod[]> {
    return decodeMfaMethods(await this.read(LOGIN_URL + 'listMfa' + query([['username', username], ['auth', bytesToHex(auth)]])))
  }

  async addTotpFactor(username: string, auth: Uint8Array): Promise<TotpKey> {
    const reply = await this.read(LOGIN_URL + 'addTotp' + query([['username', username], ['auth', bytesToHex(auth)]]))
    return decodeTotpKey(readText(reply, 'addTotp'))
  }

  async enableTotpFactor(username: string, credentialId: Uint8Array, code: string, auth: Uint8Array): Promise<boolean> {
    const path = LOGIN_URL + 'enableTotp' + query([['username', username], ['credid', bytesToHex(credentialId)], ['auth', bytesToHex(auth)], ['code', code]])
    return readCborBoolean(await this.read(path), 'enableTotp reply')
  }

  async generateBackupCodes(username: string, auth: Uint8Array): Promise<BackupCodes> {
    return decodeBackupCodes(await this.read(LOGIN_URL + 'genBackupCodes' + query([['username', username], ['auth', bytesToHex(auth)]])))
  }

  async deleteSecondFactor(username: string, credentialId: Uint8Array, auth: Uint8Array): Promise<boolean> {
    const path = LOGIN_URL + 'deleteMfa' + query([['username', username], ['credid', bytesToHex(credentialId)], ['auth', bytesToHex(auth)]])
    return readCborBoolean(await this.read(path), 'deleteMfa reply')
  }
}
