import { describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { parseCid } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { blockWriteFromCbor, blockWriteToCbor, pointerWriteFromCbor, pointerWriteToCbor } from '../../src/model/op-log-writes.ts'
import { fuzzDecoder } from './fuzz.ts'
import { hex, toHex } from '../vectors.ts'

const writer = parseCid('z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV')

describe('OpLog BlockWrite and PointerWrite', () => {
  const block = { writer, signature: new Uint8Array(96).fill(1), block: hex('a0'), isRaw: false }
  const pointer = { writer, signedUpdate: new Uint8Array(110).fill(2) }

  it('encode as {b, r, s, w} and {s, w} and round-trip', () => {
    const b = encodeCbor(blockWriteToCbor(block))
    expect(toHex(b).startsWith('a4616241a06172f4617358')).toBe(true)
    expect(blockWriteFromCbor(decodeCbor(b))).toEqual(block)
    const p = encodeCbor(pointerWriteToCbor(pointer))
    expect(toHex(p).startsWith('a26173586e')).toBe(true)
    expect(pointerWriteFromCbor(decodeCbor(p))).toEqual(pointer)
  })

  it('an empty block is refused; fields are typed', () => {
    expect(() => blockWriteFromCbor(blockWriteToCbor({ ...block, block: new Uint8Array(0) }))).toThrow(InvalidObjectError)
    expect(() => pointerWriteFromCbor(new Map([['s', 1]]))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder((b) => blockWriteFromCbor(decodeCbor(b)), [encodeCbor(blockWriteToCbor(block))])
    fuzzDecoder((b) => pointerWriteFromCbor(decodeCbor(b)), [encodeCbor(pointerWriteToCbor(pointer))])
  })
})
