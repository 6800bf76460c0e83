// The listing's in-place decoders (decodeCbor's `records`: pooled records instead of Maps, read
// through Fields) against the generic ones: on the Peergos-made CryptreeNode vectors, on random
// properties sealed into nodes, and on mutated and untrusted bytes the same value or the same error
// class, for the node header, FromParent's properties, a directory's child links and every decoder
// that reads them.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor, type CborValue, type DecodeLimits } from '../../src/codec/cbor.ts'
import { Fields } from '../../src/codec/cbor-read.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { cipherTextFromCbor, decodePadded, sealPaddedCbor } from '../../src/model/cipher-text.ts'
import { createDir, createFile, CRYPTREE_VERSION, decodeCryptreeNode, decodeCryptreeNodeHeader, encodeCryptreeNode, fromParentToCbor, UnsupportedCryptreeVersionError, type CryptreeNodeHeader } from '../../src/model/cryptree-node.ts'
import { openFromParent, openProperties } from '../../src/model/cryptree-read.ts'
import { filePropertiesFromCbor, filePropertiesToCbor, type FileProperties } from '../../src/model/file-properties.ts'
import { childrenLinks, childrenLinksFromCbor, childrenLinksFromPadded, childrenLinksToCbor, subsequentChunkCapability, type ChildrenLinks } from '../../src/model/relative-capability.ts'
import { symmetricDecrypt, symmetricKey } from '../../src/model/symmetric-key.ts'
import { mutatedCbor } from './cbor-mutations.ts'
import { FUZZ_RUNS, untrustedBytes } from './fuzz.ts'
import { describeVectors, haveVectors, hex, loadVector } from '../vectors.ts'

const V = haveVectors ? loadVector('cbor.json') : undefined
const k = (n: number) => symmetricKey(new Uint8Array(32).fill(n))
const next = subsequentChunkCapability(new Uint8Array(32).fill(9), { secret: new Uint8Array(32).fill(8) }, k(1))
const props: FileProperties = {
  name: 'f', isDirectory: false, isLink: false, mimeType: 'application/octet-stream', size: 4096,
  modified: { seconds: 1_700_000_000n, nanos: 5 }, created: { seconds: 1_600_000_000n, nanos: 0 }, isHidden: false, streamSecret: new Uint8Array(32).fill(6),
}

/** A call's result, or the class of what it threw: the two decoders must agree on it. */
function outcome<T>(fn: () => T): { value: T } | { error: string } {
  try {
    return { value: fn() }
  } catch (e) {
    return { error: (e as Error).name }
  }
}

/** The header decoder before records: the node's map built as a Map (the reference). */
function genericHeader(block: Uint8Array): CryptreeNodeHeader {
  const f = Fields.of(decodeCbor(block, { viewBytes: true, onlyKeys: new Set(['v', 'b', 'p']) }), 'CryptreeNode')
  if (f.long('v') !== BigInt(CRYPTREE_VERSION)) throw new UnsupportedCryptreeVersionError('version')
  return { fromBase: cipherTextFromCbor(f.req('b'), 'CryptreeNode.b'), fromParent: cipherTextFromCbor(f.req('p'), 'CryptreeNode.p') }
}

/** openProperties before records, on an already opened plaintext. */
function genericProperties(plain: Uint8Array): FileProperties {
  return filePropertiesFromCbor(Fields.of(decodePadded(plain, { viewBytes: true, onlyKeys: new Set(['s']) }), 'FromParent').req('s'))
}

function recordProperties(plain: Uint8Array): FileProperties {
  return filePropertiesFromCbor(Fields.of(decodePadded(plain, { viewBytes: true, onlyKeys: new Set(['s']), records: 2 }), 'FromParent').req('s'))
}

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const propertiesArb: fc.Arbitrary<FileProperties> = fc.record({
  name: fc.stringMatching(/^[a-zA-Z0-9 é_-]{1,40}$/),
  isDirectory: fc.boolean(),
  isLink: fc.boolean(),
  mimeType: fc.constantFrom('application/octet-stream', 'text/plain', '', 'image/png'),
  size: fc.nat({ max: 2 ** 40 }),
  modified: fc.record({ seconds: fc.bigInt({ min: 0n, max: 4_000_000_000n }), nanos: fc.nat({ max: 999_999_999 }) }),
  created: fc.record({ seconds: fc.bigInt({ min: 0n, max: 4_000_000_000n }), nanos: fc.nat({ max: 999_999_999 }) }),
  isHidden: fc.boolean(),
  thumbnail: fc.option(fc.record({ mimeType: fc.constantFrom('image/png', 'image/webp'), data: fc.uint8Array({ maxLength: 50 }) }), { nil: undefined }),
  streamSecret: fc.option(fc.uint8Array({ minLength: 32, maxLength: 32 }), { nil: undefined }),
  treeHash: fc.option(fc.record({ rootHash: fc.uint8Array({ minLength: 32, maxLength: 32 }), level1: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }) }), { nil: undefined }),
}).map((p) => (p.isDirectory ? { ...p, streamSecret: undefined } : p))

describeVectors('in-place decoders on the Peergos-made CryptreeNode vectors', () => {
  it('read the same header and properties as the generic decoders', () => {
    for (const [block, key] of [[V.CryptreeNode.file.cbor, V.CryptreeNode.file.baseKey], [V.CryptreeNode.dir.cbor, V.CryptreeNode.dir.parentKey]] as const) {
      const header = decodeCryptreeNodeHeader(hex(block))
      expect(header).toEqual(genericHeader(hex(block)))
      const full = decodeCryptreeNode(hex(block))
      expect(openProperties(c, header, symmetricKey(hex(key)))).toEqual(openFromParent(c, full, symmetricKey(hex(key))).properties)
    }
  })

  it('agree with the generic header decoder on untrusted bytes near the vectors: the same value or the same error class', () => {
    const valid = [hex(V.CryptreeNode.file.cbor), hex(V.CryptreeNode.dir.cbor)]
    fc.assert(fc.property(untrustedBytes(valid), (b) => {
      expect(outcome(() => decodeCryptreeNodeHeader(b))).toEqual(outcome(() => genericHeader(b)))
    }), { numRuns: FUZZ_RUNS })
  })
})

describe('in-place decoders', () => {
  it('open random properties sealed in a node exactly as the generic decoder', () => {
    fc.assert(fc.property(propertiesArb, fc.boolean(), (p, withParentLink) => {
      const fromParent = sealPaddedCbor(c, k(2), fromParentToCbor({ properties: p, parentLink: withParentLink ? next : undefined }), 16)
      const header: CryptreeNodeHeader = { fromBase: fromParent, fromParent }
      const direct = openProperties(c, header, k(2))
      expect(direct).toEqual(openFromParent(c, header, k(2)).properties)
      expect(direct).toEqual(p)
    }), { numRuns: Math.min(FUZZ_RUNS, 2000) })
  })

  it('keep each opened plaintext apart: properties opened in a row, with failed openings and large ones between, stay what they were', () => {
    fc.assert(fc.property(fc.array(fc.tuple(propertiesArb, fc.nat({ max: 9 })), { minLength: 1, maxLength: 120 }), (items) => {
      const opened: { got: FileProperties; want: FileProperties }[] = []
      for (const [p, roll] of items) {
        const big = roll === 0 ? { ...p, thumbnail: { mimeType: 'image/png', data: new Uint8Array(3000).fill(roll + 1) } } : p // past the slab's piece limit
        const header: CryptreeNodeHeader = { fromBase: sealPaddedCbor(c, k(2), fromParentToCbor({ properties: big }), 16), fromParent: sealPaddedCbor(c, k(2), fromParentToCbor({ properties: big }), 16) }
        if (roll === 1) expect(outcome(() => openProperties(c, header, k(3)))).toEqual({ error: 'DecryptionFailedError' }) // another key: nothing kept
        opened.push({ got: openProperties(c, header, k(2)), want: big })
      }
      for (const { got, want } of opened) expect(got).toEqual(want)
    }), { numRuns: 60 })
  })

  it('agree on mutated FromParent contents: the same properties or the same error class', () => {
    const valid = [fromParentToCbor({ properties: props, parentLink: next }), fromParentToCbor({ properties: { ...props, thumbnail: { mimeType: 'image/png', data: new Uint8Array(9) }, treeHash: { rootHash: new Uint8Array(32), level1: new Uint8Array(3) } } })]
    fc.assert(fc.property(mutatedCbor(valid), (v) => {
      const plain = encodeCbor(v)
      expect(outcome(() => recordProperties(plain))).toEqual(outcome(() => genericProperties(plain)))
    }), { numRuns: FUZZ_RUNS })
  })

  it('agree on untrusted FromParent bytes, padded or not', () => {
    const valid = [encodeCbor(fromParentToCbor({ properties: props, parentLink: next })), encodeCbor(filePropertiesToCbor(props))]
    fc.assert(fc.property(untrustedBytes(valid), fc.nat({ max: 20 }), (b, pad) => {
      const plain = new Uint8Array(b.length + pad)
      plain.set(b)
      expect(outcome(() => recordProperties(plain))).toEqual(outcome(() => genericProperties(plain)))
    }), { numRuns: FUZZ_RUNS })
  })

  it('agree on whole nodes built by createFile and createDir, sealed and mutated', () => {
    const file = createFile(c, { baseKey: k(1), dataKey: k(3), chunk: new Uint8Array(4096).fill(1), properties: props, nextChunk: next, inlineBat: { secret: new Uint8Array(32).fill(4) } }).node
    const dir = createDir(c, { rBaseKey: k(1), parentKey: k(2), properties: { ...props, isDirectory: true, streamSecret: undefined }, nextChunk: next }).node
    const blocks = [encodeCryptreeNode(file), encodeCryptreeNode(dir)]
    fc.assert(fc.property(untrustedBytes(blocks), (b) => {
      const direct = outcome(() => decodeCryptreeNodeHeader(b))
      expect(direct).toEqual(outcome(() => genericHeader(b)))
      if ('value' in direct) {
        for (const key of [k(1), k(2)]) {
          const plain = outcome(() => symmetricDecrypt(c, key, direct.value.fromParent.cipherText, direct.value.fromParent.nonce))
          if ('value' in plain) expect(outcome(() => recordProperties(plain.value))).toEqual(outcome(() => genericProperties(plain.value)))
        }
      }
    }), { numRuns: Math.min(FUZZ_RUNS, 3000) })
    expect(openProperties(c, decodeCryptreeNodeHeader(blocks[0]), k(1))).toEqual(props)
  })

  it('records read the same entries as Maps, and a record is overwritten only by the next decode with records', () => {
    const limits: DecodeLimits = { records: 2 }
    const valid = [encodeCbor(fromParentToCbor({ properties: props, parentLink: next })), encodeCbor(filePropertiesToCbor({ ...props, treeHash: { rootHash: new Uint8Array(32) } }))]
    fc.assert(fc.property(untrustedBytes(valid), (bytes) => {
      const built = outcome(() => decodeCbor(bytes))
      const rec = outcome(() => decodeCbor(bytes, limits))
      if ('error' in built) {
        expect(rec).toEqual(built)
        return
      }
      const value = (rec as { value: CborValue }).value
      if (!(built.value instanceof Map)) {
        expect(value).toEqual(built.value)
        return
      }
      const f = Fields.of(value, 'x')
      const m = f.map
      expect([...m.keys()]).toEqual([...built.value.keys()])
      for (const [key, x] of built.value) expect(x instanceof Map ? f.fields(key).map : m.get(key)).toEqual(x)
    }), { numRuns: Math.min(FUZZ_RUNS, 3000) })
    const a = Fields.of(decodeCbor(encodeCbor(new Map([['a', 1]])), limits), 'a')
    decodeCbor(encodeCbor(new Map([['a', 2]]))) // without records: the pool is untouched
    expect(a.int('a')).toBe(1)
  })

  const links: ChildrenLinks = childrenLinks(Array.from({ length: 5 }, (_, i) => ({
    name: `child-${i}`, cap: { ...subsequentChunkCapability(new Uint8Array(32).fill(i), { secret: new Uint8Array(32).fill(i + 1) }, k(i + 10)), wBaseKeyLink: i % 2 === 0 ? { nonce: new Uint8Array(24), cipherText: new Uint8Array(40) } : undefined },
    isDir: i % 2 === 0, mimeType: i === 1 ? 'text/plain' : undefined, created: i === 2 ? 1_700_000_000n : undefined,
  })))
  const legacy: ChildrenLinks = { kind: 'legacy', children: [next, subsequentChunkCapability(new Uint8Array(32).fill(3), undefined, k(4))] }
  const genericLinks = (plain: Uint8Array): ChildrenLinks => childrenLinksFromCbor(decodePadded(plain, { viewBytes: true }))

  it('read child lists in place exactly as the generic decoder: named, legacy, empty, padded', () => {
    for (const l of [links, legacy, childrenLinks([])]) {
      const plain = new Uint8Array(encodeCbor(childrenLinksToCbor(l)).length + 7)
      plain.set(encodeCbor(childrenLinksToCbor(l)))
      expect(childrenLinksFromPadded(plain)).toEqual(genericLinks(plain))
      expect(childrenLinksFromPadded(plain)).toEqual(l)
    }
  })

  it('agree on mutated child lists: the same links or the same error class', () => {
    fc.assert(fc.property(mutatedCbor([childrenLinksToCbor(links), childrenLinksToCbor(legacy)]), fc.nat({ max: 3 }), (v, pad) => {
      const body = encodeCbor(v)
      const plain = new Uint8Array(body.length + pad)
      plain.set(body)
      expect(outcome(() => childrenLinksFromPadded(plain))).toEqual(outcome(() => genericLinks(plain)))
    }), { numRuns: FUZZ_RUNS })
  })

  it('agree on untrusted child-list bytes', () => {
    const valid = [links, legacy].map((l) => encodeCbor(childrenLinksToCbor(l)))
    fc.assert(fc.property(untrustedBytes(valid), (plain) => {
      expect(outcome(() => childrenLinksFromPadded(plain))).toEqual(outcome(() => genericLinks(plain)))
    }), { numRuns: FUZZ_RUNS })
  })
})
