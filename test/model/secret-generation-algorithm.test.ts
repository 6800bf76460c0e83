import { describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import {
  defaultLoginAlgorithm, generatesBoxerAndIdentity, scryptGenerator, SECRET_TYPE_RANDOM, secretGenerationAlgorithmFromCbor,
  secretGenerationAlgorithmToCbor,
} from '../../src/model/secret-generation-algorithm.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

const decode = (b: Uint8Array) => secretGenerationAlgorithmFromCbor(decodeCbor(b))

describeVectors('SecretGenerationAlgorithm (login.json algorithm.cbor)', () => {
  const { cases } = loadVector('login.json')

  it('every login case encodes byte-exactly and decodes back', () => {
    for (const k of cases) {
      const a = k.algorithm
      const alg = scryptGenerator(a.memoryCost, a.cpuCost, a.parallelism, a.outputBytes, a.extraSalt)
      expect(toHex(encodeCbor(secretGenerationAlgorithmToCbor(alg)))).toBe(a.cbor)
      expect(decode(hex(a.cbor))).toEqual(alg)
      expect(generatesBoxerAndIdentity(alg)).toBe(a.outputBytes === 96)
    }
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decode, cases.map((k: { algorithm: { cbor: string } }) => hex(k.algorithm.cbor)))
  })
})

describe('SecretGenerationAlgorithm rules', () => {
  it('random type, missing salt, bad costs and unknown types', async () => {
    expect(toHex(encodeCbor(secretGenerationAlgorithmToCbor({ type: SECRET_TYPE_RANDOM })))).toBe('a1647479706500')
    expect(decode(hex('a1647479706500'))).toEqual({ type: SECRET_TYPE_RANDOM })
    const noSalt = new Map<string, number>([['c', 8], ['m', 17], ['o', 64], ['p', 1], ['type', 1]])
    expect(secretGenerationAlgorithmFromCbor(noSalt)).toMatchObject({ extraSalt: '', memoryCost: 17 })
    expect(() => scryptGenerator(14, 8, 1, 64, '')).toThrow(InvalidObjectError)
    expect(() => decode(encodeCbor(new Map([...noSalt, ['m', 14]])))).toThrow(InvalidObjectError)
    expect(() => decode(encodeCbor(new Map([['type', 7]])))).toThrow(CborTypeError)
    const alg = defaultLoginAlgorithm(await createNodeCrypto())
    expect(alg).toMatchObject({ memoryCost: 17, cpuCost: 8, parallelism: 1, outputBytes: 64 })
    expect(alg.extraSalt).toMatch(/^[0-9a-f]{64}$/)
  })
})
