import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { blockCid, cidToString, parseCid } from '../../src/codec/cid.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { buildOwnerProof } from '../../src/model/owner-proof.ts'
import { openSignedPointerUpdate } from '../../src/model/pointer-update.ts'
import { scryptGenerator } from '../../src/model/secret-generation-algorithm.ts'
import { publicKeyFromHash, publicKeyHash } from '../../src/model/signing-keys.ts'
import { decodeWriterData, emptyWriterData, encodeWriterData, type WriterData } from '../../src/model/writer-data.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex, vectorPath } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('WriterData (cbor.json)', () => {
  const v = loadVector('cbor.json')
  const w = v.WriterData
  const owner = () => publicKeyHash(c.signKeyPairFromSeed(hex(v.UserPublicKeyLink.ownerSeed)).publicKey)
  const writer = () => publicKeyHash(c.signKeyPairFromSeed(hex(v.PointerUpdate.writerSeed)).publicKey)

  it('identity WriterData (algorithm, inbound, owned, links) is byte-exact', () => {
    const a = loadVector('login.json').cases[0].algorithm
    const identity: WriterData = {
      controller: owner(),
      algorithm: scryptGenerator(a.memoryCost, a.cpuCost, a.parallelism, a.outputBytes, a.extraSalt),
      followRequestReceiver: parseCid(w.boxerHash),
      ownedKeys: parseCid(w.ownedRoot),
      secretLinks: parseCid(w.linksRoot),
    }
    const bytes = encodeWriterData(identity)
    expect(toHex(bytes)).toBe(w.identityCbor)
    expect(cidToString(blockCid(c, bytes, false))).toBe(w.identityCid)
    expect(decodeWriterData(bytes)).toEqual(identity)
  })

  it('writer with tree, and the empty WriterData', () => {
    const withTree: WriterData = { controller: writer(), tree: parseCid(w.treeRoot) }
    expect(toHex(encodeWriterData(withTree))).toBe(w.writerWithTreeCbor)
    expect(decodeWriterData(hex(w.writerWithTreeCbor))).toEqual(withTree)
    expect(toHex(encodeWriterData(emptyWriterData(writer())))).toBe(w.emptyCbor)
    expect(decodeWriterData(hex(w.emptyCbor))).toEqual({ controller: writer() })
  })

  it('named owned keys, public data and legacy static data round-trip; an empty named map is omitted', () => {
    const wk = c.signKeyPairFromSeed(hex(v.PointerUpdate.writerSeed))
    const proof = buildOwnerProof(c, { publicKeyHash: writer(), secretKey: wk.secretKey }, owner())
    const full: WriterData = {
      controller: owner(),
      publicData: parseCid(w.treeRoot),
      namedOwnedKeys: new Map([['pki', proof]]),
      staticData: { nonce: new Uint8Array(24).fill(1), cipherText: new Uint8Array(40).fill(2) },
      tree: parseCid(w.treeRoot),
    }
    expect(decodeWriterData(encodeWriterData(full))).toEqual(full)
    expect(encodeWriterData({ controller: writer(), namedOwnedKeys: new Map() })).toEqual(hex(w.emptyCbor))
    expect(() => decodeWriterData(hex('a0'))).toThrow(CborTypeError)
    expect(() => decodeWriterData(hex(w.emptyCbor.replace('6a636f6e74726f6c6c6572', '6a636f6e74726f6c6c6573')))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeWriterData, [hex(w.identityCbor), hex(w.writerWithTreeCbor), hex(w.emptyCbor)])
  })
})

describeVectors('WriterData of the real account dump', () => {
  it('every pointer target is a WriterData controlled by its writer, re-encoded byte-exactly', () => {
    const { pointers } = loadVector('account-alice/pointers.json')
    const manifest = loadVector('account-alice/manifest.json')
    const identities = new Set(Object.values(manifest.users).map((u) => (u as { identity: string }).identity))
    let withAlgorithm = 0
    for (const row of pointers) {
      const writer = parseCid(row.writer)
      const p = openSignedPointerUpdate(c, publicKeyFromHash(writer)!, hex(row.signedPointerHex))
      const bytes = new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${cidToString(p.updated!)}.bin`)))
      const wd = decodeWriterData(bytes)
      expect(wd.controller.equals(writer)).toBe(true)
      expect(encodeWriterData(wd)).toEqual(bytes)
      if (identities.has(row.writer)) {
        expect(wd.algorithm).toMatchObject({ type: 1, memoryCost: 17, cpuCost: 8, parallelism: 1, outputBytes: 64 })
        expect(wd.followRequestReceiver).toBeDefined()
        withAlgorithm++
      }
    }
    expect(withAlgorithm).toBe(3)
  })
})
