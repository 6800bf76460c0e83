// CryptreeNode v1 (reference §2.2): createDir / createFile rebuild the cbor.json CryptreeNode vectors
// (dir, dirWithSigner, file) byte for byte, on both crypto providers, with the nonces read out of the
// vectors; every node of the account-alice dump re-encodes identically; version and key rules;
// strict decoding of untrusted node blocks.
import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import { blockBatIds, parseRawBlock } from '../../src/model/bat-prefix.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import {
  createDir, createFile, cryptreeNodeCid, cryptreeNodeFromCbor, cryptreeNodeToCbor, decodeCryptreeNode, encodeCryptreeNode, fromBaseFromCbor,
  fromBaseToCbor, fromParentFromCbor, fromParentToCbor, UnsupportedCryptreeVersionError, type CryptreeNode,
} from '../../src/model/cryptree-node.ts'
import { openFromBase, openFromParent } from '../../src/model/cryptree-read.ts'
import { filePropertiesFromCbor } from '../../src/model/file-properties.ts'
import { childrenLinksFromCbor, EMPTY_CHILDREN_LINKS, relativeCapabilityFromCbor, subsequentChunkCapability } from '../../src/model/relative-capability.ts'
import { signingPrivateKeyAndPublicHashFromCbor } from '../../src/model/signing-keys.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex, vectorPath } from '../vectors.ts'

const V = haveVectors ? loadVector('cbor.json').CryptreeNode : undefined
const key = (h: string) => symmetricKey(hex(h))
const value = (h: string): CborValue => decodeCbor(hex(h))

describe.each([['node', createNodeCrypto], ['portable', createPortableCrypto]] as const)('CryptreeNode vectors (%s provider)', (_name, create) => {
  let c: CryptoProvider
  beforeAll(async () => { c = await create() })

  function dirParams(vectorCbor: string) {
    const d = V.dir
    const node = decodeCryptreeNode(hex(vectorCbor))
    const signerNonce = openFromBase(c, node, key(d.rBaseKey)).signerLink?.nonce
    return {
      rBaseKey: key(d.rBaseKey), wBaseKey: key(d.wBaseKey), parentKey: key(d.parentKey),
      properties: filePropertiesFromCbor(value(d.propertiesCbor)),
      parentLink: relativeCapabilityFromCbor(value(d.parentLinkCbor)),
      nextChunk: relativeCapabilityFromCbor(value(d.nextChunkCbor)),
      children: childrenLinksFromCbor(value(d.childrenCbor)),
      inlineBat: { secret: hex(d.inlineBat) }, mirrorBatId: parseCid(d.mirrorBatId),
      random: { base: node.fromBase.nonce, parent: node.fromParent.nonce, data: node.data.nonce, signer: signerNonce },
    }
  }

  describeVectors('vectors', () => {
    it('createDir rebuilds the directory node (2 children) and its CID', () => {
      const { node, fragments } = createDir(c, dirParams(V.dir.cbor))
      expect(toHex(encodeCryptreeNode(node))).toBe(V.dir.cbor)
      expect(cidToString(cryptreeNodeCid(c, node))).toBe(V.dir.cid)
      expect(fragments).toHaveLength(0)
    })

    it('createDir with a signer (and no children) rebuilds the node carrying the sealed signing key pair', () => {
      const signer = signingPrivateKeyAndPublicHashFromCbor(value(V.dirWithSigner.signer))
      const { node } = createDir(c, { ...dirParams(V.dirWithSigner.cbor), signer, children: EMPTY_CHILDREN_LINKS })
      expect(toHex(encodeCryptreeNode(node))).toBe(V.dirWithSigner.cbor)
    })

    it('createFile rebuilds the small file node and its CID', () => {
      const f = V.file
      const node = decodeCryptreeNode(hex(f.cbor))
      const { parentLink } = openFromParent(c, node, key(f.baseKey))
      const built = createFile(c, {
        baseKey: key(f.baseKey), dataKey: key(f.dataKey), chunk: hex(f.content),
        properties: filePropertiesFromCbor(value(f.propertiesCbor)), parentLink,
        nextChunk: relativeCapabilityFromCbor(value(f.nextChunkCbor)),
        inlineBat: { secret: hex(f.inlineBat) }, mirrorBatId: parseCid(V.dir.mirrorBatId),
        random: { base: node.fromBase.nonce, parent: node.fromParent.nonce, data: node.data.nonce },
      })
      expect(toHex(encodeCryptreeNode(built.node))).toBe(f.cbor)
      expect(cidToString(cryptreeNodeCid(c, built.node))).toBe(f.cid)
    })

    it('decodes and re-encodes every node byte for byte', () => {
      for (const v of [V.dir.cbor, V.dirWithSigner.cbor, V.file.cbor]) expect(toHex(encodeCryptreeNode(decodeCryptreeNode(hex(v))))).toBe(v)
    })
  })
})

describeVectors('the account-alice block dump', () => {
  it('every cryptree node decodes and re-encodes byte for byte; every block lists its BATs', () => {
    const meta = loadVector('account-alice/blocks.json')
    let nodes = 0
    for (const b of meta.blocks as Array<{ cid: string; codec: string }>) {
      const bytes = new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', `${b.cid}.bin`)))
      const ids = blockBatIds(parseCid(b.cid), bytes)
      if (b.codec === 'raw') {
        expect(parseRawBlock(bytes).prefixLength).toBe(85)
        expect(ids).toHaveLength(2)
        continue
      }
      const v = decodeCbor(bytes)
      if (!(v instanceof Map && v.has('v') && v.has('d'))) continue
      nodes++
      expect(toHex(encodeCryptreeNode(decodeCryptreeNode(bytes)))).toBe(toHex(bytes))
      expect(ids.map(String)).toEqual(decodeCryptreeNode(bytes).bats.map(String))
    }
    expect(nodes).toBeGreaterThan(500)
  })
})

describe('CryptreeNode rules', () => {
  let c: CryptoProvider
  beforeAll(async () => { c = await createNodeCrypto() })
  const k = (n: number) => symmetricKey(new Uint8Array(32).fill(n))
  const props = { name: 'd', isDirectory: true, isLink: false, mimeType: '', size: 0, modified: { seconds: 1n, nanos: 0 }, created: { seconds: 1n, nanos: 0 }, isHidden: false }
  const next = subsequentChunkCapability(new Uint8Array(32).fill(9), { secret: new Uint8Array(32).fill(8) }, k(1))
  const dir = (): CryptreeNode => createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: props, nextChunk: next, inlineBat: { secret: new Uint8Array(32).fill(3) } }).node
  const file = (): CryptreeNode => createFile(c, { baseKey: k(4), dataKey: k(5), chunk: new Uint8Array(10), properties: { ...props, isDirectory: false, name: 'f' }, nextChunk: next }).node

  it('refuses equal base and parent (dir) or base and data (file) keys, and a signer without a wBaseKey', () => {
    expect(() => createDir(c, { rBaseKey: k(1), parentKey: k(1), properties: props, nextChunk: next })).toThrow(InvalidObjectError)
    expect(() => createFile(c, { baseKey: k(1), dataKey: k(1), chunk: new Uint8Array(0), properties: props, nextChunk: next })).toThrow(InvalidObjectError)
    const signer = { publicKeyHash: parseCid('z59vuwzfFDp399mHmhY9pscsxhe5jVBkcWoGBa4EhJZ2deYwBfWjSJb'), secretKey: new Uint8Array(64) }
    expect(() => createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: props, nextChunk: next, signer })).toThrow(InvalidObjectError)
  })

  it('lists bats like Peergos: dir [inline?, mirror?], file [] without an inline BAT', () => {
    expect(dir().bats).toHaveLength(1)
    expect(file().bats).toHaveLength(0)
    const mirror = parseCid('zb2rhf9wdrnRhYtExsJ7TqmU9cxjPTXYG9eZU4PKMs8p8LwY2')
    expect(createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: props, nextChunk: next, mirrorBatId: mirror }).node.bats).toHaveLength(1)
    expect(createFile(c, { baseKey: k(4), dataKey: k(5), chunk: new Uint8Array(1), properties: { ...props, isDirectory: false }, nextChunk: next, mirrorBatId: mirror }).node.bats).toHaveLength(0)
    expect((cryptreeNodeToCbor(file()) as Map<string, CborValue>).has('bats')).toBe(false)
  })

  it('pads the base block to 64 and the parent block to 16 bytes', () => {
    const n = dir()
    expect((n.fromBase.cipherText.length - 16) % 64).toBe(0)
    expect((n.fromParent.cipherText.length - 16) % 16).toBe(0)
  })

  it('refuses any version but 1 with UnsupportedCryptreeVersionError, and oversized blocks', () => {
    const m = cryptreeNodeToCbor(dir()) as Map<string, CborValue>
    for (const v of [0, 2, -1, 2n ** 40n]) expect(() => cryptreeNodeFromCbor(new Map([...m, ['v', v]]))).toThrow(UnsupportedCryptreeVersionError)
    expect(() => cryptreeNodeFromCbor(new Map([...m, ['v', 'x']]))).toThrow(expect.objectContaining({ name: 'CborTypeError' }))
    expect(() => decodeCryptreeNode(new Uint8Array(1024 * 1024 + 101))).toThrow(InvalidObjectError)
  })

  it('round-trips FromBase and FromParent', () => {
    const fb = openFromBase(c, dir(), k(1))
    expect(encodeCbor(fromBaseToCbor(fromBaseFromCbor(fromBaseToCbor(fb))))).toEqual(encodeCbor(fromBaseToCbor(fb)))
    const fp = openFromParent(c, dir(), k(2))
    expect(fromParentFromCbor(fromParentToCbor(fp))).toEqual(fp)
  })

  it('decodes untrusted node blocks, FromBase and FromParent only to values or PeergosErrors', () => {
    const nodes = [dir(), file()].map(cryptreeNodeToCbor)
    fuzzDecoder(decodeCryptreeNode, nodes.map((n) => encodeCbor(n)))
    fuzzCborDecoder(cryptreeNodeFromCbor, nodes)
    fuzzCborDecoder(fromBaseFromCbor, [fromBaseToCbor(openFromBase(c, dir(), k(1)))])
    fuzzCborDecoder(fromParentFromCbor, [fromParentToCbor(openFromParent(c, dir(), k(2)))])
  })
})
