// Signed-time and signed-request auth (Peergos TimeLimited / TimeLimitedClient): what is signed (CBOR
// long millis; CBOR {p, t}), the symmetric window, and the typed errors with Peergos' texts.
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor } from '../../../src/codec/cbor.ts'
import { InvalidSignatureError } from '../../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import {
  AuthExpiredError, InvalidAuthError, LOGIN_AUTH_WINDOW_SECONDS, SOCIAL_AUTH_WINDOW_SECONDS, signRequest, signTime, verifySignedRequest, verifySignedTime,
} from '../../../src/server/services/signed-time.ts'

describe('signed time', () => {
  let c: CryptoProvider
  let key: { publicKey: Uint8Array; secretKey: Uint8Array }
  const NOW = 1_767_225_600_000 // 2026-01-01T00:00:00Z
  beforeAll(async () => {
    c = await createNodeCrypto()
    key = c.signKeyPairFromSeed(new Uint8Array(32).fill(7))
  })

  it('signs exactly the CBOR long of the epoch millis (TimeLimitedClient.signNow)', () => {
    const signed = signTime(c, key.secretKey, NOW)
    expect(Buffer.from(signed.subarray(64)).toString('hex')).toBe('1b' + NOW.toString(16).padStart(16, '0'))
    expect(Buffer.from(c.openAttached(signed, key.publicKey))).toEqual(Buffer.from(encodeCbor(NOW)))
    expect(verifySignedTime(c, signed, key.publicKey, SOCIAL_AUTH_WINDOW_SECONDS, NOW)).toBe(NOW)
  })

  it('accepts times within the window either side and refuses beyond it with "Stale auth time"', () => {
    const at = (ms: number): Uint8Array => signTime(c, key.secretKey, ms)
    expect(verifySignedTime(c, at(NOW - 300_000), key.publicKey, 300, NOW)).toBe(NOW - 300_000)
    expect(verifySignedTime(c, at(NOW + 300_000), key.publicKey, 300, NOW)).toBe(NOW + 300_000)
    expect(() => verifySignedTime(c, at(NOW - 300_001), key.publicKey, 300, NOW)).toThrow(AuthExpiredError)
    expect(() => verifySignedTime(c, at(NOW + 300_001), key.publicKey, 300, NOW)).toThrow('Stale auth time, is your clock accurate?')
    expect(verifySignedTime(c, at(NOW - 23 * 3600_000), key.publicKey, LOGIN_AUTH_WINDOW_SECONDS, NOW)).toBe(NOW - 23 * 3600_000)
    expect(() => verifySignedTime(c, at(NOW - 25 * 3600_000), key.publicKey, LOGIN_AUTH_WINDOW_SECONDS, NOW)).toThrow(AuthExpiredError)
  })

  it('refuses another key, a tampered signature, junk and anything but a CBOR integer', () => {
    const other = c.signKeyPairFromSeed(new Uint8Array(32).fill(8))
    expect(() => verifySignedTime(c, signTime(c, other.secretKey, NOW), key.publicKey, 300, NOW)).toThrow(InvalidSignatureError)
    const tampered = signTime(c, key.secretKey, NOW)
    tampered[70] ^= 1
    expect(() => verifySignedTime(c, tampered, key.publicKey, 300, NOW)).toThrow(InvalidSignatureError)
    expect(() => verifySignedTime(c, new Uint8Array(3), key.publicKey, 300, NOW)).toThrow(InvalidSignatureError)
    expect(() => verifySignedTime(c, new Uint8Array(5000), key.publicKey, 300, NOW)).toThrow(InvalidAuthError)
    for (const v of [String(NOW), [NOW], new Map([['t', NOW]])]) {
      expect(() => verifySignedTime(c, c.signAttached(encodeCbor(v), key.secretKey), key.publicKey, 300, NOW)).toThrow('Invalid cbor for time in authorisation!')
    }
    // Non-canonical CBOR (a long in 8 bytes for a small value) is not what Peergos writes.
    const nonCanonical = c.signAttached(Uint8Array.of(0x1b, 0, 0, 0, 0, 0, 0, 0, 5), key.secretKey)
    expect(() => verifySignedTime(c, nonCanonical, key.publicKey, 300, NOW)).toThrow(InvalidAuthError)
  })

  it('signed requests: CBOR {p, t}, the path must match and the time be in the window', () => {
    const path = 'peergos/v0/bats/addBat'
    const signed = signRequest(c, key.secretKey, path, NOW)
    expect(Buffer.from(signed.subarray(64))).toEqual(Buffer.from(encodeCbor(new Map<string, string | number>([['p', path], ['t', NOW]]))))
    expect(verifySignedRequest(c, signed, key.publicKey, path, 300, NOW)).toBe(NOW)
    expect(() => verifySignedRequest(c, signed, key.publicKey, 'peergos/v0/bats/getUserBats', 300, NOW)).toThrow('Illegal path for signed request: peergos/v0/bats/addBat')
    expect(() => verifySignedRequest(c, signed, key.publicKey, path, 300, NOW + 301_000)).toThrow(AuthExpiredError)
    expect(() => verifySignedRequest(c, signTime(c, key.secretKey, NOW), key.publicKey, path, 300, NOW)).toThrow(InvalidAuthError)
    expect(() => verifySignedTime(c, signed, key.publicKey, 300, NOW)).toThrow(InvalidAuthError)
  })
})
