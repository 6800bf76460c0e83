// The guess limit on second-factor codes, on LocalSecondFactors over SQLite with a clock the test moves:
// five wrong codes in five minutes and every answer is refused with RateLimitError (the right code too,
// unchecked, so a backup code is not burned), until the oldest failure leaves the window; a right code
// clears the count; answers sent in parallel are counted before they are checked; refusals that are no
// guess (unknown credential, junk) don't count; each user has their own count.
import { beforeAll, beforeEach, expect, it } from 'vitest'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { totp } from '../../../src/crypto/totp.ts'
import { encodeMfaResponse, MFA_TYPE } from '../../../src/model/mfa.ts'
import { SqliteDatabase } from '../../../src/server/db/sqlite.ts'
import { MfaStore } from '../../../src/server/db/mfa-store.ts'
import { LocalSecondFactors } from '../../../src/server/services/local-second-factors.ts'
import {
  MAX_SECOND_FACTOR_FAILURES, SECOND_FACTOR_RATE_LIMIT_MESSAGE, SECOND_FACTOR_WINDOW_MS, SecondFactorAttempts,
} from '../../../src/server/services/second-factor-attempts.ts'
import { InvalidMfaCodeError, MfaRefusedError, RateLimitError } from '../../../src/services/errors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const STEP = 30_000
/** 10 s into a step. */
const T0 = 56_666_667 * STEP + 10_000

let store: MfaStore
let factors: LocalSecondFactors
let now: number
const answer = (credentialId: Uint8Array, response: string) => encodeMfaResponse({ credentialId, response })

/** A TOTP enabled for `username`, and a code from it that is wrong at `now` (and stays wrong for a while). */
async function enabledTotp(username: string): Promise<{ credentialId: Uint8Array; key: Uint8Array; right: () => string; wrong: string }> {
  const k = await factors.addTotp(username)
  const right = () => totp(c, k.key, now)
  expect(await factors.enableTotp(username, k.credentialId, right())).toBe(true)
  let wrong = '000000'
  for (let n = 0; wrong === right() || wrong === totp(c, k.key, now - STEP); n++) wrong = String(n).padStart(6, '0')
  return { ...k, right, wrong }
}

async function refusal(p: Promise<unknown>): Promise<Error> {
  const e = await p.then(() => undefined, (err: unknown) => err)
  expect(e).toBeInstanceOf(Error)
  return e as Error
}

beforeEach(async () => {
  store = await MfaStore.open(new SqliteDatabase({ path: ':memory:' }))
  now = T0
  factors = new LocalSecondFactors({ crypto: c, mfa: store, now: () => now })
})

it('refuses every answer after five wrong codes, until the oldest leaves the five-minute window', async () => {
  expect([MAX_SECOND_FACTOR_FAILURES, SECOND_FACTOR_WINDOW_MS]).toEqual([5, 300_000])
  const t = await enabledTotp('alice')
  const codes = await factors.generateBackupCodes('alice')
  for (let i = 0; i < 5; i++) {
    expect(await refusal(factors.check('alice', answer(t.credentialId, t.wrong)))).toBeInstanceOf(InvalidMfaCodeError)
    if (i === 0) now += 60_000 // the first failure is a minute older than the others
  }
  for (const right of [answer(t.credentialId, t.right()), answer(codes.credentialId, codes.codes[0])]) {
    const e = await refusal(factors.check('alice', right))
    expect([e.constructor, e.message]).toEqual([RateLimitError, SECOND_FACTOR_RATE_LIMIT_MESSAGE])
  }
  // Refused unchecked: the backup code is still there.
  expect((await factors.list('alice')).find((m) => m.type === MFA_TYPE.BACKUP_CODES)?.name).toBe('10')

  // Four minutes later the first failure is five minutes old and gone: one answer may be tried.
  now += 4 * 60_000
  expect(await refusal(factors.check('alice', answer(t.credentialId, t.wrong)))).toBeInstanceOf(InvalidMfaCodeError)
  expect(await refusal(factors.check('alice', answer(t.credentialId, t.right())))).toBeInstanceOf(RateLimitError)
  // A minute on, the other four are gone too, and the right code signs in.
  now += 60_000
  await factors.check('alice', answer(codes.credentialId, codes.codes[0]))
  await factors.check('alice', answer(t.credentialId, t.right()))
})

it('clears the count on a right code, so an owner who mistypes is not locked out', async () => {
  const t = await enabledTotp('alice')
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 4; i++) await expect(factors.check('alice', answer(t.credentialId, t.wrong))).rejects.toThrow(InvalidMfaCodeError)
    await factors.check('alice', answer(t.credentialId, t.right()))
  }
})

it('counts answers sent in parallel before checking them: of twenty at once, five are checked', async () => {
  const t = await enabledTotp('alice')
  const results = await Promise.allSettled(Array.from({ length: 20 }, () => factors.check('alice', answer(t.credentialId, t.wrong))))
  const reasons = results.map((r) => (r.status === 'rejected' ? (r.reason as Error).constructor : undefined))
  expect(reasons.filter((r) => r === InvalidMfaCodeError)).toHaveLength(5)
  expect(reasons.filter((r) => r === RateLimitError)).toHaveLength(15)
})

it('does not count refusals that are no guess: unknown credentials, junk, webauthn answers', async () => {
  const t = await enabledTotp('alice')
  for (let i = 0; i < 10; i++) {
    await expect(factors.check('alice', answer(c.randomBytes(32), '123456'))).rejects.toThrow(MfaRefusedError)
    await expect(factors.check('alice', new Uint8Array([0xa1, 0x61]))).rejects.toThrow()
  }
  await factors.check('alice', answer(t.credentialId, t.right()))
})

it("keeps one count per user: alice's failures leave bob's logins alone", async () => {
  const a = await enabledTotp('alice')
  const b = await enabledTotp('bob')
  for (let i = 0; i < 5; i++) await expect(factors.check('alice', answer(a.credentialId, a.wrong))).rejects.toThrow(InvalidMfaCodeError)
  await expect(factors.check('alice', answer(a.credentialId, a.right()))).rejects.toThrow(RateLimitError)
  await factors.check('bob', answer(b.credentialId, b.right()))
  // Asking for the factor is no answer: alice is still asked, and no count is touched.
  await expect(factors.check('alice', undefined)).rejects.toThrow('A second factor is required to log in')
})

it('SecondFactorAttempts: a withdrawn attempt frees its place; a clock that goes back keeps the failures', () => {
  let t = 1_000_000
  const attempts = new SecondFactorAttempts({ maxFailures: 2, windowMs: 1000, now: () => t })
  attempts.begin('u')
  const second = attempts.begin('u')
  expect(() => attempts.begin('u')).toThrow(RateLimitError)
  second.withdrawn()
  second.withdrawn() // settling twice changes nothing
  expect(attempts.count('u')).toBe(1)
  attempts.begin('u')
  t -= 5000
  expect(() => attempts.begin('u')).toThrow(RateLimitError)
  t += 6000
  expect(attempts.count('u')).toBe(0)
  attempts.begin('u').succeeded()
  expect(attempts.count('u')).toBe(0)
})
