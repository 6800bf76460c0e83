// The client's answers to a MultiFactorAuthRequest (src/client/mfa.ts): a typed six-digit code answers
// the newest TOTP, anything else the backup codes; a held key answers with its current code.
import { beforeAll, describe, expect, it } from 'vitest'
import { answerWithCode, codeResponder, mfaUserOf, SecondFactorUnavailableError, totpCode, totpResponder } from '../../src/client/mfa.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { base32Decode } from '../../src/codec/base32.ts'
import { MFA_TYPE, type MultiFactorAuthMethod, type MultiFactorAuthRequest } from '../../src/model/mfa.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createPortableCrypto() })

const method = (type: MultiFactorAuthMethod['type'], id: number): MultiFactorAuthMethod =>
  ({ name: '', credentialId: new Uint8Array([id]), created: 1, type, enabled: true })
const request = (...methods: MultiFactorAuthMethod[]): MultiFactorAuthRequest => ({ methods, challenge: new Uint8Array(32) })

describe('answering a second-factor request', () => {
  it('sends six digits to the last TOTP offered and anything else to the backup codes, as typed', () => {
    const r = request(method(MFA_TYPE.TOTP, 1), method(MFA_TYPE.BACKUP_CODES, 2), method(MFA_TYPE.TOTP, 3))
    expect(answerWithCode(r, ' 012 345 ')).toEqual({ credentialId: new Uint8Array([3]), response: '012345' })
    expect(answerWithCode(r, 'a3f5b-2xqz7')).toEqual({ credentialId: new Uint8Array([2]), response: 'a3f5b-2xqz7' })
    expect(() => answerWithCode(request(method(MFA_TYPE.TOTP, 1)), 'a3f5b-2xqz7')).toThrow(SecondFactorUnavailableError)
    expect(() => answerWithCode(request(method(MFA_TYPE.BACKUP_CODES, 2)), '123456')).toThrow('The server offered no TOTP factor')
  })

  it('asks the user through codeResponder, and computes the code through totpResponder', async () => {
    const r = request(method(MFA_TYPE.TOTP, 7))
    const seen: MultiFactorAuthRequest[] = []
    expect(await codeResponder(async (q) => { seen.push(q); return '654321' })(r)).toEqual({ credentialId: new Uint8Array([7]), response: '654321' })
    expect(seen).toEqual([r])
    // Peergos' TotpTest key: its code at 1 700 000 000 s is 048165 (RFC 6238 with HMAC-SHA1).
    const key = { credentialId: new Uint8Array([7]), key: base32Decode('W6AWIT4QDM3BIHILNZUHRLAQ7DWAC4IODJBUZWHQGKVKA3DVJQ6Q') }
    expect(totpCode(c, key, 1_700_000_000_000)).toBe('048165')
    expect(await totpResponder(c, key, () => 1_700_000_000_000)(r)).toEqual({ credentialId: new Uint8Array([7]), response: '048165' })
  })

  it('manages factors with the identity key, or the login key of a legacy account', () => {
    const loginKeys = { publicKey: new Uint8Array(32), secretKey: new Uint8Array(64).fill(1) }
    const identity = { publicKey: new Uint8Array(32), secretKey: new Uint8Array(64).fill(2) }
    expect(mfaUserOf({ username: 'alice', loginKeys, entryPoints: { version: 2, entries: [], identity } }).identitySecretKey).toEqual(identity.secretKey)
    expect(mfaUserOf({ username: 'alice', loginKeys, entryPoints: { version: 1, entries: [] } }).identitySecretKey).toEqual(loginKeys.secretKey)
  })
})
