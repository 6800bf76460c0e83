// The /peergos/v0/login/ routes (reference §5.2, §7.3; Peergos AccountHandler, HttpAccount): setLogin
// (body: CBOR LoginData ≤ 16 KiB, reply DataOutput boolean) and getLogin (reply CBOR LoginResponse).
// The second-factor management methods (listMfa, addTotp, webauthn...) are not served yet.
import { decodeCbor } from '../../codec/cbor.ts'
import { decodeLoginData } from '../../model/login-data.ts'
import { publicSigningKeyFromCbor } from '../../model/signing-keys.ts'
import type { Account } from '../../services/account.ts'
import { MfaRequiredError } from '../../services/errors.ts'
import { BadRequestError } from '../errors.ts'
import { bytesReply } from '../transport.ts'
import { encodeLoginResponse } from '../wire.ts'
import type { Params } from './params.ts'
import { booleanReply, route, type Route, type RouteTable } from './route.ts'

export const LOGIN_PREFIX = '/peergos/v0/login/'
export const MAX_SET_LOGIN_BODY = 16384
/** Signatures and signed times are ~100 bytes; MultiFactorAuthResponses a few KiB. */
const MAX_AUTH = 4096
export const USERNAME = /^[A-Za-z0-9._-]{1,64}$/

export function username(p: Params): string {
  return p.matching('username', USERNAME, 'not a username')
}

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
      if (p.has('mfaTypes')) p.matching('mfaTypes', /^[0-9]{1,3}(,[0-9]{1,3}){0,15}$/, 'not a list of second factor types')
      try {
        return bytesReply(encodeLoginResponse(await a.getLoginData(user, reader, auth, mfa)), 'application/cbor')
      } catch (e) {
        if (e instanceof MfaRequiredError) return bytesReply(encodeLoginResponse(e), 'application/cbor')
        throw e
      }
    })],
  ])
}
