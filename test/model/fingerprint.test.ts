// The safety number (Peergos FingerPrint): an independent computation with node:crypto's Blake2b-512
// gives the same halves and digits; both users see the same 60 digits and their fingerprints match;
// key order does not matter; CBOR {f, u, v} round-trips; untrusted bytes only throw PeergosErrors.
// Also TofuKeyStore and FriendAnnotation round trips.
import { createHash } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { encodeCbor } from '../../src/codec/cbor.ts'
import { identityCid, parseCid } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import {
  decodeFingerprint, encodeFingerprint, fingerprintsMatch, formatSafetyNumber, generateFingerprint, halfFingerprint, safetyNumber,
} from '../../src/model/fingerprint.ts'
import { encodeFriendAnnotation, friendAnnotationFromCbor } from '../../src/model/friend-annotation.ts'
import { decodeCbor } from '../../src/codec/cbor.ts'
import { fuzzDecoder } from './fuzz.ts'

const c = await createNodeCrypto()
const alice = [parseCid('z59vuwzfFDomiyZtssh2DZG4cjAGNMaPVtwPmuTNWYokEjS2vYpQhDV'), identityCid(0x71, new Uint8Array(32).fill(7))]
const bob = [parseCid('z59vuwzfFDotjFgEhH1FjLH1ucm2MLYpv1kkAFi1tYcXjcokNYbChj8'), identityCid(0x71, new Uint8Array(32).fill(200))]

/** calculateHalfFingerprint written again from its description, with node's Blake2b-512. */
function referenceHalf(name: string, keys: Uint8Array[]): Buffer {
  const signed = (b: Uint8Array): number[] => Array.from(b, (x) => (x > 127 ? x - 256 : x))
  const sorted = [...keys].sort((a, b) => {
    if (a.length !== b.length) return a.length - b.length
    const sa = signed(a)
    const sb = signed(b)
    for (let i = 0; i < a.length; i++) if (sa[i] !== sb[i]) return sa[i] - sb[i]
    return 0
  })
  let input = Buffer.concat([Buffer.from([0, 0]), Buffer.from(name, 'utf8'), ...sorted])
  for (let i = 0; i < 5200; i++) input = createHash('blake2b512').update(input).digest()
  return input.subarray(0, 32)
}

function referenceDigits(half: Buffer): string {
  let out = ''
  for (const o of [0, 5, 10, 15, 20, 25]) out += String(Number(half.readUIntLE(o, 5) % 100000)).padStart(5, '0')
  return out
}

describe('FingerPrint', () => {
  it('matches an independent computation of both halves and the 60 digits', () => {
    const f = generateFingerprint(c, 'alice', alice, 'bob', bob)
    const a = referenceHalf('alice', alice.map((k) => k.bytes))
    const b = referenceHalf('bob', bob.map((k) => k.bytes))
    expect(Buffer.from(f.ours).equals(a)).toBe(true)
    expect(Buffer.from(f.friends).equals(b)).toBe(true)
    const [x, y] = [referenceDigits(a), referenceDigits(b)].sort()
    expect(safetyNumber(f)).toBe(x + y)
    expect(safetyNumber(f)).toMatch(/^[0-9]{60}$/)
    expect(formatSafetyNumber(safetyNumber(f))).toMatch(/^([0-9]{5} ){11}[0-9]{5}$/)
  })

  it('is the same number on both sides, whatever the key order; the fingerprints match each other only', () => {
    const ours = generateFingerprint(c, 'alice', alice, 'bob', bob)
    const theirs = generateFingerprint(c, 'bob', [...bob].reverse(), 'alice', [...alice].reverse())
    expect(safetyNumber(theirs)).toBe(safetyNumber(ours))
    expect(fingerprintsMatch(ours, theirs)).toBe(true)
    expect(fingerprintsMatch(ours, ours)).toBe(false)
    const impostor = generateFingerprint(c, 'bob', [identityCid(0x71, new Uint8Array(32).fill(9)), bob[1]], 'alice', alice)
    expect(fingerprintsMatch(ours, impostor)).toBe(false)
    expect(safetyNumber(impostor)).not.toBe(safetyNumber(ours))
    expect(Buffer.from(halfFingerprint(c, 'bob', bob)).equals(Buffer.from(ours.friends))).toBe(true)
  })

  it('round-trips its CBOR {f, u, v}; decoding untrusted bytes only throws PeergosErrors', () => {
    const f = generateFingerprint(c, 'alice', alice, 'bob', bob)
    const bytes = encodeFingerprint(f)
    expect([...decodeCbor(bytes as Uint8Array) as Map<string, unknown>].map(([k]) => k)).toEqual(['f', 'u', 'v'])
    expect(decodeFingerprint(bytes)).toEqual(f)
    fuzzDecoder(decodeFingerprint, [bytes])
  })
})

describe('FriendAnnotation {k, u, v}', () => {
  it('round-trips', () => {
    const a = { username: 'bob', verified: true, keysAtVerification: bob }
    const bytes = encodeFriendAnnotation(a)
    expect(friendAnnotationFromCbor(decodeCbor(bytes))).toEqual(a)
    expect(encodeCbor(decodeCbor(bytes))).toEqual(bytes)
  })
})
