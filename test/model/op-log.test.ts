import { beforeAll, describe, expect, it } from 'vitest'
import { parseCid } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { randomBat } from '../../src/model/bat.ts'
import { batWithId, sha256BatId } from '../../src/model/bat-id.ts'
import { decodeOpLog, encodeOpLog, opLogToCbor, type OpLog } from '../../src/model/op-log.ts'
import { loginDataOfRow } from './account.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('OpLog (the atomic signup batch)', () => {
  const writer = parseCid('z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV')

  function sample(): OpLog {
    const bat = randomBat(c)
    return {
      operations: [
        { kind: 'block', write: { writer, signature: new Uint8Array(96).fill(3), block: hex('a16a636f6e74726f6c6c6572f6'), isRaw: false } },
        { kind: 'pointer', write: { writer, signedUpdate: new Uint8Array(140).fill(4) } },
        { kind: 'block', write: { writer, signature: new Uint8Array(96).fill(5), block: new Uint8Array(10).fill(6), isRaw: true } },
      ],
      login: { data: loginDataOfRow('carol'), auth: new Uint8Array(72).fill(7) },
      mirrorBat: { bat: batWithId(bat, sha256BatId(c, bat)), auth: new Uint8Array(80).fill(8) },
    }
  }

  it('round-trips with and without the optional login and mirror BAT; op kinds come from the `r` key', () => {
    const full = sample()
    expect(decodeOpLog(encodeOpLog(full))).toEqual(full)
    const bare: OpLog = { operations: full.operations }
    const bytes = encodeOpLog(bare)
    expect(decodeOpLog(bytes)).toEqual(bare)
    expect([...(opLogToCbor(full) as Map<string, unknown>).keys()].sort()).toEqual(['a', 'b', 'login', 'loginAuth', 'ops'])
  })

  it('login needs loginAuth, b needs a', () => {
    const m = opLogToCbor(sample()) as Map<string, never>
    m.delete('loginAuth')
    expect(() => decodeOpLog(encodeCbor(m))).toThrow(CborTypeError)
    const m2 = opLogToCbor(sample()) as Map<string, never>
    m2.delete('b')
    expect(() => decodeOpLog(encodeCbor(m2))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeOpLog, [encodeOpLog(sample()), encodeOpLog({ operations: sample().operations })])
  })
})
