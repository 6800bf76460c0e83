// LocalSecondFactors on every SQL dialect with a clock the test moves: JdbcAccount's TOTP rules (enable by
// code, one TOTP at a time, this step and the previous one only), backup codes (need a factor, single use,
// any typed form, racing logins redeem a code once, regenerating and deleting), and the login gate.
import { beforeAll, beforeEach, expect, it } from 'vitest'
import { CborDecodeError } from '../../../src/codec/errors.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { totp } from '../../../src/crypto/totp.ts'
import { formatBackupCode } from '../../../src/model/backup-codes.ts'
import { bytesToHex } from '../../../src/model/bytes.ts'
import { decodeMfaRequest, encodeMfaResponse, MFA_TYPE } from '../../../src/model/mfa.ts'
import { MAX_MFA, MfaStore } from '../../../src/server/db/mfa-store.ts'
import { LocalSecondFactors } from '../../../src/server/services/local-second-factors.ts'
import { InvalidMfaCodeError, MfaRefusedError, MfaRequiredError } from '../../../src/services/errors.ts'
import { describeDialects } from '../db/dialects.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const STEP = 30_000
/** 10 s into a step, on 2023-11-14. */
const T0 = 56_666_667 * STEP + 10_000

async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(Error)
  return e as Error
}

describeDialects('LocalSecondFactors', (d) => {
  let store: MfaStore
  let factors: LocalSecondFactors
  let now: number
  const answer = (credentialId: Uint8Array, response: string) => encodeMfaResponse({ credentialId, response })
  const codeAt = (key: Uint8Array, millis: number) => totp(c, key, millis)
  /** A TOTP added and enabled with the current code. */
  const enabledTotp = async (username = 'alice') => {
    const k = await factors.addTotp(username)
    expect(await factors.enableTotp(username, k.credentialId, codeAt(k.key, now))).toBe(true)
    return k
  }

  beforeEach(async () => {
    store = await MfaStore.open(await d.open())
    now = T0
    factors = new LocalSecondFactors({ crypto: c, mfa: store, now: () => now })
  })

  it('adds a TOTP hidden until a code from its key enables it, within this step or the previous one', async () => {
    const k = await factors.addTotp('alice')
    expect([k.credentialId.length, k.key.length]).toEqual([32, 32])
    expect(await factors.list('alice')).toEqual([])
    const wrong = await refusal(factors.enableTotp('alice', k.credentialId, codeAt(k.key, now - 2 * STEP)))
    expect(wrong).toBeInstanceOf(InvalidMfaCodeError)
    expect(wrong.message).toBe(`Invalid TOTP code for credId ${bytesToHex(k.credentialId)}`)
    expect(await factors.enableTotp('alice', k.credentialId, codeAt(k.key, now - STEP))).toBe(true)
    const [m] = await factors.list('alice')
    expect(m).toEqual({ name: '', credentialId: k.credentialId, created: Math.floor(T0 / 86_400_000), type: MFA_TYPE.TOTP, enabled: true })
  })

  it('asks for the factor, then takes the current and the previous step only', async () => {
    await factors.check('alice', undefined) // no factor: no question
    const k = await enabledTotp()
    const asked = await refusal(factors.check('alice', undefined))
    expect(asked).toBeInstanceOf(MfaRequiredError)
    const request = decodeMfaRequest((asked as MfaRequiredError).request)
    expect(request.methods).toEqual(await factors.list('alice'))
    expect(request.challenge).toEqual(await store.getChallenge('alice'))
    expect(request.challenge.length).toBe(32)

    await factors.check('alice', answer(k.credentialId, codeAt(k.key, now)))
    await factors.check('alice', answer(k.credentialId, codeAt(k.key, now - STEP)))
    // The same code again: Peergos keeps no record of used TOTP codes, so it is accepted within its window.
    await factors.check('alice', answer(k.credentialId, codeAt(k.key, now)))
    const older = codeAt(k.key, now - 2 * STEP)
    const newer = codeAt(k.key, now + STEP)
    const current = codeAt(k.key, now)
    const previous = codeAt(k.key, now - STEP)
    for (const code of [older, newer, '000000', '', 'abcdef']) {
      if (code === current || code === previous) continue // a coincidence of six digits is still the right code
      const e = await refusal(factors.check('alice', answer(k.credentialId, code)))
      expect([e.name, e.message]).toEqual(['InvalidMfaCodeError', `Invalid TOTP code for credId ${bytesToHex(k.credentialId)}`])
      // A right code in between: five wrong ones in a row would lock the next answer out (second-factor-attempts.test.ts).
      await factors.check('alice', answer(k.credentialId, current))
    }
    // Half a minute later the current code is the previous one, and still good; a minute later it is not.
    now += STEP
    await factors.check('alice', answer(k.credentialId, current))
    now += STEP
    if (current !== codeAt(k.key, now) && current !== codeAt(k.key, now - STEP)) {
      await expect(factors.check('alice', answer(k.credentialId, current))).rejects.toThrow(InvalidMfaCodeError)
    }
  })

  it('keeps one TOTP: enabling a new one deletes the old, whose codes then name an unknown credential', async () => {
    const first = await enabledTotp()
    const second = await factors.addTotp('alice')
    // An unverified TOTP answers no login, and another addTotp drops it.
    await expect(factors.check('alice', answer(second.credentialId, codeAt(second.key, now)))).rejects.toThrow('Unknown credential id for user alice')
    const third = await factors.addTotp('alice')
    expect(await store.get('alice', second.credentialId)).toBeUndefined()
    expect(await factors.enableTotp('alice', third.credentialId, codeAt(third.key, now))).toBe(true)
    expect((await factors.list('alice')).map((m) => bytesToHex(m.credentialId))).toEqual([bytesToHex(third.credentialId)])
    const e = await refusal(factors.check('alice', answer(first.credentialId, codeAt(first.key, now))))
    expect([e.name, e.message]).toEqual(['MfaRefusedError', 'Unknown credential id for user alice'])
    await factors.check('alice', answer(third.credentialId, codeAt(third.key, now)))
    // Another user's credential is unknown to alice.
    const bobs = await enabledTotp('bob')
    await expect(factors.check('alice', answer(bobs.credentialId, codeAt(bobs.key, now)))).rejects.toThrow('Unknown credential id for user alice')
  })

  it("refuses Peergos' way: unknown or non-TOTP credentials, too many factors, webauthn answers, junk answers", async () => {
    await expect(factors.enableTotp('alice', new Uint8Array(32), '123456')).rejects.toThrow(new MfaRefusedError('Unknown credential id for user alice'))
    await enabledTotp()
    const codes = await factors.generateBackupCodes('alice')
    await expect(factors.enableTotp('alice', codes.credentialId, '123456')).rejects.toThrow(`Second factor ${bytesToHex(codes.credentialId)} is not a TOTP!`)
    const webauthn = encodeMfaResponse({ credentialId: codes.credentialId, response: { authenticatorData: new Uint8Array(1), clientDataJson: new Uint8Array(1), signature: new Uint8Array(1) } })
    await expect(factors.check('alice', webauthn)).rejects.toThrow(new MfaRefusedError('Not a webauthn credential!'))
    await expect(factors.check('alice', new Uint8Array([0xa1, 0x61]))).rejects.toThrow(CborDecodeError)
    // Two factors so far; fill up to MAX_MFA with other rows, then a TOTP setup is refused.
    for (let i = 0; i < MAX_MFA - 2; i++) {
      await store.add({ username: 'alice', name: `key${i}`, credentialId: c.randomBytes(32), type: MFA_TYPE.WEBAUTHN, enabled: true, created: 1, value: new Uint8Array(1) })
    }
    await expect(factors.addTotp('alice')).rejects.toThrow(new MfaRefusedError('Too many multi factor auth methods. Please delete some.'))
  })

  it('makes backup codes only for an account with a factor to back up (a device MOUNT is not one)', async () => {
    const refusedMessage = 'Please set up an authenticator app or security key before generating backup codes.'
    await expect(factors.generateBackupCodes('alice')).rejects.toThrow(new MfaRefusedError(refusedMessage))
    const mount = { username: 'alice', name: 'Linux drive', credentialId: c.randomBytes(32), type: MFA_TYPE.MOUNT, enabled: true, created: 1, value: c.randomBytes(32) }
    await store.add(mount)
    await expect(factors.generateBackupCodes('alice')).rejects.toThrow(refusedMessage)
    // A MOUNT alone challenges nobody.
    await factors.check('alice', undefined)
    await enabledTotp()
    // Enrolling a TOTP makes no codes by itself.
    expect((await factors.list('alice')).map((m) => m.type)).toEqual([MFA_TYPE.MOUNT, MFA_TYPE.TOTP])
    const codes = await factors.generateBackupCodes('alice')
    expect(codes.codes).toHaveLength(10)
    expect(new Set(codes.codes).size).toBe(10)
    for (const code of codes.codes) expect(code).toMatch(/^[a-z2-7]{10}$/)
  })

  it('takes each backup code once, in any typed form; regenerating and exhausting end a set', async () => {
    const k = await enabledTotp()
    const codes = await factors.generateBackupCodes('alice')
    const remaining = async () => (await factors.list('alice')).find((m) => m.type === MFA_TYPE.BACKUP_CODES)?.name ?? 'none'
    expect(await remaining()).toBe('10')
    const asked = decodeMfaRequest((await refusal(factors.check('alice', undefined)) as MfaRequiredError).request)
    expect(asked.methods.map((m) => m.type)).toEqual([MFA_TYPE.TOTP, MFA_TYPE.BACKUP_CODES])

    await factors.check('alice', answer(codes.credentialId, codes.codes[0].toUpperCase()))
    expect(await remaining()).toBe('9')
    await factors.check('alice', answer(codes.credentialId, formatBackupCode(codes.codes[1])))
    expect(await remaining()).toBe('8')
    for (const reused of [codes.codes[0], 'aaaaaaaaaa', '']) {
      const e = await refusal(factors.check('alice', answer(codes.credentialId, reused)))
      expect([e.name, e.message]).toEqual(['InvalidMfaCodeError', `Invalid backup code for credId ${bytesToHex(codes.credentialId)}`])
    }
    expect(await remaining()).toBe('8')
    // The TOTP still works beside the codes.
    await factors.check('alice', answer(k.credentialId, codeAt(k.key, now)))

    const fresh = await factors.generateBackupCodes('alice')
    expect(await remaining()).toBe('10')
    await expect(factors.check('alice', answer(codes.credentialId, codes.codes[2]))).rejects.toThrow('Unknown credential id for user alice')
    await expect(factors.check('alice', answer(fresh.credentialId, codes.codes[2]))).rejects.toThrow(InvalidMfaCodeError)
    for (const code of fresh.codes) await factors.check('alice', answer(fresh.credentialId, code))
    // An exhausted set is no longer a method, and answers nothing.
    expect((await factors.list('alice')).map((m) => m.type)).toEqual([MFA_TYPE.TOTP])
    await expect(factors.check('alice', answer(fresh.credentialId, fresh.codes[0]))).rejects.toThrow(InvalidMfaCodeError)
  })

  it('lets two logins racing on one backup code redeem it once, and on two codes both', async () => {
    await enabledTotp()
    const codes = await factors.generateBackupCodes('alice')
    const race = async (a: string, b: string) => Promise.allSettled([a, b].map((code) => factors.check('alice', answer(codes.credentialId, code))))
    const same = await race(codes.codes[0], codes.codes[0])
    expect(same.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const lost = same.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect(lost.reason).toBeInstanceOf(InvalidMfaCodeError)
    expect((await store.get('alice', codes.credentialId))!.name).toBe('9')
    const different = await race(codes.codes[1], codes.codes[2])
    expect(different.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled'])
    expect((await store.get('alice', codes.credentialId))!.name).toBe('7')
  })

  it('deletes a factor, and the backup codes with the last factor they back up', async () => {
    const k = await enabledTotp()
    const codes = await factors.generateBackupCodes('alice')
    expect(await factors.remove('alice', new Uint8Array(32))).toBe(true) // Peergos replies true for anything
    expect(await factors.list('alice')).toHaveLength(2)
    expect(await factors.remove('alice', k.credentialId)).toBe(true)
    expect(await factors.list('alice')).toEqual([])
    expect(await store.get('alice', codes.credentialId)).toBeUndefined()
    await factors.check('alice', undefined)
    // Deleting only the codes keeps the TOTP.
    const again = await enabledTotp()
    const more = await factors.generateBackupCodes('alice')
    await factors.remove('alice', more.credentialId)
    expect((await factors.list('alice')).map((m) => bytesToHex(m.credentialId))).toEqual([bytesToHex(again.credentialId)])
  })
})
