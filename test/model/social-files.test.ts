// The CBOR of the social state files (Peergos PendingSocialState, Groups, FriendsGroups,
// ProcessedCaps, IncomingCapCache.CapsInDirectory, SharedWithState): layouts written out from the
// Java toCbor methods, round trips, the operations Peergos applies to them, and fuzzed decoding.
// (Byte equality with files the real Peergos wrote is checked in test/client/social-peergos-account.test.ts.)
import { beforeAll, describe, expect, it } from 'vitest'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { CborTypeError } from '../../src/codec/errors.ts'
import { nullCapability, type AbsoluteCapability } from '../../src/model/capability.ts'
import { decodeCapsInDirectory, encodeCapsInDirectory } from '../../src/model/caps-in-directory.ts'
import { InvalidObjectError } from '../../src/model/errors.ts'
import { addFriendGroup, decodeFriendsGroups, EMPTY_FRIENDS_GROUPS, encodeFriendsGroups, groupsOfFriend } from '../../src/model/friends-groups.ts'
import { decodeGroups, encodeGroups, FOLLOWERS_GROUP_NAME, FRIENDS_GROUP_NAME, generateGroups, groupUid } from '../../src/model/groups.ts'
import { decodePendingSocialState, encodePendingSocialState, withoutPending, withPending } from '../../src/model/pending-social-state.ts'
import { addProgress, decodeProcessedCaps, EMPTY_PROCESSED_CAPS, encodeProcessedCaps } from '../../src/model/processed-caps.ts'
import { addSharedWith, decodeSharedWithState, EMPTY_SHARED_WITH, encodeSharedWithState, removeSharedWith, sharedWithOf } from '../../src/model/shared-with-state.ts'
import { publicKeyHash, randomSigningKeyPair } from '../../src/model/signing-keys.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { fuzzDecoder } from './fuzz.ts'
import { toHex } from '../vectors.ts'

let c: CryptoProvider
beforeAll(async () => {
  c = await createNodeCrypto()
})
const utf8 = (s: string): string => Buffer.from(s).toString('hex')
/** A CBOR text string's bytes (short strings only). */
const tstr = (s: string): string => (0x60 + s.length).toString(16) + utf8(s)

function someCap(writable = false): AbsoluteCapability {
  const owner = publicKeyHash(randomSigningKeyPair(c).publicKey)
  return { owner, writer: owner, mapKey: c.randomBytes(32), rBaseKey: randomSymmetricKey(c), wBaseKey: writable ? randomSymmetricKey(c) : undefined }
}

describe('PendingSocialState {pendingOutgoing: [name]}', () => {
  it('encodes as Peergos does and keeps each name once', () => {
    expect(toHex(encodePendingSocialState({ pendingOutgoing: [] }))).toBe('a1' + '6f' + utf8('pendingOutgoing') + '80')
    const s = withPending(withPending({ pendingOutgoing: [] }, 'bob'), 'bob')
    expect(toHex(encodePendingSocialState(s))).toBe('a1' + '6f' + utf8('pendingOutgoing') + '81' + tstr('bob'))
    expect(decodePendingSocialState(encodePendingSocialState(withPending(s, 'carol')))).toEqual({ pendingOutgoing: ['bob', 'carol'] })
    expect(withoutPending(s, 'bob')).toEqual({ pendingOutgoing: [] })
    expect(() => decodePendingSocialState(encodePendingSocialState({ pendingOutgoing: [] }).slice(0, 5))).toThrow()
  })
})

describe('Groups {n: {uid: name}}', () => {
  it('generates a friends and a followers group with dot-prefixed hex uids', () => {
    const g = generateGroups(c)
    const friends = groupUid(g, FRIENDS_GROUP_NAME)!
    const followers = groupUid(g, FOLLOWERS_GROUP_NAME)!
    expect(friends).toMatch(/^\.[0-9a-f]{64}$/)
    expect(followers).not.toBe(friends)
    expect(decodeGroups(encodeGroups(g))).toEqual(g)
    const one = { uidToGroupName: new Map([[friends, 'friends']]) }
    expect(toHex(encodeGroups(one))).toBe('a1' + '616e' + 'a1' + '7841' + utf8(friends) + tstr('friends'))
  })

  it('refuses a uid that is not a group uid (it names a folder under /shared)', () => {
    expect(() => decodeGroups(encodeGroups({ uidToGroupName: new Map([['../bob', 'friends']]) }))).toThrow(InvalidObjectError)
  })
})

describe('FriendsGroups {g: {path: EntryPoint}}', () => {
  it('keeps the group folders by path, per friend', () => {
    const e = { pointer: someCap(), ownerName: 'alice' }
    let g = addFriendGroup(EMPTY_FRIENDS_GROUPS, '/alice/shared/.aa', e)
    g = addFriendGroup(g, '/alicia/shared/.bb', { ...e, ownerName: 'alicia' })
    expect(decodeFriendsGroups(encodeFriendsGroups(g))).toEqual(g)
    expect(groupsOfFriend(g, 'alice')).toEqual([['/alice/shared/.aa', e]])
    expect(toHex(encodeFriendsGroups(EMPTY_FRIENDS_GROUPS))).toBe('a16167a0')
  })
})

describe('ProcessedCaps {rc, wc, rb, wb, g}', () => {
  it('encodes as Peergos does and adds progress, also per group', () => {
    const p = { readCaps: 4, writeCaps: 1, readCapBytes: 1045, writeCapBytes: 248, groups: new Map() }
    expect(toHex(encodeProcessedCaps(p))).toBe('a5' + '6167a0' + '6272621904' + '15' + '627263' + '04' + '62776218f8' + '627763' + '01')
    const next = addProgress(p, { readCaps: 1, writeCaps: 0, readBytes: 200, writeBytes: 0, groups: new Map([['.g', { readCaps: 2, writeCaps: 0, readBytes: 400, writeBytes: 0, groups: new Map() }]]) })
    expect([next.readCaps, next.readCapBytes, next.groups.get('.g')?.readCapBytes]).toEqual([5, 1245, 400])
    expect(decodeProcessedCaps(encodeProcessedCaps(next))).toEqual(next)
    expect(() => decodeProcessedCaps(encodeProcessedCaps({ ...EMPTY_PROCESSED_CAPS, readCaps: -1 }))).toThrow(InvalidObjectError)
  })
})

describe('CapsInDirectory {c: [{n, c, s}]}', () => {
  it('round-trips children with their capabilities and sharers', () => {
    const d = { children: [{ name: 'notes.md', cap: someCap(), sharers: ['alice'] }, { name: 'docs', cap: someCap(true), sharers: ['alice', 'alice'] }] }
    expect(decodeCapsInDirectory(encodeCapsInDirectory(d))).toEqual(d)
    expect(toHex(encodeCapsInDirectory({ children: [] }))).toBe('a1616380')
    expect(() => decodeCapsInDirectory(encodeCapsInDirectory({ children: [{ name: 'x', cap: nullCapability(c), sharers: [] }] }).slice(0, -1))).toThrow()
  })
})

describe('SharedWithState {r, w, l}', () => {
  it('encodes as Peergos does; add and remove keep each name once and drop empty entries', () => {
    let s = addSharedWith(EMPTY_SHARED_WITH, 'read', 'notes.md', ['bob', 'bob'])
    expect(toHex(encodeSharedWithState(s))).toBe('a3' + '616ca0' + '6172a1' + tstr('notes.md') + '81' + tstr('bob') + '6177a0')
    s = addSharedWith(s, 'write', 'docs', ['bob'])
    s = addSharedWith(s, 'read', 'notes.md', ['carol'])
    expect(sharedWithOf(s, 'notes.md')).toEqual({ read: ['bob', 'carol'], write: [], links: [] })
    expect(decodeSharedWithState(encodeSharedWithState(s))).toEqual(s)
    s = removeSharedWith(removeSharedWith(s, 'read', 'notes.md', ['bob', 'carol']), 'write', 'docs', ['bob'])
    expect(encodeSharedWithState(s)).toEqual(encodeSharedWithState(EMPTY_SHARED_WITH))
  })

  it('reads a state without links (older Peergos)', () => {
    const noLinks = new Uint8Array(Buffer.from('a2' + '6172a0' + '6177a1' + tstr('docs') + '81' + tstr('bob'), 'hex'))
    expect(sharedWithOf(decodeSharedWithState(noLinks), 'docs')).toEqual({ read: [], write: ['bob'], links: [] })
    expect(() => decodeSharedWithState(new Uint8Array(Buffer.from('a1' + '6177a0', 'hex')))).toThrow(CborTypeError)
  })
})

describe('decoding untrusted social files only throws PeergosErrors', () => {
  it('fuzzes every decoder', () => {
    const runs = 2000
    fuzzDecoder(decodePendingSocialState, [encodePendingSocialState({ pendingOutgoing: ['bob', 'carol'] })], runs)
    fuzzDecoder(decodeGroups, [encodeGroups(generateGroups(c))], runs)
    fuzzDecoder(decodeFriendsGroups, [encodeFriendsGroups(addFriendGroup(EMPTY_FRIENDS_GROUPS, '/a/shared/.x', { pointer: someCap(), ownerName: 'a' }))], runs)
    fuzzDecoder(decodeProcessedCaps, [encodeProcessedCaps(addProgress(EMPTY_PROCESSED_CAPS, { readCaps: 1, writeCaps: 2, readBytes: 3, writeBytes: 4, groups: new Map([['.g', { readCaps: 1, writeCaps: 0, readBytes: 9, writeBytes: 0, groups: new Map() }]]) }))], runs)
    fuzzDecoder(decodeCapsInDirectory, [encodeCapsInDirectory({ children: [{ name: 'n', cap: someCap(true), sharers: ['a'] }] })], runs)
    fuzzDecoder(decodeSharedWithState, [encodeSharedWithState(addSharedWith(addSharedWith(EMPTY_SHARED_WITH, 'read', 'a', ['b']), 'write', 'c', ['d']))], runs)
  })
})
