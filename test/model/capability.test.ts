// AbsoluteCapability (reference §1.2-§1.3): CBOR forms and the `#owner/writer/mapKey‖bat/rBase[/wBase]`
// links, byte-exact to cbor.json AbsoluteCapability; strict link parsing.
import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  capabilityFromCbor, capabilityFromLink, capabilityToCbor, capabilityToLink, InvalidCapabilityLinkError, nullCapability, readOnly, type AbsoluteCapability,
} from '../../src/model/capability.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import { FUZZ_RUNS, onlyPeergosErrors } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('capability links (cbor.json AbsoluteCapability)', () => {
  const v = loadVector('cbor.json').AbsoluteCapability
  const write: AbsoluteCapability = {
    owner: parseCid(v.owner), writer: parseCid(v.writer), mapKey: hex(v.mapKey), bat: { secret: hex(v.bat) },
    rBaseKey: symmetricKey(hex(v.rBaseKey)), wBaseKey: symmetricKey(hex(v.wBaseKey)),
  }
  const read = readOnly(write)
  const noBat: AbsoluteCapability = { ...read, bat: undefined }

  it('the capabilities behind the links match their CBOR vectors', () => {
    expect(toHex(encodeCbor(capabilityToCbor(write)))).toBe(v.writeCbor)
    expect(toHex(encodeCbor(capabilityToCbor(read)))).toBe(v.readCbor)
    expect(toHex(encodeCbor(capabilityToCbor(noBat)))).toBe(v.readNoBatCbor)
  })

  it('toLink: read (4 parts), write (5 parts), and without a BAT (32-byte map key part)', () => {
    expect(capabilityToLink(read)).toBe(v.readLink)
    expect(capabilityToLink(write)).toBe(v.writeLink)
    expect(capabilityToLink(noBat)).toBe(v.readNoBatLink)
  })

  it('fromLink parses each link back to the same capability', () => {
    for (const [link, cbor] of [[v.readLink, v.readCbor], [v.writeLink, v.writeCbor], [v.readNoBatLink, v.readNoBatCbor]]) {
      expect(toHex(encodeCbor(capabilityToCbor(capabilityFromLink(link))))).toBe(cbor)
      expect(toHex(encodeCbor(capabilityToCbor(capabilityFromLink(link.slice(1)))))).toBe(cbor)
      expect(toHex(encodeCbor(capabilityToCbor(capabilityFromLink(link + '/'))))).toBe(cbor)
    }
    expect(capabilityFromLink(v.writeLink).wBaseKey).toBeDefined()
    expect(capabilityFromLink(v.readLink).wBaseKey).toBeUndefined()
  })

  it('the null capability and its link', () => {
    const nul = nullCapability(c)
    expect(toHex(encodeCbor(capabilityToCbor(nul)))).toBe(v.nullCapCbor)
    expect(toHex(encodeCbor(capabilityToCbor(capabilityFromLink(capabilityToLink(nul)))))).toBe(v.nullCapCbor)
    expect(toHex(encodeCbor(capabilityToCbor(capabilityFromCbor(decodeCbor(hex(v.nullCapCbor))))))).toBe(v.nullCapCbor)
  })
})

describe('capability link parsing', () => {
  const cap = (): AbsoluteCapability => ({
    owner: parseCid('z59vuwzfFDp399mHmhY9pscsxhe5jVBkcWoGBa4EhJZ2deYwBfWjSJb'), writer: parseCid('z59vuwzfFDotgj7NBimkFEgFovkTvcRfMSJg322eD69SbHknL7dkCMj'),
    mapKey: new Uint8Array(32).fill(1), bat: { secret: new Uint8Array(32).fill(2) }, rBaseKey: symmetricKey(new Uint8Array(32).fill(3)), wBaseKey: symmetricKey(new Uint8Array(32).fill(4)),
  })

  it('round-trips random capabilities', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), fc.boolean(), fc.boolean(), (mapKey, withBat, writable) => {
      const c0 = cap()
      const x: AbsoluteCapability = { ...c0, mapKey, bat: withBat ? c0.bat : undefined, wBaseKey: writable ? c0.wBaseKey : undefined }
      expect(encodeCbor(capabilityToCbor(capabilityFromLink(capabilityToLink(x))))).toEqual(encodeCbor(capabilityToCbor(x)))
    }), { numRuns: 200 })
  })

  it('refuses malformed links with InvalidCapabilityLinkError', () => {
    const link = capabilityToLink(cap())
    const parts = link.slice(1).split('/')
    for (const bad of ['', '#', '#a/b/c', parts.slice(0, 3).join('/'), [...parts, parts[0]].join('/'), link.replace(/\/[^/]+$/, '/0OIl'), [parts[0], parts[1], parts[0], parts[3]].join('/'), link + 'x'.repeat(3000)]) {
      expect(() => capabilityFromLink(bad)).toThrow(InvalidCapabilityLinkError)
    }
  })

  it('parses untrusted links only to capabilities or PeergosErrors', () => {
    const link = capabilityToLink(cap())
    const alphabet = fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz/#0')
    const text = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: alphabet, maxLength: 400 }),
      fc.tuple(fc.nat(), fc.string({ unit: alphabet, maxLength: 4 }), fc.nat({ max: 3 })).map(([i, s, del]) => link.slice(0, i % link.length) + s + link.slice((i % link.length) + del)),
    )
    fc.assert(fc.property(text, (s) => onlyPeergosErrors(() => capabilityFromLink(s))), { numRuns: FUZZ_RUNS })
  })
})
