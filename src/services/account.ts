// The Account service (reference §5.2): encrypted login data per username, written with the
// identity key's signature and read with the login key's signed time.
import type { LoginData } from '../model/login-data.ts'
import type { UserStaticData } from '../model/user-static-data.ts'

export interface Account {
  /** Stores login data; `auth` is the identity key's signature authorising it. */
  setLoginData(login: LoginData, auth: Uint8Array, forceLocal: boolean): Promise<boolean>
  /**
   * The encrypted entry points; `auth` is the login key's attached signature of the current time,
   * `authorisedReader` the raw 32-byte login public key. When the account has a second factor and
   * `mfa` (CBOR MultiFactorAuthResponse) is absent or wrong, throws MfaRequiredError.
   */
  getLoginData(username: string, authorisedReader: Uint8Array, auth: Uint8Array, mfa?: Uint8Array): Promise<UserStaticData>
}
