import { beforeAll, describe, expect, it } from 'vitest'
import { encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { InvalidSignatureError } from '../../src/crypto/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { buildOwnerProof, decodeOwnerProof, encodeOwnerProof, verifyOwnerProof } from '../../src/model/owner-proof.ts'
import { nullPublicKeyHash, publicKeyHash } from '../../src/model/signing-keys.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('OwnerProof (cbor.json WriterData.ownerProofCbor)', () => {
  const v = loadVector('cbor.json')
  const proofHex: string = v.WriterData['ownerProofCbor(writer owned by owner)']
  // The vector's owner is the UserPublicKeyLink owner key and its owned writer the PointerUpdate writer key.
  const owner = () => c.signKeyPairFromSeed(hex(v.UserPublicKeyLink.ownerSeed))
  const writer = () => c.signKeyPairFromSeed(hex(v.PointerUpdate.writerSeed))

  it('builds byte-exactly and verifies to the owner', () => {
    const w = writer()
    const ownerHash = publicKeyHash(owner().publicKey)
    const proof = buildOwnerProof(c, { publicKeyHash: publicKeyHash(w.publicKey), secretKey: w.secretKey }, ownerHash)
    expect(toHex(encodeOwnerProof(proof))).toBe(proofHex)
    const decoded = decodeOwnerProof(hex(proofHex))
    expect(decoded).toEqual(proof)
    expect(verifyOwnerProof(c, decoded).equals(ownerHash)).toBe(true)
    expect(verifyOwnerProof(c, decoded, w.publicKey).equals(ownerHash)).toBe(true)
  })

  it('a proof signed by another key, or for a hashed key without its public key, fails with named errors', () => {
    const decoded = decodeOwnerProof(hex(proofHex))
    expect(() => verifyOwnerProof(c, decoded, owner().publicKey)).toThrow(InvalidSignatureError)
    expect(() => verifyOwnerProof(c, { ...decoded, ownedKey: nullPublicKeyHash(c) })).toThrow(InvalidObjectError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeOwnerProof, [hex(proofHex), encodeCbor(new Map<string, CborValue>([['o', nullPublicKeyHash(c)], ['p', new Uint8Array(3)]]))])
    fuzzDecoder((b) => verifyOwnerProof(c, { ...decodeOwnerProof(hex(proofHex)), signedOwner: b }), [decodeOwnerProof(hex(proofHex)).signedOwner])
  })
})

describe('OwnerProof round trip', () => {
  it('random keys', () => {
    const k = c.signKeyPairFromSeed(c.randomBytes(32))
    const owner = publicKeyHash(c.signKeyPairFromSeed(c.randomBytes(32)).publicKey)
    const proof = buildOwnerProof(c, { publicKeyHash: publicKeyHash(k.publicKey), secretKey: k.secretKey }, owner)
    expect(verifyOwnerProof(c, decodeOwnerProof(encodeOwnerProof(proof))).equals(owner)).toBe(true)
  })
})
