import { beforeAll, describe, expect, it } from 'vitest'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  buildProofOfWork, decodeProofOfWork, emptyProofOfWork, encodeProofOfWork, proofOfWorkSatisfies,
} from '../../src/model/proof-of-work.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('ProofOfWork (crypto.json proofOfWork.powCbor)', () => {
  const v = loadVector('crypto.json').proofOfWork

  it('generates the same prefixes and CBOR as Peergos', () => {
    for (const g of v.generated) {
      const pow = buildProofOfWork(c, hex(g.data), g.difficulty)
      expect(toHex(pow.prefix)).toBe(g.prefix)
      expect(toHex(encodeProofOfWork(pow))).toBe(g.powCbor)
      expect(decodeProofOfWork(hex(g.powCbor))).toEqual(pow)
      expect(proofOfWorkSatisfies(c, pow, hex(g.data), g.difficulty)).toBe(g.satisfies)
      expect(proofOfWorkSatisfies(c, pow, hex(g.data), g.difficulty + 4)).toBe(g.satisfiesDifficultyPlus4)
    }
  })

  it('the empty proof, and strict decoding', () => {
    expect(toHex(encodeProofOfWork(emptyProofOfWork()))).toBe('a2647479706512667072656669784' + '0')
    expect(proofOfWorkSatisfies(c, emptyProofOfWork(), new Uint8Array(3), 0)).toBe(true)
    expect(() => decodeProofOfWork(hex('a264747970651366707265666978480000000000000000'))).toThrow(CborTypeError)
    expect(() => decodeProofOfWork(hex('a2647479706512667072656669784100'))).toThrow(/prefix/)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeProofOfWork, v.generated.map((g: { powCbor: string }) => hex(g.powCbor)))
  })
})
