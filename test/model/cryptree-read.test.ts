// Reading CryptreeNodes (reference §2.2, §2.4): directory vs file detection, keys, properties,
// parent link, next chunk, signer, children and file data, checked against what Peergos decoded
// from the cbor.json CryptreeNode vectors; untrusted (mutated, re-sealed) contents fail typed.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue } from '../../src/codec/cbor.ts'
import { equalBytes, type CID } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { sealPaddedCbor } from '../../src/model/cipher-text.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { createDir, createFile, cryptreeNodeFromCbor, cryptreeNodeToCbor, decodeCryptreeNode, decodeCryptreeNodeHeader, encodeCryptreeNode, fromBaseToCbor, fromParentToCbor, type CryptreeNode } from '../../src/model/cryptree-node.ts'
import { isDirectoryNode, nextChunkLocation, openProperties, readCryptreeBlock, readCryptreeNode, readDirectoryChildren, readFileChunk } from '../../src/model/cryptree-read.ts'
import { buildFpctCbor, type FragmentBlock, type FragmentFetcher } from '../../src/model/fragmented-cipher-text.ts'
import { childrenLinks, childrenLinksToCbor, relativeCapabilityToCbor, subsequentChunkCapability } from '../../src/model/relative-capability.ts'
import { signingPrivateKeyAndPublicHashToCbor } from '../../src/model/signing-keys.ts'
import { sameSymmetricKey, symmetricKey } from '../../src/model/symmetric-key.ts'
import { mutatedCbor } from './cbor-mutations.ts'
import { FUZZ_RUNS, onlyPeergosErrors, onlyPeergosErrorsAsync, untrustedBytes } from './fuzz.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

const V = haveVectors ? loadVector('cbor.json') : undefined
const key = (h: string) => symmetricKey(hex(h))
const cborHex = (v: CborValue) => toHex(encodeCbor(v))
const noFetch: FragmentFetcher = async () => { throw new InvalidObjectError('no fragments expected') }

function fetcherOf(blocks: readonly FragmentBlock[]): FragmentFetcher {
  const byCid = new Map(blocks.map((b) => [b.cid.toString(), b.data]))
  return async (cid: CID) => byCid.get(cid.toString()) ?? Promise.reject(new InvalidObjectError('missing block'))
}

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('reading the cbor.json CryptreeNode vectors', () => {
  it('directory: base key → parent key, properties, parent link, next chunk and the 2 children', async () => {
    const d = V.CryptreeNode.dir
    const node = decodeCryptreeNode(hex(d.cbor))
    expect(isDirectoryNode(c, node, key(d.rBaseKey))).toBe(d.decodedIsDirectory)
    const view = readCryptreeNode(c, node, key(d.rBaseKey))
    expect(view.isDirectory).toBe(true)
    expect(view.readable).toBe(true)
    expect(sameSymmetricKey(view.parentKey, key(d.parentKey))).toBe(d.decodedParentKeyOk)
    expect(view.properties.name).toBe(d.decodedName)
    expect(cborHex(relativeCapabilityToCbor(view.parentLink!))).toBe(d.parentLinkCbor)
    expect(cborHex(relativeCapabilityToCbor(view.fromBase!.nextChunk))).toBe(d.nextChunkCbor)
    expect(view.signer).toBeUndefined()
    const next = nextChunkLocation(c, view, hex(V.AbsoluteCapability.mapKey), undefined)
    expect(toHex(next.mapKey)).toBe(toHex(view.fromBase!.nextChunk.mapKey))
    expect(cborHex(childrenLinksToCbor(await readDirectoryChildren(c, node, key(d.rBaseKey), noFetch)))).toBe(d.childrenCbor)
  })

  it('a listing reads the same header and properties as the full decoder, from the Peergos-made blocks', () => {
    for (const [block, k] of [[V.CryptreeNode.file.cbor, V.CryptreeNode.file.baseKey], [V.CryptreeNode.dir.cbor, V.CryptreeNode.dir.parentKey]] as const) {
      const full = decodeCryptreeNode(hex(block))
      const header = decodeCryptreeNodeHeader(hex(block))
      expect(header).toEqual({ fromBase: full.fromBase, fromParent: full.fromParent })
      expect(openProperties(c, header, key(k))).toEqual(readCryptreeNode(c, full, key(k)).properties)
    }
    const d = V.CryptreeNode.dir
    expect(() => decodeCryptreeNodeHeader(hex(d.cbor).subarray(1))).toThrow(expect.objectContaining({ name: expect.stringMatching(/Cbor/) }))
    expect(() => openProperties(c, decodeCryptreeNodeHeader(hex(d.cbor)), key(d.rBaseKey))).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
  })

  it('directory seen with only its parent key: properties and parent link, nothing else', () => {
    const d = V.CryptreeNode.dir
    const view = readCryptreeNode(c, decodeCryptreeNode(hex(d.cbor)), key(d.parentKey))
    expect(view).toMatchObject({ isDirectory: true, readable: false })
    expect(view.properties.name).toBe('docs')
    expect(() => nextChunkLocation(c, view, new Uint8Array(32), undefined)).toThrow(InvalidObjectError)
  })

  it('directory with a signer: the signing key pair opens under the wBaseKey', () => {
    const d = V.CryptreeNode.dir
    const node = decodeCryptreeNode(hex(V.CryptreeNode.dirWithSigner.cbor))
    const view = readCryptreeNode(c, node, key(d.rBaseKey), key(d.wBaseKey))
    expect(cborHex(signingPrivateKeyAndPublicHashToCbor(view.signer!))).toBe(V.CryptreeNode.dirWithSigner.signer)
    expect(readCryptreeNode(c, node, key(d.rBaseKey)).signer).toBeUndefined()
    expect(() => readCryptreeNode(c, node, key(d.rBaseKey), key(d.parentKey))).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
  })

  it('file: base key → data key, size, content, and the hash-derived next chunk', async () => {
    const f = V.CryptreeNode.file
    const node = decodeCryptreeNode(hex(f.cbor))
    expect(isDirectoryNode(c, node, key(f.baseKey))).toBe(f.decodedIsDirectory)
    const view = readCryptreeNode(c, node, key(f.baseKey))
    expect(sameSymmetricKey(view.dataKey!, key(f.dataKey))).toBe(f.decodedDataKeyOk)
    expect(view.properties.size).toBe(f.decodedSize)
    expect(toHex(await readFileChunk(c, node, view.dataKey!, noFetch))).toBe(f.content)
    const n = V.FileProperties.nextChunk
    const next = nextChunkLocation(c, view, hex(n.mapKey), { secret: hex(n.bat) }, view.properties.streamSecret)
    expect(toHex(next.mapKey)).toBe(n.nextMapKey)
    expect(toHex(next.bat!.secret)).toBe(n.nextBat)
    expect(cborHex(relativeCapabilityToCbor(view.fromBase!.nextChunk))).toBe(f.nextChunkCbor)
  })

  it('readCryptreeBlock reads a block in one call: view plus children or data', async () => {
    const d = V.CryptreeNode.dir
    const dir = await readCryptreeBlock(c, hex(d.cbor), key(d.rBaseKey), noFetch)
    expect(cborHex(childrenLinksToCbor(dir.children!))).toBe(d.childrenCbor)
    expect((await readCryptreeBlock(c, hex(d.cbor), key(d.parentKey), noFetch)).children).toBeUndefined()
    const file = await readCryptreeBlock(c, hex(V.CryptreeNode.file.cbor), key(V.CryptreeNode.file.baseKey), noFetch)
    expect(toHex(file.data!)).toBe(V.CryptreeNode.file.content)
    expect(file.view.properties.name).toBe('hello.txt')
  })

  it('a key that opens nothing fails with DecryptionFailedError', () => {
    const node = decodeCryptreeNode(hex(V.CryptreeNode.file.cbor))
    expect(() => readCryptreeNode(c, node, symmetricKey(new Uint8Array(32)))).toThrow(expect.objectContaining({ name: 'DecryptionFailedError' }))
  })
})

describe('reading built nodes and untrusted contents', () => {
  const k = (n: number) => symmetricKey(new Uint8Array(32).fill(n))
  const props = { name: 'f', isDirectory: false, isLink: false, mimeType: 'application/octet-stream', size: 3 << 20, modified: { seconds: 1n, nanos: 0 }, created: { seconds: 1n, nanos: 0 }, isHidden: false, streamSecret: new Uint8Array(32).fill(6) }
  const next = subsequentChunkCapability(new Uint8Array(32).fill(9), { secret: new Uint8Array(32).fill(8) }, k(1))
  const dirProps = { ...props, name: 'd', isDirectory: true, size: 0, streamSecret: undefined }

  it('reads a multi-fragment file chunk back through the fetcher', async () => {
    const chunk = new Uint8Array((3 << 20) + 10).map((_, i) => i * 7)
    const { node, fragments } = createFile(c, { baseKey: k(1), dataKey: k(2), chunk, properties: props, nextChunk: next })
    expect(fragments).toHaveLength(4)
    const back = cryptreeNodeFromCbor(decodeCbor(encodeCbor(cryptreeNodeToCbor(node))))
    const view = readCryptreeNode(c, back, k(1))
    expect(view.isDirectory).toBe(false)
    expect(equalBytes(await readFileChunk(c, back, view.dataKey!, fetcherOf(fragments)), chunk)).toBe(true)
  })

  it('reads a directory with many children split over fragments', async () => {
    const children = childrenLinks(Array.from({ length: 40 }, (_, i) => ({ name: `child-${i}`, cap: subsequentChunkCapability(new Uint8Array(32).fill(i), { secret: new Uint8Array(32).fill(i) }, k(i + 10)), isDir: i % 2 === 0 })))
    const { node, fragments } = createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: dirProps, nextChunk: next, children })
    expect(fragments.length).toBeGreaterThan(0)
    expect(cborHex(childrenLinksToCbor(await readDirectoryChildren(c, node, k(1), fetcherOf(fragments))))).toBe(cborHex(childrenLinksToCbor(children)))
  })

  /** A node whose sealed blocks hold arbitrary (mutated) plaintexts: exercises the decoders behind the decryption. */
  function forged(fromBase: CborValue, fromParent: CborValue, data: CborValue, dir: boolean): CryptreeNode {
    return {
      bats: [],
      fromBase: sealPaddedCbor(c, k(1), fromBase, 64),
      fromParent: sealPaddedCbor(c, dir ? k(2) : k(1), fromParent, 16),
      data: buildFpctCbor(c, dir ? k(1) : k(3), data).fpct,
    }
  }

  it('reads forged directory and file contents only to values or PeergosErrors', async () => {
    const fb = fromBaseToCbor({ key: k(2), nextChunk: next, signerLink: undefined })
    const fp = fromParentToCbor({ parentLink: next, properties: dirProps })
    const fileFb = fromBaseToCbor({ key: k(3), nextChunk: next })
    const fileFp = fromParentToCbor({ properties: props })
    const kids = childrenLinksToCbor(childrenLinks([{ name: 'a', cap: next, isDir: true, mimeType: 'x', created: 3n }]))
    const runs = FUZZ_RUNS
    await fc.assert(fc.asyncProperty(mutatedCbor([fb]), mutatedCbor([fp]), mutatedCbor([kids]), async (b, p, d) => {
      const node = forged(b, p, d, true)
      onlyPeergosErrors(() => readCryptreeNode(c, node, k(1), k(4)))
      await onlyPeergosErrorsAsync(() => readDirectoryChildren(c, node, k(1), noFetch))
    }), { numRuns: runs })
    await fc.assert(fc.asyncProperty(mutatedCbor([fileFb]), mutatedCbor([fileFp]), mutatedCbor([new Uint8Array(5)]), async (b, p, d) => {
      const node = forged(b, p, d, false)
      onlyPeergosErrors(() => readCryptreeNode(c, node, k(1)))
      await onlyPeergosErrorsAsync(() => readFileChunk(c, node, k(3), noFetch))
    }), { numRuns: runs })
  })

  it('reads mutated node structures and blocks only to values or PeergosErrors', async () => {
    const { node } = createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: dirProps, nextChunk: next, inlineBat: { secret: new Uint8Array(32) } })
    await fc.assert(fc.asyncProperty(mutatedCbor([cryptreeNodeToCbor(node)]), async (v) => {
      await onlyPeergosErrorsAsync(async () => {
        const n = cryptreeNodeFromCbor(v)
        readCryptreeNode(c, n, k(1))
        await readDirectoryChildren(c, n, k(1), noFetch)
      })
    }), { numRuns: FUZZ_RUNS })
    const fileNode = createFile(c, { baseKey: k(1), dataKey: k(3), chunk: new Uint8Array(10), properties: props, nextChunk: next }).node
    await fc.assert(fc.asyncProperty(untrustedBytes([node, fileNode].map(encodeCryptreeNode)), async (b) => {
      await onlyPeergosErrorsAsync(() => readCryptreeBlock(c, b, k(1), noFetch))
    }), { numRuns: FUZZ_RUNS })
  })
})
