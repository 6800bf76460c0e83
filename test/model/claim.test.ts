import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { parseCid } from '../../src/codec/cid.ts'
import { DataFormatError, DataOutputWriter } from '../../src/codec/data-output.ts'
import { CborTypeError, InvalidCidError } from '../../src/codec/errors.ts'
import { InvalidSignatureError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { buildClaim, claimFromCbor, claimPayload, claimsEqual, claimToCbor, decodeSignedClaim } from '../../src/model/claim.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { LOCAL_DATE_MAX, parseLocalDate } from '../../src/model/local-date.ts'
import { FUZZ_RUNS, fuzzDecoder, onlyPeergosErrors, untrustedBytes } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('Claim (cbor.json UserPublicKeyLink)', () => {
  const v = loadVector('cbor.json').UserPublicKeyLink
  const server = parseCid(v.serverId)
  const claimCborOf = (linkHex: string) => encodeCbor((decodeCbor(hex(linkHex)) as Map<string, never>).get('claim')!)

  it('the signed payload is the Serialize/DataOutput form', () => {
    expect(toHex(server.bytes)).toBe(v.serverIdBytes)
    const payload = claimPayload('alice', parseLocalDate('2030-01-01'), [server])
    expect(toHex(payload)).toBe('00000005616c696365' + '0000000a323033302d30312d3031' + '00000001' + '00000024' + v.serverIdBytes)
    expect(toHex(claimPayload('alice', LOCAL_DATE_MAX, []))).toBe('00000005616c696365' + '00000010' + toHex(new TextEncoder().encode('+999999999-12-31')) + '00000000')
  })

  it('builds the initial claim byte-exactly and reads it back', () => {
    const owner = c.signKeyPairFromSeed(hex(v.ownerSeed))
    const claim = buildClaim(c, 'alice', owner.secretKey, parseLocalDate('2030-01-01'), [server])
    const expected = claimCborOf(v.initialLinkCbor)
    expect(toHex(encodeCbor(claimToCbor(claim)))).toBe(toHex(expected))
    const decoded = claimFromCbor(decodeCbor(expected))
    expect(claimsEqual(decoded, claim)).toBe(true)
    expect(claimsEqual(decodeSignedClaim(c, decoded.signedContents, owner.publicKey), claim)).toBe(true)
  })

  it('decodes the never-expiring key-change claim (LocalDate.MAX)', () => {
    const claim = claimFromCbor(decodeCbor(claimCborOf(v.keyChangeLink0Cbor)))
    expect(claim.expiry).toEqual(LOCAL_DATE_MAX)
    expect(claim.storageProviders).toEqual([])
  })

  it('rejects malformed claims with typed errors', () => {
    const owner = c.signKeyPairFromSeed(hex(v.ownerSeed))
    expect(() => claimFromCbor(['alice', '2030-01-01', []])).toThrow(CborTypeError)
    expect(() => claimFromCbor(['alice', '2030-02-30', [], new Uint8Array(64)])).toThrow(InvalidObjectError)
    expect(() => claimFromCbor(['alice', '2030-01-01', [hex('0000')], new Uint8Array(64)])).toThrow(InvalidCidError)
    const other = c.signKeyPairFromSeed(new Uint8Array(32))
    const claim = buildClaim(c, 'alice', owner.secretKey, parseLocalDate('2030-01-01'), [server])
    expect(() => decodeSignedClaim(c, claim.signedContents, other.publicKey)).toThrow(InvalidSignatureError)
    const longName = c.signAttached(new DataOutputWriter().writeJavaString('a'.repeat(65)).toBytes(), owner.secretKey)
    expect(() => decodeSignedClaim(c, longName, owner.publicKey)).toThrow(DataFormatError)
  })

  it('decoding untrusted claims and signed payloads only throws PeergosErrors', () => {
    const owner = c.signKeyPairFromSeed(hex(v.ownerSeed))
    const valid = [claimCborOf(v.initialLinkCbor), claimCborOf(v.keyChangeLink0Cbor)]
    fuzzDecoder((b) => claimFromCbor(decodeCbor(b)), valid)
    // Payloads under a valid signature exercise the DataInput reader behind the signature check.
    const payloads = [claimPayload('alice', parseLocalDate('2030-01-01'), [server]), claimPayload('alice', LOCAL_DATE_MAX, [])]
    fc.assert(fc.property(untrustedBytes(payloads), (p) => onlyPeergosErrors(() => decodeSignedClaim(c, c.signAttached(p, owner.secretKey), owner.publicKey))), { numRuns: FUZZ_RUNS })
  })
})
