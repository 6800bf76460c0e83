import { describe, expect, it } from 'vitest'
import { parseCid } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import {
  decodeMultiWriterCommit, encodeMultiWriterCommit, signedPointerUpdateFromCbor, signedPointerUpdateToCbor,
} from '../../src/model/multi-writer-commit.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

describeVectors('SignedPointerUpdate and MultiWriterCommit', () => {
  const { pointers } = loadVector('account-alice/pointers.json')
  const updates = pointers.slice(0, 3).map((p: { writer: string; signedPointerHex: string }) => ({ writer: parseCid(p.writer), signed: hex(p.signedPointerHex) }))

  it('encodes {w, s} and {p: [...]} canonically and round-trips', () => {
    const one = encodeCbor(signedPointerUpdateToCbor(updates[0]))
    // {"s": bytes, "w": link}: keys sorted, writer as a tag-42 link.
    const signedHex: string = pointers[0].signedPointerHex
    expect(toHex(one)).toBe('a2' + '6173' + '58' + (signedHex.length / 2).toString(16) + signedHex + '6177' + pointers[0].writerCborHex)
    expect(signedPointerUpdateFromCbor(signedPointerUpdateToCbor(updates[0]))).toEqual(updates[0])
    const bytes = encodeMultiWriterCommit({ updates })
    expect(toHex(bytes).startsWith('a1617083')).toBe(true)
    expect(decodeMultiWriterCommit(bytes)).toEqual({ updates })
    expect(decodeMultiWriterCommit(encodeMultiWriterCommit({ updates: [] }))).toEqual({ updates: [] })
  })

  it('rejects wrong shapes with typed errors', () => {
    expect(() => decodeMultiWriterCommit(hex('a0'))).toThrow(CborTypeError)
    expect(() => decodeMultiWriterCommit(hex('a1617080' + '00').subarray(0, 4))).not.toThrow()
    expect(() => decodeMultiWriterCommit(hex('a16170a0'))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeMultiWriterCommit, [encodeMultiWriterCommit({ updates }), encodeMultiWriterCommit({ updates: updates.slice(0, 1) })])
  })
})
