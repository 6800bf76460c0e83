// The /peergos/v0/login/ routes (reference §5.2, §5.4, §7.3; Peergos AccountHandler, HttpAccount): setLogin
// (body: CBOR LoginData ≤ 16 KiB, reply DataOutput boolean), getLogin (reply CBOR LoginResponse, whose
// MultiFactorAuthRequest offers only the factor types the client announced in `mfaTypes`), and the
// second-factor methods listMfa, addTotp, enableTotp, genBackupCodes and deleteMfa. WebAuthn and device
// mounts are not served: their methods get AccountHandler's reply to a method it doesn't know.
import { decodeCbor } from '../../codec/cbor.ts'
import { encodeBackupCodes } from '../../model/backup-codes.ts'
import { decodeLoginData } from '../../model/login-data.ts'
import { decodeMfaRequest, encodeMfaMethods, encodeMfaRequest, isInteractiveMfaType, MFA_TYPE } from '../../model/mfa.ts'
import { publicSigningKeyFromCbor } from '../../model/signing-keys.ts'
import { encodeTotpKey } from '../../model/totp-key.ts'
import type { Account } from '../../services/account.ts'
import { MfaRefusedError, MfaRequiredError } from '../../services/errors.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply } from '../transport.ts'
import { encodeLoginResponse } from '../wire.ts'
import type { Params } from './params.ts'
import { booleanReply, cborReply, route, type Route, type RouteTable } from './route.ts'

export const LOGIN_PREFIX = '/peergos/v0/login/'
export const MAX_SET_LOGIN_BODY = 16384
/** Signatures and signed times are ~100 bytes; MultiFactorAuthResponses a few KiB. */
const MAX_AUTH = 4096
/** JdbcAccount: "credid is <= 1023 bytes". */
const MAX_CREDENTIAL_ID = 1023
/** A TOTP code is 6 digits; nothing longer is a code. */
const MAX_CODE = 64
/** registerWebauthnComplete reads at most this much (AccountHandler). */
const MAX_WEBAUTHN_BODY = 2048
export const USERNAME = /^[A-Za-z0-9._-]{1,64}$/
/** AccountHandler's default case. */
export const UNKNOWN_METHOD_MESSAGE = 'Unknown method in AccountHandler!'
/** filterToSupportedMfaTypes: a client that names no types gets the original two. */
const DEFAULT_MFA_TYPES: ReadonlySet<number> = new Set([MFA_TYPE.TOTP, MFA_TYPE.WEBAUTHN])

export function username(p: Params): string {
  return p.matching('username', USERNAME, 'not a username')
}

function supportedMfaTypes(p: Params): ReadonlySet<number> {
  if (!p.has('mfaTypes')) return DEFAULT_MFA_TYPES
  return new Set(p.matching('mfaTypes', /^[0-9]{1,3}(,[0-9]{1,3}){0,15}$/, 'not a list of second factor types').split(',').map(Number))
}

/** AccountHandler.filterToSupportedMfaTypes: only interactive methods of the announced types are offered. */
function offered(e: MfaRequiredError, supported: ReadonlySet<number>): MfaRequiredError {
  const request = decodeMfaRequest(e.request)
  const methods = request.methods.filter((m) => isInteractiveMfaType(m.type) && supported.has(m.type))
  return methods.length === request.methods.length ? e : new MfaRequiredError(encodeMfaRequest({ methods, challenge: request.challenge }))
}

/** A second-factor method: `username` and the identity's signed request in `auth`. */
function mfaRoute(handle: (user: string, auth: Uint8Array) => Promise<Uint8Array>): Route {
  return route(0, async ({ params: p }) => {
    const auth = p.hex('auth', MAX_AUTH)
    return bytesReply(await handle(username(p), auth), 'application/cbor')
  })
}

function credentialId(p: Params): Uint8Array {
  return p.hex('credid', MAX_CREDENTIAL_ID)
}

const unknownMethod = (maxBody: number): Route => route(maxBody, async () => {
  throw new MfaRefusedError(UNKNOWN_METHOD_MESSAGE)
})

export function loginRoutes(a: Account): RouteTable {
  return new Map<string, Route>([
    ['setLogin', route(MAX_SET_LOGIN_BODY, async ({ req, params: p }) => {
      const auth = p.hex('auth', MAX_AUTH)
      const local = p.optBool('local', false)
      const login = decodeLoginData(req.body)
      if (p.has('username') && username(p) !== login.username) throw new BadRequestError("Parameter 'username' does not match the login data")
      return booleanReply(await a.setLoginData(login, auth, local))
    })],
    ['getLogin', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', MAX_AUTH)
      const user = username(p)
      let reader: Uint8Array
      try {
        reader = publicSigningKeyFromCbor(decodeCbor(p.hex('author', 256), { maxDepth: 1 }))
      } catch (e) {
        if (e instanceof BadRequestError) throw e
        throw new BadRequestError("Invalid parameter 'author': not a public signing key")
      }
      const mfa = p.has('mfa') ? p.hex('mfa', MAX_AUTH) : undefined
      p.optBool('proxy', false)
      const supported = supportedMfaTypes(p)
      try {
        return bytesReply(encodeLoginResponse(await a.getLoginData(user, reader, auth, mfa)), 'application/cbor')
      } catch (e) {
        if (e instanceof MfaRequiredError) return bytesReply(encodeLoginResponse(offered(e, supported)), 'application/cbor')
        throw e
      }
    })],
    ['listMfa', mfaRoute(async (user, auth) => encodeMfaMethods(await a.getSecondAuthMethods(user, auth)))],
    ['addTotp', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', MAX_AUTH)
      // TotpKey.encode() as UTF-8 text.
      return bytesReply(new TextEncoder().encode(encodeTotpKey(await a.addTotpFactor(username(p), auth))), 'text/plain; charset=utf-8')
    })],
    ['enableTotp', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', MAX_AUTH)
      const user = username(p)
      return cborReply(await a.enableTotpFactor(user, credentialId(p), p.string('code', MAX_CODE), auth))
    })],
    ['genBackupCodes', mfaRoute(async (user, auth) => encodeBackupCodes(await a.generateBackupCodes(user, auth)))],
    ['deleteMfa', route(0, async ({ params: p }) => {
      const auth = p.hex('auth', MAX_AUTH)
      const user = username(p)
      return cborReply(await a.deleteSecondFactor(user, credentialId(p), auth))
    })],
    ['registerWebauthnStart', unknownMethod(0)],
    ['registerWebauthnComplete', unknownMethod(MAX_WEBAUTHN_BODY)],
    ['addMount', unknownMethod(0)],
    ['enableMount', unknownMethod(0)],
  ])
}
