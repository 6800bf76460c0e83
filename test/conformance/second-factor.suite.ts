// Account conformance, second factors (reference §5.4; Peergos RamUserTests.mfa, backupCodes,
// concurrentBackupCodeUse): TOTP setup by code, getLogin's MultiFactorAuthRequest and its answers (this
// step's or the previous step's code, a backup code once), the limit on wrong codes, deleting factors, and
// the identity's signed request that authorises each method. Run by runAccountSuite wherever it runs (local, HTTP, Postgres).
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { totp } from '../../src/crypto/totp.ts'
import { decodeMfaRequest, encodeMfaResponse, MFA_TYPE, type MultiFactorAuthRequest } from '../../src/model/mfa.ts'
import type { TotpKey } from '../../src/model/totp-key.ts'
import { userStaticDataToCbor } from '../../src/model/user-static-data.ts'
import { MFA_SIGNED_PATHS } from '../../src/services/account.ts'
import { MfaRequiredError } from '../../src/services/errors.ts'
import { keyPair, loginAuth, loginDataFor, newUser, signUp, signedRequestAuth, signedTime, type KeyPair, type TestUser } from './pki-users.ts'
import { expectRefused, type ServicesFactory, type ServicesFixture } from './services-fixture.ts'

const STEP = 30_000
const HOUR = 3600_000
const INVALID_TOTP = /^Invalid TOTP code for credId [0-9a-f]{64}$/
const INVALID_BACKUP = /^Invalid backup code for credId [0-9a-f]{64}$/

/** Waits out the last seconds of a TOTP step, so a code computed now is checked in the same step. */
async function awayFromStepEnd(): Promise<void> {
  const left = STEP - (Date.now() % STEP)
  if (left < 3000) await new Promise((r) => setTimeout(r, left + 100))
}

export function runSecondFactorSuite(name: string, factory: ServicesFactory): void {
  describe(`Account conformance, second factors: ${name}`, () => {
    let f: ServicesFixture
    let alice: TestUser
    let entry: string
    const hex = (b: Uint8Array) => Buffer.from(b).toString('hex')
    const auth = (path: keyof typeof MFA_SIGNED_PATHS, key: KeyPair = alice.identity, millis = Date.now()) =>
      signedRequestAuth(f.crypto, key, MFA_SIGNED_PATHS[path], millis)
    const login = async (mfa?: Uint8Array, reader: KeyPair = alice.login): Promise<string> =>
      hex(encodeCbor(userStaticDataToCbor(await f.account.getLoginData('alice', reader.publicKey, signedTime(f.crypto, reader), mfa))))
    const answer = (credentialId: Uint8Array, response: string) => encodeMfaResponse({ credentialId, response })
    /** The MultiFactorAuthRequest getLogin answers with when no second factor is sent. */
    const asked = async (): Promise<MultiFactorAuthRequest> => {
      const e = await login().then(() => undefined, (err: unknown) => err)
      expect(e).toBeInstanceOf(MfaRequiredError)
      return decodeMfaRequest((e as MfaRequiredError).request)
    }
    const list = () => f.account.getSecondAuthMethods('alice', auth('listMfa'))
    const enabledTotp = async (): Promise<TotpKey> => {
      const key = await f.account.addTotpFactor('alice', auth('addTotp'))
      await awayFromStepEnd()
      expect(await f.account.enableTotpFactor('alice', key.credentialId, totp(f.crypto, key.key, Date.now()), auth('enableTotp'))).toBe(true)
      return key
    }

    beforeEach(async () => {
      f = await factory()
      alice = newUser(f.crypto, 'alice', f.serverId)
      const data = loginDataFor(f.crypto, alice)
      await signUp(f.crypto, f.coreNode, alice, undefined)
      await f.account.setLoginData(data, loginAuth(f.crypto, alice.identity, data), false)
      entry = hex(encodeCbor(userStaticDataToCbor(data.entryPoints)))
    })
    afterEach(async () => {
      await f.close()
    })

    it('lists no factor at first; a TOTP is listed, and asked for, only once a code from its key enabled it', async () => {
      expect(await list()).toEqual([])
      const key = await f.account.addTotpFactor('alice', auth('addTotp'))
      expect([key.credentialId.length, key.key.length]).toEqual([32, 32])
      expect(await list()).toEqual([])
      expect(await login()).toBe(entry)
      await awayFromStepEnd()
      const stale = totp(f.crypto, key.key, Date.now() - 2 * STEP)
      if (stale !== totp(f.crypto, key.key, Date.now()) && stale !== totp(f.crypto, key.key, Date.now() - STEP)) {
        await expectRefused(f, f.account.enableTotpFactor('alice', key.credentialId, stale, auth('enableTotp')), INVALID_TOTP, 'InvalidMfaCodeError')
      }
      await expectRefused(f, f.account.enableTotpFactor('alice', key.credentialId, 'abcdef', auth('enableTotp')), INVALID_TOTP, 'InvalidMfaCodeError')
      expect(await f.account.enableTotpFactor('alice', key.credentialId, totp(f.crypto, key.key, Date.now()), auth('enableTotp'))).toBe(true)
      const methods = await list()
      expect(methods.map((m) => [m.type, m.enabled, m.name, hex(m.credentialId)])).toEqual([[MFA_TYPE.TOTP, true, '', hex(key.credentialId)]])
    })

    it("getLogin asks for the factor, then serves the login data for this step's or the previous step's code", async () => {
      const key = await enabledTotp()
      const request = await asked()
      expect(request.methods.map((m) => [m.type, hex(m.credentialId)])).toEqual([[MFA_TYPE.TOTP, hex(key.credentialId)]])
      expect(request.challenge.length).toBe(32)
      await awayFromStepEnd()
      expect(await login(answer(key.credentialId, totp(f.crypto, key.key, Date.now())))).toBe(entry)
      expect(await login(answer(key.credentialId, totp(f.crypto, key.key, Date.now() - STEP)))).toBe(entry)
      await expectRefused(f, login(answer(key.credentialId, '12345')), INVALID_TOTP, 'InvalidMfaCodeError')
      await expectRefused(f, login(answer(new Uint8Array(32), '123456')), /^Unknown credential id for user alice$/, 'MfaRefusedError')
      // The password is checked before the second factor: a wrong login key learns nothing about it.
      const wrong = keyPair(f.crypto)
      await expectRefused(f, login(undefined, wrong), /^Incorrect username or password$/, 'IncorrectPasswordError')
    })

    it('after five wrong codes every answer is refused as a rate limit, the right code too; other users are not affected', async () => {
      const key = await enabledTotp()
      const codes = await f.account.generateBackupCodes('alice', auth('genBackupCodes'))
      // A right code clears the count: four wrong, one right, four wrong still leaves room for the right one.
      for (const round of [0, 1]) {
        for (let i = 0; i < 4; i++) await expectRefused(f, login(answer(codes.credentialId, `wrongcode${i}`)), INVALID_BACKUP, 'InvalidMfaCodeError')
        expect(await login(answer(codes.credentialId, codes.codes[round]))).toBe(entry)
      }
      // Refusals of another kind are no guesses.
      for (let i = 0; i < 6; i++) await expectRefused(f, login(answer(new Uint8Array(32), '123456')), /^Unknown credential id for user alice$/, 'MfaRefusedError')
      await expectRefused(f, login(answer(key.credentialId, '12345')), INVALID_TOTP, 'InvalidMfaCodeError')
      for (let i = 0; i < 4; i++) await expectRefused(f, login(answer(codes.credentialId, `wrongcode${i}`)), INVALID_BACKUP, 'InvalidMfaCodeError')
      await awayFromStepEnd()
      const limited = /^Rate Limit: Too many failed second factor attempts\. Please try again later\.$/
      await expectRefused(f, login(answer(key.credentialId, totp(f.crypto, key.key, Date.now()))), limited, 'RateLimitError')
      await expectRefused(f, login(answer(codes.credentialId, codes.codes[2])), limited, 'RateLimitError')
      // Unchecked: the backup code refused above was not burned.
      expect((await list()).find((m) => m.type === MFA_TYPE.BACKUP_CODES)?.name).toBe('8')
      // The password is still checked first, and the question still asked.
      await expectRefused(f, login(undefined, keyPair(f.crypto)), /^Incorrect username or password$/, 'IncorrectPasswordError')
      expect((await asked()).methods.map((m) => m.type)).toEqual([MFA_TYPE.TOTP, MFA_TYPE.BACKUP_CODES])

      // Bob's account has its own count.
      const bob = newUser(f.crypto, 'bob', f.serverId)
      const bobData = loginDataFor(f.crypto, bob)
      await signUp(f.crypto, f.coreNode, bob, undefined)
      await f.account.setLoginData(bobData, loginAuth(f.crypto, bob.identity, bobData), false)
      const bobKey = await f.account.addTotpFactor('bob', signedRequestAuth(f.crypto, bob.identity, MFA_SIGNED_PATHS.addTotp, Date.now()))
      await awayFromStepEnd()
      const bobAuth = signedRequestAuth(f.crypto, bob.identity, MFA_SIGNED_PATHS.enableTotp, Date.now())
      expect(await f.account.enableTotpFactor('bob', bobKey.credentialId, totp(f.crypto, bobKey.key, Date.now()), bobAuth)).toBe(true)
      const bobLogin = f.account.getLoginData('bob', bob.login.publicKey, signedTime(f.crypto, bob.login), answer(bobKey.credentialId, totp(f.crypto, bobKey.key, Date.now())))
      expect(hex(encodeCbor(userStaticDataToCbor(await bobLogin)))).toBe(hex(encodeCbor(userStaticDataToCbor(bobData.entryPoints))))
    })

    it('a new TOTP replaces the old one, whose codes no longer log in', async () => {
      const first = await enabledTotp()
      const second = await enabledTotp()
      expect((await list()).map((m) => hex(m.credentialId))).toEqual([hex(second.credentialId)])
      await awayFromStepEnd()
      await expectRefused(f, login(answer(first.credentialId, totp(f.crypto, first.key, Date.now()))), /^Unknown credential id for user alice$/, 'MfaRefusedError')
      expect(await login(answer(second.credentialId, totp(f.crypto, second.key, Date.now())))).toBe(entry)
    })

    it('backup codes need another factor; each logs in once, in any typed form; racing logins redeem one once', async () => {
      await expectRefused(f, f.account.generateBackupCodes('alice', auth('genBackupCodes')),
        /^Please set up an authenticator app or security key before generating backup codes\.$/, 'MfaRefusedError')
      await enabledTotp()
      const codes = await f.account.generateBackupCodes('alice', auth('genBackupCodes'))
      expect(codes.codes).toHaveLength(10)
      const remaining = async () => (await list()).find((m) => m.type === MFA_TYPE.BACKUP_CODES)?.name
      expect(await remaining()).toBe('10')
      expect((await asked()).methods.map((m) => m.type)).toEqual([MFA_TYPE.TOTP, MFA_TYPE.BACKUP_CODES])

      expect(await login(answer(codes.credentialId, codes.codes[0].toUpperCase()))).toBe(entry)
      await expectRefused(f, login(answer(codes.credentialId, codes.codes[0])), INVALID_BACKUP, 'InvalidMfaCodeError')
      await expectRefused(f, login(answer(codes.credentialId, 'aaaaaaaaaa')), INVALID_BACKUP, 'InvalidMfaCodeError')
      expect(await remaining()).toBe('9')

      const race = await Promise.allSettled([0, 1].map(() => login(answer(codes.credentialId, codes.codes[1]))))
      expect(race.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
      expect(race.filter((r) => r.status === 'rejected').map((r) => ((r as PromiseRejectedResult).reason as Error).message)).toEqual([expect.stringMatching(INVALID_BACKUP)])
      expect(await remaining()).toBe('8')

      // A new set replaces the old one.
      const fresh = await f.account.generateBackupCodes('alice', auth('genBackupCodes'))
      expect(await remaining()).toBe('10')
      await expectRefused(f, login(answer(codes.credentialId, codes.codes[2])), /^Unknown credential id for user alice$/, 'MfaRefusedError')
      expect(await login(answer(fresh.credentialId, fresh.codes[9]))).toBe(entry)
    })

    it('deleteMfa removes a factor, and the backup codes with the last one; logins then need no second factor', async () => {
      const key = await enabledTotp()
      await f.account.generateBackupCodes('alice', auth('genBackupCodes'))
      expect(await list()).toHaveLength(2)
      expect(await f.account.deleteSecondFactor('alice', key.credentialId, auth('deleteMfa'))).toBe(true)
      expect(await list()).toEqual([])
      expect(await login()).toBe(entry)
    })

    it("each method needs the identity's signature of its own path within 24 hours", async () => {
      const calls: Array<[keyof typeof MFA_SIGNED_PATHS, (a: Uint8Array, user?: string) => Promise<unknown>]> = [
        ['listMfa', (a, u = 'alice') => f.account.getSecondAuthMethods(u, a)],
        ['addTotp', (a, u = 'alice') => f.account.addTotpFactor(u, a)],
        ['enableTotp', (a, u = 'alice') => f.account.enableTotpFactor(u, new Uint8Array(32), '123456', a)],
        ['genBackupCodes', (a, u = 'alice') => f.account.generateBackupCodes(u, a)],
        ['deleteMfa', (a, u = 'alice') => f.account.deleteSecondFactor(u, new Uint8Array(32), a)],
      ]
      for (const [path, call] of calls) {
        await expectRefused(f, call(auth(path, alice.login)), /signature/i, 'InvalidSignatureError')
        const other = path === 'listMfa' ? 'deleteMfa' : 'listMfa'
        await expectRefused(f, call(auth(other)), new RegExp(`^Illegal path for signed request: peergos/v0/login/${other}$`), 'InvalidAuthError')
        await expectRefused(f, call(auth(path, alice.identity, Date.now() - 25 * HOUR)), /^Stale auth time, is your clock accurate\?$/, 'AuthExpiredError')
        await expectRefused(f, call(auth(path), 'bob'), /Unknown username/, 'UnknownUserError')
      }
      // Within the window, either side of the server's clock.
      expect(await f.account.getSecondAuthMethods('alice', auth('listMfa', alice.identity, Date.now() - 23 * HOUR))).toEqual([])
      expect(await f.account.getSecondAuthMethods('alice', auth('listMfa', alice.identity, Date.now() + 23 * HOUR))).toEqual([])
      expect(await list()).toEqual([])
    })
  })
}
