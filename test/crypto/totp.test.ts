// HMAC-SHA1 on both crypto providers (RFC 2202), HOTP (RFC 4226 Appendix D), TOTP (RFC 6238 Appendix B,
// SHA-1) and Peergos' TOTP parameters (TotpTest's key: 6 digits, 30 s steps, the previous step accepted).
import { beforeAll, describe, expect, it } from 'vitest'
import { base32Decode, base32Encode } from '../../src/codec/base32.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { hotp, totp, totpStep, verifyTotp } from '../../src/crypto/totp.ts'
import { totpUri } from '../../src/model/totp-key.ts'
import { toHex } from '../vectors.ts'

const utf8 = (s: string) => new TextEncoder().encode(s)
/** RFC 4226 Appendix D / RFC 6238 Appendix B seed for SHA-1. */
const RFC_SEED = utf8('12345678901234567890')
/** The key Peergos' TotpTest scans into an app. */
const PEERGOS_TEST_KEY = 'W6AWIT4QDM3BIHILNZUHRLAQ7DWAC4IODJBUZWHQGKVKA3DVJQ6Q'

for (const [name, create] of [['node', createNodeCrypto], ['portable', createPortableCrypto]] as const) {
  describe(`TOTP on the ${name} provider`, () => {
    let c: CryptoProvider
    beforeAll(async () => { c = await create() })

    it('HMAC-SHA1: RFC 2202 test cases 1, 2 and 6, and RFC 4226 Appendix D intermediate HMACs', () => {
      expect(toHex(c.hmacSha1(new Uint8Array(20).fill(0x0b), utf8('Hi There')))).toBe('b617318655057264e28bc0b6fb378c8ef146be00')
      expect(toHex(c.hmacSha1(utf8('Jefe'), utf8('what do ya want for nothing?')))).toBe('effcdf6ae5eb2fa2d27416d5f184df9c259a7c79')
      // A key longer than the block is hashed first.
      expect(toHex(c.hmacSha1(new Uint8Array(80).fill(0xaa), utf8('Test Using Larger Than Block-Size Key - Hash Key First')))).toBe('aa4ae5e15272d00e95705637ce8a3b55ed402112')
      const counter = (n: number) => new Uint8Array([0, 0, 0, 0, 0, 0, 0, n])
      expect(toHex(c.hmacSha1(RFC_SEED, counter(0)))).toBe('cc93cf18508d94934c64b65d8ba7667fb7cde4b0')
      expect(toHex(c.hmacSha1(RFC_SEED, counter(9)))).toBe('1637409809a679dc698207310c8c7fc07290d9e5')
      expect(() => c.hmacSha1('key' as unknown as Uint8Array, utf8('x'))).toThrow(/HMAC key/)
    })

    it('HOTP: RFC 4226 Appendix D, counters 0 to 9', () => {
      const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489']
      expect(expected.map((_, i) => hotp(c, RFC_SEED, i))).toEqual(expected)
    })

    it('TOTP: RFC 6238 Appendix B (SHA-1, 8 digits), including times past 2^32 seconds', () => {
      const table: Array<[number, string]> = [
        [59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130'],
      ]
      for (const [seconds, code] of table) expect(totp(c, RFC_SEED, seconds * 1000, 8)).toBe(code)
      expect(totpStep(1111111109 * 1000)).toBe(0x23523ec)
    })

    it("Peergos' TotpTest key: base32, the otpauth URI, 6-digit codes with leading zeros", () => {
      const key = base32Decode(PEERGOS_TEST_KEY)
      expect(key.length).toBe(32)
      expect(base32Encode(key)).toBe(PEERGOS_TEST_KEY)
      expect(totpUri('demo', key)).toBe(`otpauth://totp/peergos:demo@peergos?secret=${PEERGOS_TEST_KEY}&issuer=peergos`)
      // Computed independently (Python hmac/hashlib) for this key.
      expect(totp(c, key, 0)).toBe('043675')
      expect(totp(c, key, 1_700_000_000_000)).toBe('048165')
      expect(totp(c, key, 1_700_000_029_000)).toBe('004188')
      expect(totp(c, key, 2_000_000_000_000)).toBe('102099')
      // TotpTest.roundtrip: a client's code equals the server's half a step later or earlier.
      const t = 1_700_000_012_345
      const client = totp(c, key, t)
      expect([totp(c, key, t + 15_000), totp(c, key, t - 15_000)]).toContain(client)
    })

    it("verifyTotp takes this step's and the previous step's code, nothing older or newer", () => {
      const key = base32Decode(PEERGOS_TEST_KEY)
      const now = 1_700_000_045_000 // step 56666668, 15 s into it
      const at = (steps: number) => totp(c, key, now + steps * 30_000)
      expect(verifyTotp(c, key, at(0), now)).toBe(true)
      expect(verifyTotp(c, key, at(-1), now)).toBe(true)
      for (const s of [-2, -3, 1, 2]) if (at(s) !== at(0) && at(s) !== at(-1)) expect(verifyTotp(c, key, at(s), now)).toBe(false)
      for (const wrong of ['', '12345', '1234567', ` ${at(0)}`, at(0).slice(0, 5) + 'x']) expect(verifyTotp(c, key, wrong, now)).toBe(false)
      // At the epoch there is no previous step.
      expect(verifyTotp(c, key, totp(c, key, 0), 1000)).toBe(true)
    })

    it('refuses counters, digit counts and times it cannot represent', () => {
      expect(() => hotp(c, RFC_SEED, -1)).toThrow(/counter/)
      expect(() => hotp(c, RFC_SEED, 1.5)).toThrow(/counter/)
      expect(() => hotp(c, RFC_SEED, 0, 10)).toThrow(/digits/)
      expect(() => totp(c, RFC_SEED, Number.NaN)).toThrow(/time/)
    })
  })
}

describe('base32 (RFC 4648)', () => {
  it('round-trips every length, reads lower case and padding, refuses junk', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 0xff)
      const text = base32Encode(bytes)
      expect(base32Decode(text)).toEqual(bytes)
      expect(base32Decode(text.toLowerCase() + '='.repeat((8 - (text.length % 8)) % 8))).toEqual(bytes)
    }
    expect(base32Encode(utf8('foobar'))).toBe('MZXW6YTBOI')
    for (const bad of ['MZXW6YTBO1', 'A', 'MZX', 'MZXW6Y', 'MZXW6YTBOJ']) expect(() => base32Decode(bad)).toThrow(/Invalid base32/)
  })
})
