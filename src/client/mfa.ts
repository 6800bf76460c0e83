// Second factors from the client (reference §5.4; Peergos Account's signed-request methods and
// UserContext.signIn's mfa callback): set up a TOTP (the otpauth URI for the app, confirmed by a code),
// backup codes, listing and deleting factors, all authorised by the identity's signed request; and the
// answers to a server's MultiFactorAuthRequest during sign-in, from a typed code or a held TOTP key.
import { totp } from '../crypto/totp.ts'
import type { CryptoProvider, SigningKeyPairBytes } from '../crypto/provider.ts'
import { PeergosError } from '../errors.ts'
import type { BackupCodes } from '../model/backup-codes.ts'
import { decodeMfaRequest, encodeMfaResponse, MFA_TYPE, type MultiFactorAuthMethod, type MultiFactorAuthRequest, type MultiFactorAuthResponse } from '../model/mfa.ts'
import { signRequest, signTime } from '../model/signed-time.ts'
import { encodeTotpKey, totpUri, type TotpKey } from '../model/totp-key.ts'
import type { UserStaticData } from '../model/user-static-data.ts'
import { MFA_SIGNED_PATHS } from '../services/account.ts'
import { InvalidMfaCodeError, MfaRequiredError } from '../services/errors.ts'
import type { NetworkAccess } from '../services/network-access.ts'
import type { SignedIn } from './sign-in.ts'

/** What signIn calls when the server asks for a second factor. */
export type MfaResponder = (request: MultiFactorAuthRequest) => Promise<MultiFactorAuthResponse>

/** The server offered no factor this answer can use (no TOTP for a 6-digit code, no backup codes...). */
export class SecondFactorUnavailableError extends PeergosError {}

type Net = Pick<NetworkAccess, 'crypto' | 'account'>

/** Who manages the factors: the username and the identity's secret key (the login key on legacy accounts). */
export interface MfaUser {
  readonly username: string
  readonly identitySecretKey: Uint8Array
}

export function mfaUserOf(s: Pick<SignedIn, 'username' | 'entryPoints' | 'loginKeys'>): MfaUser {
  return { username: s.username, identitySecretKey: s.entryPoints.identity?.secretKey ?? s.loginKeys.secretKey }
}

/** A new TOTP: the key for the authenticator app (as `uri`, usually shown as a QR code), not yet enabled. */
export interface TotpSetup {
  readonly key: TotpKey
  /** otpauth://totp/peergos:<user>@peergos?secret=…&issuer=peergos */
  readonly uri: string
  /** TotpKey.encode(): base32(credential id) ":" base32(key), as Peergos' addTotp replies. */
  readonly encoded: string
}

function auth(net: Net, user: MfaUser, path: string): Uint8Array {
  return signRequest(net.crypto, user.identitySecretKey, path)
}

export function listSecondFactors(net: Net, user: MfaUser): Promise<MultiFactorAuthMethod[]> {
  return net.account.getSecondAuthMethods(user.username, auth(net, user, MFA_SIGNED_PATHS.listMfa))
}

/** addTotp: a fresh key the server keeps disabled until confirmTotp proves the app has it. */
export async function startTotp(net: Net, user: MfaUser): Promise<TotpSetup> {
  const key = await net.account.addTotpFactor(user.username, auth(net, user, MFA_SIGNED_PATHS.addTotp))
  return { key, uri: totpUri(user.username, key.key), encoded: encodeTotpKey(key) }
}

/** enableTotp with the code the app shows; replaces any earlier TOTP. */
export function confirmTotp(net: Net, user: MfaUser, credentialId: Uint8Array, code: string): Promise<boolean> {
  return net.account.enableTotpFactor(user.username, credentialId, code.replace(/\s/g, ''), auth(net, user, MFA_SIGNED_PATHS.enableTotp))
}

/**
 * Enables a TOTP: startTotp, then `codeFor` (the UI shows the URI as a QR code and asks for the app's
 * code; the CLI prints it) gives the code that confirmTotp sends. Returns the setup (URI and key).
 */
export async function enableTotp(net: Net, user: MfaUser, codeFor: (setup: TotpSetup) => Promise<string>): Promise<TotpSetup> {
  const setup = await startTotp(net, user)
  if (!(await confirmTotp(net, user, setup.key.credentialId, await codeFor(setup)))) throw new InvalidMfaCodeError('The server did not enable the TOTP')
  return setup
}

/** genBackupCodes: ten single-use codes, shown to the user once; any earlier set stops working. */
export function generateBackupCodes(net: Net, user: MfaUser): Promise<BackupCodes> {
  return net.account.generateBackupCodes(user.username, auth(net, user, MFA_SIGNED_PATHS.genBackupCodes))
}

export function deleteSecondFactor(net: Net, user: MfaUser, credentialId: Uint8Array): Promise<boolean> {
  return net.account.deleteSecondFactor(user.username, credentialId, auth(net, user, MFA_SIGNED_PATHS.deleteMfa))
}

/** The code an authenticator app shows for `key` now (or at `millis`). */
export function totpCode(c: CryptoProvider, key: TotpKey, millis: number = Date.now()): string {
  return totp(c, key.key, millis)
}

/**
 * The answer to a request for a code the user typed: six digits answer the TOTP (the newest one offered,
 * as Peergos' clients pick it), anything else a backup code.
 */
export function answerWithCode(request: MultiFactorAuthRequest, typed: string): MultiFactorAuthResponse {
  const code = typed.trim()
  const totpCode = code.replace(/\s/g, '')
  const type = /^[0-9]{6}$/.test(totpCode) ? MFA_TYPE.TOTP : MFA_TYPE.BACKUP_CODES
  const method = request.methods.filter((m) => m.type === type).at(-1)
  if (method === undefined) throw new SecondFactorUnavailableError(type === MFA_TYPE.TOTP ? 'The server offered no TOTP factor' : 'The server offered no backup codes')
  return { credentialId: method.credentialId, response: type === MFA_TYPE.TOTP ? totpCode : code }
}

/** A responder that asks the user for a code (the UI's dialog, the CLI's prompt) and answers with it. */
export function codeResponder(ask: (request: MultiFactorAuthRequest) => Promise<string>): MfaResponder {
  return async (request) => answerWithCode(request, await ask(request))
}

/** A responder holding the TOTP key itself (a device, a script): answers with the current code. */
export function totpResponder(c: CryptoProvider, key: TotpKey, now: () => number = Date.now): MfaResponder {
  return async () => ({ credentialId: key.credentialId, response: totpCode(c, key, now()) })
}

/**
 * getLogin as UserContext.signIn does it: signed time first; when the server answers with a
 * MultiFactorAuthRequest, `mfa` answers it and getLogin is sent again with a fresh signed time. Without
 * `mfa` the MfaRequiredError is the caller's.
 */
export async function getLoginDataWithMfa(net: Net, username: string, loginKeys: SigningKeyPairBytes, mfa?: MfaResponder): Promise<UserStaticData> {
  const c = net.crypto
  try {
    return await net.account.getLoginData(username, loginKeys.publicKey, signTime(c, loginKeys.secretKey))
  } catch (e) {
    if (!(e instanceof MfaRequiredError) || mfa === undefined) throw e
    const answer = encodeMfaResponse(await mfa(decodeMfaRequest(e.request)))
    try {
      return await net.account.getLoginData(username, loginKeys.publicKey, signTime(c, loginKeys.secretKey), answer)
    } catch (again) {
      if (again instanceof MfaRequiredError) throw new InvalidMfaCodeError('Server rejected second factor auth')
      throw again
    }
  }
}
