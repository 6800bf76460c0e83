// Following and read sharing between fresh users on a real daemon over HTTP: bob asks to follow
// alice, alice accepts and reciprocates, both are friends (groups made, group folders shared); alice
// shares a file and a folder read-only, and with her friends group; bob's client picks them up and
// reads them by path, also from a new session through the capability cache alone, and cannot write;
// a follow request is rejected, one accepted without reciprocation; bob unfollows alice; alice
// removes a follower. Refusals come as named errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { UnsupportedOperationError } from '../../src/client/file-system.ts'
import { socialContextOf } from '../../src/client/social/context.ts'
import { AlreadyFollowingError, ForgedOwnerError, NotAFollowerError, NotShareableError, UnknownUserError } from '../../src/client/social/errors.ts'
import { checkEntryPoint } from '../../src/client/social/friends.ts'
import { sendBlindRequest } from '../../src/client/social/follow-requests.ts'
import { publicKeysOf } from '../../src/client/social/public-keys.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { readOnly } from '../../src/model/capability.ts'
import { randomSymmetricKey } from '../../src/model/symmetric-key.ts'
import { decodeCapsInDirectory } from '../../src/model/caps-in-directory.ts'
import { decodeProcessedCaps } from '../../src/model/processed-caps.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

let server: TestDaemon
let net: NetworkAccess
let alice: UserContext
let bob: UserContext
let carol: UserContext

beforeAll(async () => {
  server = await startTestDaemon()
  net = server.net
  alice = await UserContext.signUp(net, 'alice', PASSWORD)
  bob = await UserContext.signUp(net, 'bob', PASSWORD)
  carol = await UserContext.signUp(net, 'carol', PASSWORD)
}, 300_000)
afterAll(async () => {
  await server?.close()
})

describe('following', () => {
  it('bob asks to follow alice; alice accepts and reciprocates; they are friends', async () => {
    const a = socialOf(alice)
    const b = socialOf(bob)
    expect(await b.sendFollowRequest('bob')).toBe(false)
    expect(await b.sendFollowRequest('alice')).toBe(true)
    expect(await b.pendingOutgoing()).toEqual(['alice'])
    expect((await bob.fs.stat('/bob/shared/alice')).isHidden).toBe(true)
    // the server holds one blinded request: it names neither sender nor content
    const stored = await a.listFollowRequests()
    expect(stored.map((r) => r.from)).toEqual(['bob'])
    expect(stored[0].raw.length).toBeGreaterThan(3000) // hybrid Curve25519 + ML-KEM-1024, padded to 512 bytes
    const [request] = await a.followRequests()
    expect(request.from).toBe('bob')
    expect(request.request.key).toBeDefined()
    await a.accept(request)
    expect(await a.followRequests()).toEqual([])
    expect(await b.followRequests()).toEqual([])
    expect(await b.pendingOutgoing()).toEqual([])
    for (const [s, other] of [[a, 'bob'], [b, 'alice']] as const) {
      expect(await s.followers()).toEqual([other])
      expect(await s.following()).toEqual([other])
      expect(await s.friends()).toEqual([other])
    }
    // both groups exist on both sides, and each member has the group folder shared with them
    for (const [user, other] of [[alice, 'bob'], [bob, 'alice']] as const) {
      const state = await socialOf(user).socialState()
      expect([...state.groups.values()].sort()).toEqual(['followers', 'friends'])
      expect((await socialOf(user).sharedWith(`/${user.username}/shared/${state.followersGroupUid}`)).read).toEqual([other])
      expect((await socialOf(user).sharedWith(`/${user.username}/shared/${state.friendsGroupUid}`)).read).toEqual([other])
    }
    await expect(b.sendFollowRequest('alice')).rejects.toThrow(AlreadyFollowingError)
    await expect(b.sendFollowRequest('nobody')).rejects.toThrow(UnknownUserError)
  }, 180_000)

  it('a rejected request leaves no trace on either side', async () => {
    const a = socialOf(alice)
    const c = socialOf(carol)
    await c.sendFollowRequest('alice')
    const [request] = await a.followRequests()
    expect(request.from).toBe('carol')
    await a.reject(request)
    expect(await a.followRequests()).toEqual([])
    expect(await c.followRequests()).toEqual([])
    expect(await c.pendingOutgoing()).toEqual([])
    expect(await c.following()).toEqual([])
    expect(await carol.fs.exists('/carol/shared/alice')).toBe(false)
    expect(await a.followers()).toEqual(['bob'])
  }, 120_000)

  it('accepting without reciprocating: carol follows bob, bob does not follow carol', async () => {
    const b = socialOf(bob)
    const c = socialOf(carol)
    await c.sendFollowRequest('bob')
    const [request] = await b.followRequests()
    await b.reply(request, { accept: true, reciprocate: false })
    expect(await c.followRequests()).toEqual([])
    expect(await c.following()).toEqual(['bob'])
    expect(await c.followers()).toEqual([]) // bob does not follow carol: her folder for him is gone
    expect(await carol.fs.exists('/carol/shared/bob')).toBe(false)
    expect(await b.followers()).toEqual(['alice', 'carol'])
    expect(await b.following()).toEqual(['alice'])
  }, 120_000)

  it('refuses an entry point whose claimed owner does not own it', async () => {
    const x = socialContextOf(bob)
    const carolsDir = readOnly(await carol.fs.capabilityOf('/carol/shared'))
    await expect(checkEntryPoint(x, { pointer: carolsDir, ownerName: 'alice' })).rejects.toThrow(ForgedOwnerError)
    await expect(checkEntryPoint(x, { pointer: { ...carolsDir, owner: alice.identity.publicKeyHash }, ownerName: 'alice' })).rejects.toThrow(ForgedOwnerError)
    await checkEntryPoint(x, { pointer: carolsDir, ownerName: 'carol' })
  }, 60_000)
})

describe('read sharing', () => {
  it('alice shares a file and a folder read-only; bob reads them by path', async () => {
    await alice.fs.mkdir('/alice/docs')
    await alice.fs.writeFile('/alice/docs/notes.md', text('# notes\n'))
    await alice.fs.writeFile('/alice/docs/private.txt', text('not shared'))
    await alice.fs.mkdir('/alice/photos/2024', { parents: true })
    await alice.fs.writeFile('/alice/photos/a.jpg', new Uint8Array(70_000).fill(1))
    await alice.fs.writeFile('/alice/photos/2024/b.jpg', text('b'))
    const a = socialOf(alice)
    await a.shareReadAccessWith('/alice/docs/notes.md', ['bob'])
    await a.shareReadAccessWith('/alice/photos', ['bob'])
    expect(await a.sharedWith('/alice/docs/notes.md')).toEqual({ read: ['bob'], write: [], links: [] })
    expect(await a.sharedWith('/alice/photos')).toEqual({ read: ['bob'], write: [], links: [] })
    expect(await a.sharedWith('/alice/docs/private.txt')).toEqual({ read: [], write: [], links: [] })
    await expect(a.shareReadAccessWith('/alice/docs/notes.md', ['carol'])).rejects.toThrow(NotAFollowerError)
    await expect(a.shareReadAccessWith('/alice', ['bob'])).rejects.toThrow(NotShareableError)

    const items = await socialOf(bob).refreshShared()
    expect(items.map((i) => i.path)).toEqual(expect.arrayContaining(['/alice/docs/notes.md', '/alice/photos']))
    expect(str(await bob.fs.readFileBytes('/alice/docs/notes.md'))).toBe('# notes\n')
    expect((await bob.fs.list('/alice/photos')).map((e) => e.name)).toEqual(['2024', 'a.jpg'])
    expect((await bob.fs.readFileBytes('/alice/photos/a.jpg')).length).toBe(70_000)
    expect(str(await bob.fs.readFileBytes('/alice/photos/2024/b.jpg'))).toBe('b')
    await expect(bob.fs.readFileBytes('/alice/docs/private.txt')).rejects.toThrow(NotFoundError)
    await expect(bob.fs.writeFile('/alice/photos/c.jpg', text('c'))).rejects.toThrow(UnsupportedOperationError)
    // the capability cache in bob's tree, in Peergos' layout
    const processed = decodeProcessedCaps(await bob.fs.readFileBytes('/bob/.capabilitycache/alice$incoming.cbor'))
    expect(processed.readCapBytes).toBe((await alice.fs.stat('/alice/shared/bob/sharing.r')).size)
    const docs = decodeCapsInDirectory(await bob.fs.readFileBytes('/bob/.capabilitycache/world/alice/docs/items.cbor'))
    expect(docs.children.map((c) => [c.name, c.sharers])).toEqual([['notes.md', ['alice']]])
  }, 180_000)

  it('a new session of bob finds the shared items in the capability cache alone', async () => {
    const again = await UserContext.signIn(net, 'bob', PASSWORD)
    await expect(again.fs.readFileBytes('/alice/docs/notes.md')).rejects.toThrow(NotFoundError)
    const items = await socialOf(again).mountShared()
    expect(items.map((i) => i.path)).toEqual(expect.arrayContaining(['/alice/docs/notes.md', '/alice/photos']))
    expect(str(await again.fs.readFileBytes('/alice/photos/2024/b.jpg'))).toBe('b')
  }, 120_000)

  it('sharing with the friends group reaches bob through the group folder', async () => {
    await alice.fs.writeFile('/alice/for-friends.txt', text('hello friends'))
    const a = socialOf(alice)
    await a.shareReadAccessWithFriends('/alice/for-friends.txt')
    const { friendsGroupUid } = await a.socialState()
    expect((await a.sharedWith('/alice/for-friends.txt')).read).toEqual([friendsGroupUid])
    await socialOf(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes('/alice/for-friends.txt'))).toBe('hello friends')
    const processed = decodeProcessedCaps(await bob.fs.readFileBytes('/bob/.capabilitycache/alice$incoming.cbor'))
    expect(processed.groups.get(friendsGroupUid)?.readCaps).toBe(1)
    // carol follows bob but is not alice's friend: nothing of alice's reaches her
    const items = await socialOf(carol).refreshShared()
    expect(items.filter((i) => i.path.startsWith('/alice/'))).toEqual([])
  }, 120_000)
})

describe('unfollowing and removing followers', () => {
  it('bob unfollows alice: her shares are no longer read or mounted', async () => {
    const b = socialOf(bob)
    await b.unfollow('alice')
    expect(await b.following()).toEqual([])
    expect(await b.blocked()).toEqual(['alice'])
    await expect(bob.fs.readFileBytes('/alice/docs/notes.md')).rejects.toThrow(NotFoundError)
    expect((await b.refreshShared()).filter((i) => i.path.startsWith('/alice/'))).toEqual([])
    await b.unblock('alice')
    expect(await b.following()).toEqual(['alice'])
    expect(str(await bob.fs.readFileBytes('/alice/docs/notes.md'))).toBe('# notes\n')
  }, 120_000)

  it('alice removes bob as a follower: his folder and sharing records go', async () => {
    const a = socialOf(alice)
    await a.removeFollower('bob')
    expect(await a.followers()).toEqual([])
    expect(await alice.fs.exists('/alice/shared/bob')).toBe(false)
    expect((await a.sharedWith('/alice/docs/notes.md')).read).toEqual([])
    expect((await a.sharedWith('/alice/photos')).read).toEqual([])
    const { friendsGroupUid, followersGroupUid } = await a.socialState()
    expect((await a.sharedWith(`/alice/shared/${friendsGroupUid}`)).read).toEqual([])
    expect((await a.sharedWith(`/alice/shared/${followersGroupUid}`)).read).toEqual([])
    await expect(a.shareReadAccessWith('/alice/docs/private.txt', ['bob'])).rejects.toThrow(NotAFollowerError)
  }, 120_000)

  it('refuses forged requests and replies, before making or sending anything', async () => {
    const x = socialContextOf(carol)
    await carol.fs.mkdir('/carol/shared/decoy', { hidden: true })
    const forged = { entry: { pointer: readOnly(await carol.fs.capabilityOf('/carol/shared/decoy')), ownerName: 'bob' }, key: randomSymmetricKey(net.crypto) }
    await sendBlindRequest(x, await publicKeysOf(net, carol.reader, 'alice'), forged)
    const a = socialOf(alice)
    const [request] = await a.followRequests()
    expect(request.from).toBe('bob')
    await expect(a.accept(request)).rejects.toThrow(ForgedOwnerError)
    expect(await alice.fs.exists('/alice/shared/bob')).toBe(false)
    expect(await a.followers()).toEqual([])
    await a.reject(request) // a rejection needs no proof: it goes to the PKI's bob, and removes the request
    expect(await a.followRequests()).toEqual([])
    // a forged reply to a pending request of alice's is dropped without touching her state
    await a.sendFollowRequest('carol')
    await bob.fs.mkdir('/bob/shared/decoy', { hidden: true })
    const fake = { entry: { pointer: readOnly(await bob.fs.capabilityOf('/bob/shared/decoy')), ownerName: 'carol' }, key: randomSymmetricKey(net.crypto) }
    await sendBlindRequest(socialContextOf(bob), await publicKeysOf(net, bob.reader, 'alice'), fake)
    expect(await a.followRequests()).toEqual([])
    expect(await a.listFollowRequests()).toEqual([])
    expect(await a.pendingOutgoing()).toEqual(['carol'])
    expect(await a.following()).toEqual(['bob'])
    expect(await alice.fs.exists('/alice/shared/carol')).toBe(true)
  }, 120_000)
})
