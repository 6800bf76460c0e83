import fc from 'fast-check'
import { beforeAll, describe, expect, it } from 'vitest'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createSecretLink, InvalidSecretLinkError, parseSecretLink, secretLink, secretLinkChampKey, secretLinkToString } from '../../src/model/secret-link.ts'
import { FUZZ_RUNS, onlyPeergosErrors } from './fuzz.ts'
import { describeVectors, loadVector, toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => { c = await createNodeCrypto() })

describeVectors('Secret link URLs', () => {
  const e = loadVector('cbor.json').EncryptedCapability
  const real = loadVector('account-alice/manifest.json').secretLink

  it('prints and parses the Peergos form', () => {
    for (const url of [e.secretLinkUrl, real.url]) {
      const l = parseSecretLink(url)
      expect(secretLinkToString(l)).toBe(url)
    }
    const l = parseSecretLink(real.url)
    expect(l.label).toBe(real.label)
    expect(l.linkPassword).toBe(real.linkPassword)
    expect(cidToString(l.owner)).toBe(loadVector('account-alice/manifest.json').users.alice.identity)
    expect(parseSecretLink('/' + real.url)).toEqual(l)
    expect(parseSecretLink(`https://peergos.net/${real.url}?open=true`)).toEqual(l)
  })

  it('rejects malformed links', () => {
    for (const bad of ['secret/zabc/1#x', 'secret/' + real.url.split('/')[1] + '/0#x', 'secret/' + real.url.split('/')[1] + '/-5#x', 'nothing', 'secret/a/b/c#d', real.url.replace('#', '')]) {
      expect(() => parseSecretLink(bad), bad).toThrow(InvalidSecretLinkError)
    }
    expect(() => secretLink(parseCid(real.url.split('/')[1]), 0, 'x')).toThrow(/positive/)
  })

  it('creates random positive labels and 12-character passwords', () => {
    const owner = parseCid(real.url.split('/')[1])
    for (let i = 0; i < 20; i++) {
      const l = createSecretLink(c, owner)
      expect(l.label).toBeGreaterThan(0)
      expect(l.label).toBeLessThan(2 ** 32)
      expect(l.linkPassword).toMatch(/^[A-Za-z0-9]{12}$/)
      expect(parseSecretLink(secretLinkToString(l))).toEqual(l)
    }
  })

  it('the CHAMP key is sha256 of the label as 8 little-endian bytes', () => {
    const le = new Uint8Array(8)
    new DataView(le.buffer).setUint32(0, real.label, true)
    expect(toHex(secretLinkChampKey(c, real.label))).toBe(toHex(c.sha256(le)))
  })

  it('parsing arbitrary strings only throws PeergosErrors', () => {
    const base: string = real.url
    const arb = fc.oneof(fc.string({ maxLength: 120 }), fc.tuple(fc.nat(), fc.nat(), fc.string({ maxLength: 5 })).map(([i, j, s]) => base.slice(0, i % base.length) + s + base.slice(j % base.length)))
    fc.assert(fc.property(arb, (s) => onlyPeergosErrors(() => parseSecretLink(s))), { numRuns: FUZZ_RUNS })
  })
})
