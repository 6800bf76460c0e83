// Second-factor messages (Peergos shared/login/mfa): MultiFactorAuthMethod / Request / Response CBOR,
// TotpKey's text form, BackupCodes (BackupCodesTest: alphabet, format, normalisation, CBOR round trip),
// and every decoder fuzzed with untrusted bytes.
import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  BACKUP_CODE_BYTES, BACKUP_CODE_CHARS, BACKUP_CODE_COUNT, backupCodeFromRandom, decodeBackupCodes, encodeBackupCodes, formatBackupCode, normaliseBackupCode,
} from '../../src/model/backup-codes.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import {
  decodeMfaMethods, decodeMfaRequest, decodeMfaResponse, encodeMfaMethods, encodeMfaRequest, encodeMfaResponse, isInteractiveMfaType, MFA_TYPE,
  mfaMethodFromCbor, type MultiFactorAuthMethod,
} from '../../src/model/mfa.ts'
import { decodeTotpKey, encodeTotpKey } from '../../src/model/totp-key.ts'
import { fuzzDecoder } from './fuzz.ts'
import { hex, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const totpMethod: MultiFactorAuthMethod = { name: '', credentialId: new Uint8Array([1, 2]), created: 19000, type: MFA_TYPE.TOTP, enabled: true }
const backupMethod: MultiFactorAuthMethod = { name: '10', credentialId: new Uint8Array([3]), created: 19001, type: MFA_TYPE.BACKUP_CODES, enabled: true }
/** {c: 19000, e: true, i: h'0102', n: "", t: 1} in Peergos' key order. */
const TOTP_METHOD_HEX = 'a5' + '6163194a38' + '6165f5' + '6169420102' + '616e60' + '617401'

describe('MultiFactorAuthMethod, MultiFactorAuthRequest, MultiFactorAuthResponse', () => {
  it('encode as Peergos writes them, byte for byte, and decode back', () => {
    expect(toHex(encodeMfaMethods([totpMethod]))).toBe('81' + TOTP_METHOD_HEX)
    expect(decodeMfaMethods(encodeMfaMethods([totpMethod, backupMethod]))).toEqual([totpMethod, backupMethod])
    const request = { methods: [totpMethod], challenge: new Uint8Array(32).fill(7) }
    expect(toHex(encodeMfaRequest(request))).toBe('a2' + '6163' + '5820' + '07'.repeat(32) + '616d81' + TOTP_METHOD_HEX)
    expect(decodeMfaRequest(encodeMfaRequest(request))).toEqual(request)
    const code = { credentialId: new Uint8Array([1, 2]), response: '012345' }
    expect(toHex(encodeMfaResponse(code))).toBe('a2' + '6169420102' + '6172' + '66303132333435')
    expect(decodeMfaResponse(encodeMfaResponse(code))).toEqual(code)
    const webauthn = { credentialId: new Uint8Array([9]), response: { authenticatorData: new Uint8Array([1]), clientDataJson: new Uint8Array([2]), signature: new Uint8Array([3]) } }
    expect(toHex(encodeMfaResponse(webauthn))).toBe('a2' + '616941' + '09' + '6172' + 'a3' + '61614101' + '61634102' + '61734103')
    expect(decodeMfaResponse(encodeMfaResponse(webauthn))).toEqual(webauthn)
  })

  it("refuses Peergos' invalid methods: long names, unknown types, wrong field types", () => {
    const method = (over: Record<string, unknown>) => new Map(Object.entries({ c: 1, e: true, i: new Uint8Array(1), n: 'x', t: 1, ...over })) as never
    expect(() => mfaMethodFromCbor(method({ n: 'x'.repeat(33) }))).toThrow(new InvalidObjectError('Second factor names must be smaller than 33 characters'))
    expect(mfaMethodFromCbor(method({ n: 'x'.repeat(32) })).name).toHaveLength(32)
    expect(() => mfaMethodFromCbor(method({ t: 5 }))).toThrow('Unknown second factor type: 5. Please update to a newer version.')
    expect(() => mfaMethodFromCbor(method({ e: 1 }))).toThrow(CborTypeError)
    expect(() => decodeMfaResponse(encodeCbor(new Map<string, CborValue>([['i', new Uint8Array(1)], ['r', 7]])))).toThrow(CborTypeError)
  })

  it('offers TOTP, WebAuthn and backup codes to people, never a MOUNT', () => {
    expect([1, 2, 3, 4].map(isInteractiveMfaType)).toEqual([true, true, true, false])
  })

  it('decoders of untrusted bytes throw only PeergosErrors', () => {
    fuzzDecoder(decodeMfaMethods, [encodeMfaMethods([totpMethod, backupMethod])])
    fuzzDecoder(decodeMfaRequest, [encodeMfaRequest({ methods: [totpMethod], challenge: new Uint8Array(32) })])
    fuzzDecoder(decodeMfaResponse, [encodeMfaResponse({ credentialId: new Uint8Array(32), response: '123456' })])
    fuzzDecoder(decodeBackupCodes, [encodeBackupCodes({ credentialId: new Uint8Array(32), codes: ['aaaqeayeau', 'aeaqeayeau'] })])
    fuzzDecoder((b) => decodeTotpKey(new TextDecoder().decode(b)), [new TextEncoder().encode(encodeTotpKey({ credentialId: new Uint8Array(32).fill(1), key: new Uint8Array(32).fill(2) }))])
  })
})

describe('TotpKey', () => {
  it('is base32(credential id) ":" base32(key), upper case without padding, read in either case', () => {
    const k = { credentialId: hex('00010203'), key: hex('ffeeddccbbaa') }
    expect(encodeTotpKey(k)).toBe('AAAQEAY:77XN3TF3VI')
    expect(decodeTotpKey('AAAQEAY:77XN3TF3VI')).toEqual(k)
    expect(decodeTotpKey('aaaqeay======:77xn3tf3vi====')).toEqual(k)
    expect(() => decodeTotpKey('AAAQEAY77XN3TF3VI')).toThrow(InvalidObjectError)
    expect(() => decodeTotpKey(':77XN3TF3VI')).toThrow(InvalidObjectError)
  })
})

describe('BackupCodes (BackupCodesTest)', () => {
  it('codes are 10 lower-case base32 characters from 7 random bytes, and distinct', () => {
    const codes = new Set<string>()
    for (let i = 0; i < 1000; i++) {
      const code = backupCodeFromRandom(c.randomBytes(BACKUP_CODE_BYTES))
      expect(code).toMatch(/^[a-z2-7]{10}$/)
      codes.add(code)
    }
    expect(codes.size).toBe(1000)
    expect(BACKUP_CODE_CHARS).toBe(10)
    // The first ten characters of base32([i,1,2,3,4,5,6]), as computed by Python's base64.b32encode.
    expect([0, 1, 2].map((i) => backupCodeFromRandom(new Uint8Array([i, 1, 2, 3, 4, 5, 6])))).toEqual(['aaaqeayeau', 'aeaqeayeau', 'aiaqeayeau'])
    expect(() => backupCodeFromRandom(new Uint8Array(6))).toThrow('Insufficient randomness for a backup code!')
  })

  it('formats in groups of five and normalises what users type', () => {
    const code = 'a3f5b2xqz7'
    expect(formatBackupCode(code)).toBe('a3f5b-2xqz7')
    for (const typed of [code, formatBackupCode(code), 'A3F5B-2XQZ7', ' a3f5b 2xqz7 ', 'a3f5b_2xqz7']) expect(normaliseBackupCode(typed)).toBe(code)
  })

  it('round-trip through CBOR {c: codes, i: credential id}', () => {
    const credentialId = c.randomBytes(32)
    const codes = Array.from({ length: BACKUP_CODE_COUNT }, (_, i) => backupCodeFromRandom(new Uint8Array([i, 1, 2, 3, 4, 5, 6])))
    const bytes = encodeBackupCodes({ credentialId, codes })
    expect(toHex(bytes).startsWith('a261638a6a')).toBe(true)
    expect(decodeBackupCodes(bytes)).toEqual({ credentialId, codes })
    expect(decodeBackupCodes(bytes).codes.map(formatBackupCode)).toEqual(codes.map(formatBackupCode))
  })
})
