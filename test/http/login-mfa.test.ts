// The second-factor side of /peergos/v0/login/ on the wire (reference §5.4, §7.3; Peergos AccountHandler,
// HttpAccount): reply encodings byte for byte (addTotp text, CBOR booleans, lists, BackupCodes), getLogin's
// MultiFactorAuthRequest filtered to the types the client announced (old clients: TOTP and WebAuthn only),
// the WebAuthn and mount methods answered as AccountHandler answers a method it doesn't serve, hostile
// parameters refused, and Peergos' error texts mapped to our classes without our class header.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { Fields } from '../../src/codec/cbor-read.ts'
import { totp } from '../../src/crypto/totp.ts'
import { errorFromWire } from '../../src/http/errors.ts'
import { decodeBackupCodes } from '../../src/model/backup-codes.ts'
import { bytesToHex } from '../../src/model/bytes.ts'
import { decodeMfaMethods, MFA_TYPE, mfaRequestFromCbor } from '../../src/model/mfa.ts'
import { publicSigningKeyToCbor } from '../../src/model/signing-keys.ts'
import { decodeTotpKey } from '../../src/model/totp-key.ts'
import { MFA_SIGNED_PATHS } from '../../src/services/account.ts'
import { InvalidMfaCodeError, MfaRefusedError } from '../../src/services/errors.ts'
import type { RunningHttpServer } from '../../src/server/http/node-server.ts'
import { registerServerWireErrors } from '../../src/server/http/wire-errors.ts'
import { loginAuth, loginDataFor, newUser, signUp, signedRequestAuth, signedTime, type TestUser } from '../conformance/pki-users.ts'
import { openServicesStack, type ServicesStack } from '../conformance/services-stack.ts'
import { serveOverHttp } from './harness.ts'

registerServerWireErrors()

let stack: ServicesStack
let server: RunningHttpServer
let alice: TestUser
const LOGIN = '/peergos/v0/login/'

beforeAll(async () => {
  stack = await openServicesStack()
  server = (await serveOverHttp({ account: stack.account, coreNode: stack.coreNode })).server
  alice = newUser(stack.crypto, 'alice', stack.serverId)
  await signUp(stack.crypto, stack.coreNode, alice)
  const data = loginDataFor(stack.crypto, alice)
  await stack.account.setLoginData(data, loginAuth(stack.crypto, alice.identity, data), false)
})
afterAll(async () => {
  await server?.close(100)
  await stack?.close()
})

const auth = (path: keyof typeof MFA_SIGNED_PATHS) => bytesToHex(signedRequestAuth(stack.crypto, alice.identity, MFA_SIGNED_PATHS[path]))

async function post(pathAndQuery: string, body: Uint8Array = new Uint8Array(0)): Promise<{ status: number; body: Uint8Array; trailer: string | null; type: string | null }> {
  const r = await fetch(server.url + pathAndQuery, { method: 'POST', body: new Uint8Array(body) })
  return { status: r.status, body: new Uint8Array(await r.arrayBuffer()), trailer: r.headers.get('trailer'), type: r.headers.get('content-type') }
}

const getLogin = (extra: string) => post(`${LOGIN}getLogin?username=alice&author=${bytesToHex(encodeCbor(publicSigningKeyToCbor(alice.login.publicKey)))}` +
  `&auth=${bytesToHex(signedTime(stack.crypto, alice.login))}&proxy=false${extra}`)

describe('second-factor routes on the wire', () => {
  it('replies as AccountHandler: TotpKey text, CBOR true, CBOR method lists and BackupCodes', async () => {
    const listed = await post(`${LOGIN}listMfa?username=alice&auth=${auth('listMfa')}`)
    expect([listed.status, bytesToHex(listed.body)]).toEqual([200, '80'])

    const added = await post(`${LOGIN}addTotp?username=alice&auth=${auth('addTotp')}`)
    const text = new TextDecoder().decode(added.body)
    expect(text).toMatch(/^[A-Z2-7]{52}:[A-Z2-7]{52}$/)
    const key = decodeTotpKey(text)

    const code = totp(stack.crypto, key.key, Date.now())
    const enabled = await post(`${LOGIN}enableTotp?username=alice&credid=${bytesToHex(key.credentialId)}&auth=${auth('enableTotp')}&code=${code}`)
    expect([enabled.status, bytesToHex(enabled.body)]).toEqual([200, 'f5'])

    const methods = decodeMfaMethods((await post(`${LOGIN}listMfa?username=alice&auth=${auth('listMfa')}`)).body)
    expect(methods.map((m) => [m.type, m.enabled, bytesToHex(m.credentialId)])).toEqual([[MFA_TYPE.TOTP, true, bytesToHex(key.credentialId)]])

    const codes = decodeBackupCodes((await post(`${LOGIN}genBackupCodes?username=alice&auth=${auth('genBackupCodes')}`)).body)
    expect(codes.codes).toHaveLength(10)
  })

  it('offers backup codes only to clients that announce them, and never a type they did not name', async () => {
    const types = async (extra: string) => {
      const r = await getLogin(extra)
      expect(r.status).toBe(200)
      // LoginResponse {a: false, r: MultiFactorAuthRequest}
      const response = Fields.of(decodeCbor(r.body), 'LoginResponse')
      expect(response.bool('a')).toBe(false)
      return mfaRequestFromCbor(response.req('r')).methods.map((m) => m.type)
    }
    expect(await types('&mfaTypes=1,2,3,4')).toEqual([MFA_TYPE.TOTP, MFA_TYPE.BACKUP_CODES])
    expect(await types('')).toEqual([MFA_TYPE.TOTP])
    expect(await types('&mfaTypes=3')).toEqual([MFA_TYPE.BACKUP_CODES])
    const bad = await getLogin('&mfaTypes=1;2')
    expect([bad.status, bad.trailer]).toEqual([400, "Invalid+parameter+%27mfaTypes%27%3A+not+a+list+of+second+factor+types"])
  })

  it("answers the WebAuthn and mount methods with AccountHandler's unknown-method error", async () => {
    for (const method of ['registerWebauthnStart', 'registerWebauthnComplete', 'addMount', 'enableMount']) {
      const r = await post(`${LOGIN}${method}?username=alice&auth=00`, method === 'registerWebauthnComplete' ? new Uint8Array(100) : undefined)
      expect([r.status, r.trailer]).toEqual([400, 'Unknown+method+in+AccountHandler%21'])
    }
  })

  it('refuses malformed parameters before any work', async () => {
    const cases: Array<[string, RegExp]> = [
      [`enableTotp?username=alice&credid=zz&auth=${auth('enableTotp')}&code=123456`, /credid.*not\+hex/],
      [`enableTotp?username=alice&credid=${'00'.repeat(1024)}&auth=${auth('enableTotp')}&code=123456`, /credid.*too\+long/],
      [`enableTotp?username=alice&credid=00&auth=${auth('enableTotp')}&code=${'1'.repeat(65)}`, /code.*too\+long/],
      [`deleteMfa?username=alice&auth=${auth('deleteMfa')}`, /Missing\+parameter\+%27credid%27/],
      [`listMfa?username=al%2Fice&auth=${auth('listMfa')}`, /username/],
      [`listMfa?username=alice`, /Missing\+parameter\+%27auth%27/],
    ]
    for (const [q, trailer] of cases) {
      const r = await post(LOGIN + q)
      expect(r.status).toBe(400)
      expect(r.trailer).toMatch(trailer)
    }
  })

  it("maps Peergos' second-factor texts to named errors when no class header comes", () => {
    expect(errorFromWire(400, 'Invalid+TOTP+code+for+credId+00ff', null)).toBeInstanceOf(InvalidMfaCodeError)
    expect(errorFromWire(400, 'Invalid+backup+code+for+credId+00ff', null)).toBeInstanceOf(InvalidMfaCodeError)
    for (const text of ['Too many multi factor auth methods. Please delete some.', 'Unknown credential id for user alice', 'Second factor 00ff is not a TOTP!',
      'Please set up an authenticator app or security key before generating backup codes.', 'Not a webauthn credential!', 'Unknown method in AccountHandler!']) {
      const e = errorFromWire(400, encodeURIComponent(text), null)
      expect([e.name, e.message]).toEqual(['MfaRefusedError', text])
    }
    expect(errorFromWire(400, 'Invalid+TOTP', null)).not.toBeInstanceOf(InvalidMfaCodeError)
    expect(new MfaRefusedError('x')).not.toBeInstanceOf(InvalidMfaCodeError)
  })
})
