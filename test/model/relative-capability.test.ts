// RelativeCapability, SymmetricLink, NamedRelativeCapability and ChildrenLinks (reference §1.2),
// byte-exact to cbor.json RelativeCapability / NamedRelativeCapability; strict decoding.
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { capabilityToCbor, readOnly, type AbsoluteCapability, type WritableAbsoluteCapability } from '../../src/model/capability.ts'
import { cipherTextFromCbor, cipherTextToCbor } from '../../src/model/cipher-text.ts'
import { InvalidFileNameError } from '../../src/model/file-name.ts'
import {
  childrenLinks, childrenLinksFromCbor, childrenLinksToCbor, EMPTY_CHILDREN_LINKS, namedRelativeCapabilityFromCbor, namedRelativeCapabilityToCbor,
  relativeCapabilityFromCbor, relativeCapabilityToCbor, relativise, subsequentChunkCapability, symmetricLinkFromPair, symmetricLinkTarget, toAbsolute,
  type NamedRelativeCapability,
} from '../../src/model/relative-capability.ts'
import { sameSymmetricKey, symmetricKey } from '../../src/model/symmetric-key.ts'
import { fuzzCborDecoder } from './cbor-mutations.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, haveVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

const V = haveVectors ? loadVector('cbor.json') : undefined
const cborHex = (v: Parameters<typeof encodeCbor>[0]) => toHex(encodeCbor(v))

function parentCap(): WritableAbsoluteCapability {
  const a = V.AbsoluteCapability
  return {
    owner: parseCid(a.owner), writer: parseCid(a.writer), mapKey: hex(a.mapKey), bat: { secret: hex(a.bat) },
    rBaseKey: symmetricKey(hex(a.rBaseKey)), wBaseKey: symmetricKey(hex(a.wBaseKey)),
  }
}

/** The nonce Peergos drew for relativise's SymmetricLink (inside relativisedCbor's `l`). */
function relativiseNonce(): Uint8Array {
  const l = (decodeCbor(hex(V.RelativeCapability.relativisedCbor)) as Map<string, never>).get('l')!
  return cipherTextFromCbor(l).nonce
}

function childCap(): WritableAbsoluteCapability {
  const r = V.RelativeCapability
  const p = parentCap()
  return { ...p, mapKey: hex(r.childMapKey), bat: { secret: hex(r.childBat) }, rBaseKey: symmetricKey(hex(r.childRBaseKey)), wBaseKey: symmetricKey(hex(r.childWBaseKey)) }
}

describeVectors('RelativeCapability vectors', () => {
  it('relativise(parent write cap, child write cap) carries the SymmetricLink l (nonce reused from the vector)', () => {
    const r = V.RelativeCapability
    const link = cipherTextFromCbor(decodeCbor(hex(r.symmetricLinkCbor)))
    expect(cborHex(cipherTextToCbor(symmetricLinkFromPair(c, parentCap().wBaseKey, childCap().wBaseKey, link.nonce)))).toBe(r.symmetricLinkCbor)
    expect(sameSymmetricKey(symmetricLinkTarget(c, link, parentCap().wBaseKey), childCap().wBaseKey)).toBe(true)
    const rel = relativise(c, parentCap(), childCap(), relativiseNonce())
    expect(cborHex(relativeCapabilityToCbor(rel))).toBe(r.relativisedCbor)
  })

  it('relativise to a cap of another writer gives w and no l', () => {
    const child = { ...readOnly(childCap()), writer: parentCap().owner }
    expect(cborHex(relativeCapabilityToCbor(relativise(c, parentCap(), child)))).toBe(V.RelativeCapability.withWriterNoLinkCbor)
  })

  it('toAbsolute(parent) recovers the child write cap; a read-only source gives a read cap', () => {
    const rel = relativeCapabilityFromCbor(decodeCbor(hex(V.RelativeCapability.relativisedCbor)))
    expect(cborHex(capabilityToCbor(toAbsolute(c, rel, parentCap())))).toBe(V.RelativeCapability.toAbsoluteCbor)
    expect(toAbsolute(c, rel, readOnly(parentCap())).wBaseKey).toBeUndefined()
    const withWriter = relativeCapabilityFromCbor(decodeCbor(hex(V.RelativeCapability.withWriterNoLinkCbor)))
    expect(toAbsolute(c, withWriter, parentCap()).writer.equals(parentCap().owner)).toBe(true)
  })

  it('decodes and re-encodes every vector byte for byte', () => {
    for (const k of ['relativisedCbor', 'withWriterNoLinkCbor']) {
      expect(cborHex(relativeCapabilityToCbor(relativeCapabilityFromCbor(decodeCbor(hex(V.RelativeCapability[k])))))).toBe(V.RelativeCapability[k])
    }
  })
})

describeVectors('NamedRelativeCapability and ChildrenLinks vectors', () => {
  const created = 1767323045n
  const named = (): NamedRelativeCapability[] => {
    const child = childCap()
    return [
      { name: 'child.txt', cap: relativise(c, parentCap(), { ...readOnly(child), writer: parentCap().owner }), isDir: false, mimeType: 'text/plain', created },
      { name: 'subdir', cap: relativise(c, parentCap(), child, relativiseNonce()), isDir: true, created },
    ]
  }

  it('file and directory entries are the relative cap flattened with n, d, t, c', () => {
    const [file, dir] = named()
    expect(cborHex(namedRelativeCapabilityToCbor(file))).toBe(V.NamedRelativeCapability.fileCbor)
    expect(cborHex(namedRelativeCapabilityToCbor(dir))).toBe(V.NamedRelativeCapability.dirCbor)
  })

  it('ChildrenLinks is the list of entries, and decodes back', () => {
    const v = V.NamedRelativeCapability.childrenLinksCbor
    expect(cborHex(childrenLinksToCbor(childrenLinks(named())))).toBe(v)
    const back = childrenLinksFromCbor(decodeCbor(hex(v)))
    expect(back.kind).toBe('named')
    expect(back.children.map((x) => (x as NamedRelativeCapability).name)).toEqual(['child.txt', 'subdir'])
    expect(cborHex(childrenLinksToCbor(back))).toBe(v)
    expect(namedRelativeCapabilityFromCbor(decodeCbor(hex(V.NamedRelativeCapability.dirCbor))).mimeType).toBeUndefined()
  })
})

describe('relative capabilities: rules and untrusted input', () => {
  const cap = (): WritableAbsoluteCapability => ({
    owner: parseCid('z59vuwzfFDp399mHmhY9pscsxhe5jVBkcWoGBa4EhJZ2deYwBfWjSJb'), writer: parseCid('z59vuwzfFDotgj7NBimkFEgFovkTvcRfMSJg322eD69SbHknL7dkCMj'),
    mapKey: new Uint8Array(32).fill(1), bat: { secret: new Uint8Array(32).fill(2) }, rBaseKey: symmetricKey(new Uint8Array(32).fill(3)), wBaseKey: symmetricKey(new Uint8Array(32).fill(4)),
  })
  const child = (): AbsoluteCapability => ({ ...cap(), mapKey: new Uint8Array(32).fill(5), wBaseKey: symmetricKey(new Uint8Array(32).fill(6)) })

  it('refuses to relativise across owners and omits l when the write keys are equal', () => {
    expect(() => relativise(c, cap(), { ...child(), owner: cap().writer })).toThrow(expect.objectContaining({ name: 'InvalidObjectError' }))
    expect(relativise(c, cap(), { ...child(), wBaseKey: cap().wBaseKey }).wBaseKeyLink).toBeUndefined()
    expect(relativise(c, cap(), readOnly(child())).wBaseKeyLink).toBeUndefined()
  })

  it('subsequent-chunk caps carry only map key, BAT and key', () => {
    expect([...(relativeCapabilityToCbor(subsequentChunkCapability(new Uint8Array(32), undefined, cap().rBaseKey)) as Map<string, unknown>).keys()].sort()).toEqual(['k', 'm'])
  })

  it('decodes an empty ChildrenLinks as named, legacy lists as bare relative caps', () => {
    expect(childrenLinksFromCbor([])).toEqual(EMPTY_CHILDREN_LINKS)
    const legacy = childrenLinksFromCbor(decodeCbor(encodeCbor([relativeCapabilityToCbor(relativise(c, cap(), child()))])))
    expect(legacy.kind).toBe('legacy')
  })

  it('refuses invalid entry names', () => {
    const entry = namedRelativeCapabilityToCbor({ name: 'ok', cap: relativise(c, cap(), child()) }) as Map<string, unknown>
    for (const name of ['', '.', '..', 'a/b', 'x'.repeat(256)]) {
      entry.set('n', name)
      expect(() => namedRelativeCapabilityFromCbor(entry as never)).toThrow(InvalidFileNameError)
    }
  })

  it('decodes untrusted relative caps, entries and child lists only to values or PeergosErrors', () => {
    const rel = relativeCapabilityToCbor(relativise(c, cap(), child()))
    const withWriter = relativeCapabilityToCbor(relativise(c, cap(), { ...readOnly(child()), writer: cap().owner }))
    const list = childrenLinksToCbor(childrenLinks([{ name: 'f', cap: relativise(c, cap(), child()), isDir: false, mimeType: 'text/plain', created: 5n }, { name: 'd', cap: relativise(c, cap(), readOnly(child())), isDir: true }]))
    fuzzDecoder((b) => relativeCapabilityFromCbor(decodeCbor(b)), [encodeCbor(rel), encodeCbor(withWriter)])
    fuzzCborDecoder((v) => relativeCapabilityFromCbor(v), [rel, withWriter])
    fuzzDecoder((b) => childrenLinksFromCbor(decodeCbor(b)), [encodeCbor(list)])
    fuzzCborDecoder(childrenLinksFromCbor, [list])
    fuzzCborDecoder(namedRelativeCapabilityFromCbor, (list as Map<string, never>[]))
  })

  it('opens untrusted symmetric links only to keys or PeergosErrors', () => {
    const link = cipherTextToCbor(symmetricLinkFromPair(c, cap().wBaseKey, symmetricKey(new Uint8Array(32).fill(8))))
    fuzzCborDecoder((v) => symmetricLinkTarget(c, cipherTextFromCbor(v), cap().wBaseKey), [link])
  })
})
