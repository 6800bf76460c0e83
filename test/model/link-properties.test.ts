import { describe, expect, it } from 'vitest'
import { CborTypeError } from '../../src/codec/errors.ts'
import { cidToString } from '../../src/codec/cid.ts'
import { decodeLinkProperties, encodeLinkProperties, type LinkProperties } from '../../src/model/link-properties.ts'
import { fuzzDecoder } from './fuzz.ts'
import { describeVectors, hex, loadVector, toHex } from '../vectors.ts'

describeVectors('LinkProperties {l, p, u, w, o, h?, m?, e?}', () => {
  const e = loadVector('cbor.json').EncryptedCapability
  const manifestLink = loadVector('account-alice/manifest.json').secretLink

  it('matches cbor.json and the real account (with h)', () => {
    const p: LinkProperties = { label: Number(e.label), linkPassword: e.linkPassword, userPassword: '', isLinkWritable: false, open: false }
    expect(toHex(encodeLinkProperties(p))).toBe(e.linkPropertiesCbor)
    expect(decodeLinkProperties(hex(e.linkPropertiesCbor))).toEqual(p)
    const real = decodeLinkProperties(hex(manifestLink.linkPropertiesCbor))
    expect(real).toMatchObject({ label: manifestLink.label, linkPassword: manifestLink.linkPassword, isLinkWritable: false })
    expect(cidToString(real.existing!)).toMatch(/^zdpu/)
    expect(toHex(encodeLinkProperties(real))).toBe(manifestLink.linkPropertiesCbor)
  })

  it('optional max and expiry round-trip; `o` defaults to false; types are checked', () => {
    const p: LinkProperties = { label: 7, linkPassword: 'abc', userPassword: 'x', isLinkWritable: true, open: true, maxRetrievals: 3, expiry: 1893456000 }
    expect(decodeLinkProperties(encodeLinkProperties(p))).toEqual(p)
    expect(decodeLinkProperties(hex('a4616c076170636162636175606177f4')).open).toBe(false)
    expect(() => decodeLinkProperties(hex('a4616c076170016175606177f4'))).toThrow(CborTypeError)
  })

  it('decoding untrusted bytes only throws PeergosErrors', () => {
    fuzzDecoder(decodeLinkProperties, [hex(e.linkPropertiesCbor), hex(manifestLink.linkPropertiesCbor)])
  })
})
