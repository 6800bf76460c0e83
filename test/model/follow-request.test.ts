import { describe, expect, it } from 'vitest'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { capabilityFromCbor } from '../../src/model/capability.ts'
import { decodeFollowRequest, encodeFollowRequest, isAccepted, isReciprocated, type FollowRequest } from '../../src/model/follow-request.ts'
import { symmetricKeyFromCbor } from '../../src/model/symmetric-key.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

describeVectors('FollowRequest {e?, k?}', () => {
  const v = loadVector('cbor.json')
  const entry = { pointer: capabilityFromCbor(decodeCbor(hex(v.AbsoluteCapability.readCbor))), ownerName: 'bob' }
  const key = symmetricKeyFromCbor(decodeCbor(hex(v.SymmetricKey.cbor)))

  it('encodes the four accept/reciprocate combinations and round-trips them', () => {
    const all: FollowRequest[] = [{}, { entry }, { key }, { entry, key }]
    for (const r of all) {
      expect(decodeFollowRequest(encodeFollowRequest(r))).toEqual(r)
    }
    expect(toHex(encodeFollowRequest({}))).toBe('a0')
    expect(toHex(encodeFollowRequest({ entry }))).toBe('a16165' + 'a2' + '6163' + v.AbsoluteCapability.readCbor + '616e' + '63626f62')
    expect([isAccepted({ entry }), isReciprocated({ entry })]).toEqual([true, false])
    expect([isAccepted({ key }), isReciprocated({ key })]).toEqual([false, true])
  })

  it('rejects mistyped fields', () => {
    expect(() => decodeFollowRequest(hex('a1616b01'))).toThrow(CborTypeError)
    expect(() => decodeFollowRequest(hex('80'))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeFollowRequest, [encodeFollowRequest({ entry, key }), encodeFollowRequest({ key })])
  })
})
