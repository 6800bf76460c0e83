// The proof of the second factor (reference §5.4; Peergos RamUserTests.mfa, backupCodes): a fresh daemon,
// over HTTP only. A new user enables a TOTP through the otpauth URI's key; then sign-in with the password
// alone stops at the MultiFactorAuthRequest, and succeeds with this step's code and with the previous
// step's; a wrong code is refused; a backup code signs in once; deleting the TOTP ends the second factor.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import {
  answerWithCode, codeResponder, deleteSecondFactor, enableTotp, generateBackupCodes, listSecondFactors, mfaUserOf, SecondFactorUnavailableError, totpCode, totpResponder,
  type MfaUser, type TotpSetup,
} from '../../src/client/mfa.ts'
import { signIn, type SignedIn } from '../../src/client/sign-in.ts'
import { signUp } from '../../src/client/signup.ts'
import { base32Decode } from '../../src/codec/base32.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { formatBackupCode } from '../../src/model/backup-codes.ts'
import { MFA_TYPE, type MultiFactorAuthRequest } from '../../src/model/mfa.ts'
import { InvalidMfaCodeError, MfaRequiredError } from '../../src/services/errors.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'

const PASSWORD = 'a long and unusual password'
const STEP = 30_000

let dir: string
let daemon: RunningDaemon
let net: HttpNetworkServices & { crypto: RunningDaemon['crypto'] }
let alice: SignedIn
let user: MfaUser
let totp: TotpSetup

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pts-mfa-'))
  daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0']), createLogger('silent'))
  net = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
  await signUp(net, 'alice', PASSWORD)
  alice = await signIn(net, 'alice', PASSWORD)
  user = mfaUserOf(alice)
}, 60_000)
afterAll(async () => {
  await daemon?.close()
  await rm(dir, { recursive: true, force: true })
})

/** The identity's entry points, to compare sign-ins. */
const home = (s: SignedIn) => s.entryPoints.entries.map((e) => e.ownerName)

/** Waits out the last seconds of a TOTP step, so a code computed now reaches the server in the same step. */
async function awayFromStepEnd(): Promise<void> {
  const left = STEP - (Date.now() % STEP)
  if (left < 3000) await new Promise((r) => setTimeout(r, left + 100))
}

it('enables a TOTP from the otpauth URI the client is given, confirmed by a code from its key', async () => {
  expect(await listSecondFactors(net, user)).toEqual([])
  totp = await enableTotp(net, user, async (setup) => {
    // What an authenticator app reads from the QR code: the key, in base32, under issuer "peergos".
    const m = /^otpauth:\/\/totp\/peergos:alice@peergos\?secret=([A-Z2-7]+)&issuer=peergos$/.exec(setup.uri)
    expect(m).not.toBeNull()
    expect(base32Decode(m![1])).toEqual(setup.key.key)
    await awayFromStepEnd()
    return totpCode(net.crypto, { credentialId: setup.key.credentialId, key: base32Decode(m![1]) })
  })
  const methods = await listSecondFactors(net, user)
  expect(methods.map((m) => [m.type, m.enabled])).toEqual([[MFA_TYPE.TOTP, true]])
  expect(methods[0].credentialId).toEqual(totp.key.credentialId)
}, 30_000)

it('refuses sign-in with the password alone, and asks for the TOTP', async () => {
  const e = await signIn(net, 'alice', PASSWORD).then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(MfaRequiredError)
  // And a wrong password is still just a wrong password.
  await expect(signIn(net, 'alice', 'not the password', async () => { throw new Error('not asked') })).rejects.toThrow(/Incorrect username or password/)
}, 60_000)

it("signs in with this step's code, and with the previous step's", async () => {
  const asked: MultiFactorAuthRequest[] = []
  const current = await signIn(net, 'alice', PASSWORD, async (request) => {
    asked.push(request)
    return answerWithCode(request, totpCode(net.crypto, totp.key))
  })
  expect(home(current)).toEqual(home(alice))
  expect(asked).toHaveLength(1)
  expect(asked[0].methods.map((m) => m.type)).toEqual([MFA_TYPE.TOTP])
  expect(asked[0].challenge.length).toBe(32)

  const previous = await signIn(net, 'alice', PASSWORD, codeResponder(async () => {
    await awayFromStepEnd()
    return totpCode(net.crypto, totp.key, Date.now() - STEP)
  }))
  expect(home(previous)).toEqual(home(alice))
  // A device holding the key answers by itself.
  expect(home(await signIn(net, 'alice', PASSWORD, totpResponder(net.crypto, totp.key)))).toEqual(home(alice))
}, 90_000)

it('refuses a wrong code', async () => {
  const wrong = codeResponder(async () => {
    await awayFromStepEnd()
    const now = Date.now()
    // A code two steps old, unless it happens to equal one of the two accepted codes.
    for (const back of [2, 3, 4]) {
      const code = totpCode(net.crypto, totp.key, now - back * STEP)
      if (code !== totpCode(net.crypto, totp.key, now) && code !== totpCode(net.crypto, totp.key, now - STEP)) return code
    }
    throw new Error('no distinct stale code')
  })
  await expect(signIn(net, 'alice', PASSWORD, wrong)).rejects.toThrow(InvalidMfaCodeError)
  // Not six digits, so a backup code, and this account has none yet: the client says so without asking the server.
  await expect(signIn(net, 'alice', PASSWORD, codeResponder(async () => '000000x'))).rejects.toThrow(SecondFactorUnavailableError)
}, 60_000)

it('signs in with a backup code once', async () => {
  const codes = await generateBackupCodes(net, user)
  expect(codes.codes).toHaveLength(10)
  const withCode = (code: string) => codeResponder(async (request) => {
    expect(request.methods.map((m) => m.type)).toEqual([MFA_TYPE.TOTP, MFA_TYPE.BACKUP_CODES])
    return code
  })
  expect(home(await signIn(net, 'alice', PASSWORD, withCode(formatBackupCode(codes.codes[0]).toUpperCase())))).toEqual(home(alice))
  await expect(signIn(net, 'alice', PASSWORD, withCode(codes.codes[0]))).rejects.toThrow(/^Invalid backup code for credId [0-9a-f]{64}$/)
  expect((await listSecondFactors(net, user)).find((m) => m.type === MFA_TYPE.BACKUP_CODES)?.name).toBe('9')
}, 60_000)

it('deleting the TOTP removes the backup codes too, and sign-in needs no second factor again', async () => {
  expect(await deleteSecondFactor(net, user, totp.key.credentialId)).toBe(true)
  expect(await listSecondFactors(net, user)).toEqual([])
  expect(home(await signIn(net, 'alice', PASSWORD))).toEqual(home(alice))
}, 60_000)
