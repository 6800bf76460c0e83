// The Account service (reference §5.2, §5.4): encrypted login data per username, written with the
// identity key's signature and read with the login key's signed time; and the user's second factors
// (TOTP, backup codes), managed with the identity's signed request of "peergos/v0/login/<method>".
import type { BackupCodes } from '../model/backup-codes.ts'
import type { LoginData } from '../model/login-data.ts'
import type { MultiFactorAuthMethod } from '../model/mfa.ts'
import type { TotpKey } from '../model/totp-key.ts'
import type { UserStaticData } from '../model/user-static-data.ts'

/** Constants.LOGIN_URL: the prefix of the paths second-factor requests sign (TimeLimitedClient.SignedRequest). */
export const LOGIN_URL = 'peergos/v0/login/'

/** The path each second-factor method's `auth` signs (Account's default methods in Peergos). */
export const MFA_SIGNED_PATHS = {
  listMfa: `${LOGIN_URL}listMfa`,
  addTotp: `${LOGIN_URL}addTotp`,
  enableTotp: `${LOGIN_URL}enableTotp`,
  genBackupCodes: `${LOGIN_URL}genBackupCodes`,
  deleteMfa: `${LOGIN_URL}deleteMfa`,
} as const

export interface Account {
  /** Stores login data; `auth` is the identity key's signature authorising it. */
  setLoginData(login: LoginData, auth: Uint8Array, forceLocal: boolean): Promise<boolean>
  /**
   * The encrypted entry points; `auth` is the login key's attached signature of the current time,
   * `authorisedReader` the raw 32-byte login public key. When the account has a second factor and
   * `mfa` (CBOR MultiFactorAuthResponse) is absent, throws MfaRequiredError; when it is wrong,
   * InvalidMfaCodeError (or MfaRefusedError for a credential that cannot answer).
   */
  getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData>

  // Second factors: each `auth` is the identity's attached signature of CBOR {p: MFA_SIGNED_PATHS.x, t: millis}, valid 24 h.

  /** listMfa: enabled TOTPs, WebAuthn keys and unexhausted backup codes (whose name is the count left). */
  getSecondAuthMethods(username: string, auth: Uint8Array): Promise<MultiFactorAuthMethod[]>
  /** addTotp: a new, not yet enabled TOTP secret (an earlier unverified one is dropped). */
  addTotpFactor(username: string, auth: Uint8Array): Promise<TotpKey>
  /** enableTotp: enables the TOTP once `code` proves the app has its key; any other TOTP is deleted. */
  enableTotpFactor(username: string, credentialId: Uint8Array, code: string, auth: Uint8Array): Promise<boolean>
  /** genBackupCodes: ten fresh single-use codes replacing any earlier set; needs another enabled factor. */
  generateBackupCodes(username: string, auth: Uint8Array): Promise<BackupCodes>
  /** deleteMfa: removes a factor; the backup codes go with the last factor they back up. */
  deleteSecondFactor(username: string, credentialId: Uint8Array, auth: Uint8Array): Promise<boolean>
}
