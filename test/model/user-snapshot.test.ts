// UserSnapshot and LinkCounts (reference §4.4): the layout Peergos' migrateUser replies with, round
// trips of every field (login data, optional, is carried by the migration test), the list-shape
// checks, and mutated or random bytes refused with PeergosErrors.
import { beforeAll, describe, expect, it } from 'vitest'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { Fields } from '../../src/codec/cbor-read.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { randomBat } from '../../src/model/bat.ts'
import { sha256BatId } from '../../src/model/bat-id.ts'
import { buildBlindFollowRequest, encodeBlindFollowRequest } from '../../src/model/blind-follow-request.ts'
import { randomCurve25519BoxingKeyPair } from '../../src/model/boxing-key-pair.ts'
import { publicKeyHash } from '../../src/model/signing-keys.ts'
import { decodeUserSnapshot, encodeUserSnapshot, type UserSnapshot } from '../../src/model/user-snapshot.ts'
import { fuzzDecoder } from './fuzz.ts'

let c: CryptoProvider
let snapshot: UserSnapshot
beforeAll(async () => {
  c = await createNodeCrypto()
  const key = (): ReturnType<typeof publicKeyHash> => publicKeyHash(c.signKeyPairFromSeed(c.randomBytes(32)).publicKey)
  const bat = randomBat(c)
  const owner = key()
  snapshot = {
    username: 'mover',
    owner,
    pointers: [{ writer: owner, signed: c.randomBytes(90) }, { writer: key(), signed: c.randomBytes(90) }],
    followRequests: [encodeBlindFollowRequest(buildBlindFollowRequest(c, randomCurve25519BoxingKeyPair(c).publicKey, {}))],
    mirrorBats: [{ bat, id: sha256BatId(c, bat) }],
    linkCounts: [{ label: 7, count: 2, modified: 1_700_000_000 }, { label: 9_007_199_254_740_000, count: 1, modified: 1_700_000_100 }],
  }
})

describe('UserSnapshot', () => {
  it('keeps Peergos keys n, o, f, p (flat writer/pointer list), b, l, lc {d: [label, count, seconds...]}', () => {
    const f = Fields.of(decodeCbor(encodeUserSnapshot(snapshot)), 'snapshot')
    expect([...f.map.keys()].sort()).toEqual(['b', 'f', 'lc', 'n', 'o', 'p'])
    expect(f.list('p')).toHaveLength(4)
    expect(Fields.of(f.req('lc'), 'lc').list('d')).toHaveLength(6)
  })

  it('round trips every field', () => {
    const back = decodeUserSnapshot(encodeUserSnapshot(snapshot))
    expect(back.username).toBe('mover')
    expect(back.owner.equals(snapshot.owner)).toBe(true)
    expect(back.pointers.map((p) => Buffer.from(p.signed).toString('hex')).sort()).toEqual(snapshot.pointers.map((p) => Buffer.from(p.signed).toString('hex')).sort())
    expect(back.followRequests.map((r) => Buffer.from(r).toString('hex'))).toEqual(snapshot.followRequests.map((r) => Buffer.from(r).toString('hex')))
    expect(back.mirrorBats[0].id.equals(snapshot.mirrorBats[0].id)).toBe(true)
    expect(back.linkCounts).toEqual(snapshot.linkCounts)
    expect(back.login).toBeUndefined()
  })

  it('refuses a pointer list of odd length and link counts not in threes', () => {
    const m = decodeCbor(encodeUserSnapshot(snapshot)) as Map<string, unknown>
    const odd = new Map(m)
    odd.set('p', (m.get('p') as unknown[]).slice(1))
    expect(() => decodeUserSnapshot(encodeCbor(odd as never))).toThrow(CborTypeError)
    const counts = new Map(m)
    counts.set('lc', new Map([['d', [1, 2]]]))
    expect(() => decodeUserSnapshot(encodeCbor(counts as never))).toThrow(/multiple of 3/)
  })

  it('refuses mutated and random bytes with PeergosErrors only', () => {
    fuzzDecoder(decodeUserSnapshot, [encodeUserSnapshot(snapshot)], 2000)
  })
})
