// Revocation and secret links between fresh users on a real daemon over HTTP. bob is alice's friend,
// carol her follower. Secret links: alice links a file (with an extra password, a maximum of uses, an
// expiry) and a folder, a client without an account opens them, the server refuses used-up and
// expired links, a revoked link is gone. Revocation: alice revokes bob's read access to a folder
// (carol keeps it): the keys are rotated, bob's capabilities find nothing, he cannot fetch the new
// blocks, what alice writes afterwards reaches carol only, an item below still shared with bob is
// re-sent to him, the folder's secret link still opens; a friends-group share is revoked; removing
// bob as a follower rotates the group folders and everything shared with him or his groups, and
// carol keeps reading through the followers group's new folder capability.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Champ } from '../../src/champ/index.ts'
import { NotFoundError } from '../../src/client/errors.ts'
import { InvalidLinkOptionsError, LinkPasswordRequiredError, NotShareableError, WrongLinkPasswordError } from '../../src/client/social/errors.ts'
import { openSecretLink } from '../../src/client/social/open-secret-link.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { blockCid, type CID } from '../../src/codec/cid.ts'
import { batWithId, calculateBatId } from '../../src/model/bat-id.ts'
import type { AbsoluteCapability } from '../../src/model/capability.ts'
import { decodeSharedWithState } from '../../src/model/shared-with-state.ts'
import { SecretLinkUnavailableError, UnauthorisedError } from '../../src/services/errors.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

let server: TestDaemon
let net: NetworkAccess
/** A client without any account. */
let anonymous: NetworkAccess
let alice: UserContext
let bob: UserContext
let carol: UserContext
/** The URL of the first link alice makes, to /alice/docs/a.txt. */
let fileLinkUrl: string

beforeAll(async () => {
  server = await startTestDaemon()
  net = server.net
  anonymous = { ...server.net }
  alice = await UserContext.signUp(net, 'alice', PASSWORD)
  bob = await UserContext.signUp(net, 'bob', PASSWORD)
  carol = await UserContext.signUp(net, 'carol', PASSWORD)
  const a = socialOf(alice)
  await socialOf(bob).sendFollowRequest('alice')
  await socialOf(carol).sendFollowRequest('alice')
  for (const r of await a.followRequests()) await a.reply(r, { accept: true, reciprocate: r.from === 'bob' })
  await socialOf(bob).followRequests()
  await socialOf(carol).followRequests()
  expect(await a.friends()).toEqual(['bob'])
  expect(await a.followers()).toEqual(['bob', 'carol'])
  await alice.fs.mkdir('/alice/docs/sub', { parents: true })
  await alice.fs.writeFile('/alice/docs/a.txt', text('a before'))
  await alice.fs.writeFile('/alice/docs/sub/inner.txt', text('inner'))
}, 300_000)
afterAll(async () => {
  await server?.close()
})

/** The CID of the cryptree node a capability names, read from the writer's current tree CHAMP (whose nodes are public). */
async function nodeCid(cap: AbsoluteCapability): Promise<CID | undefined> {
  const wd = await alice.reader.writerData(cap.owner, cap.writer)
  const champ = new Champ({ crypto: net.crypto, store: { get: (cid) => net.storage.get(cap.owner, cid), put: () => Promise.reject(new Error('read only')) } })
  return champ.get(wd!.tree!, cap.mapKey)
}

describe('secret links', () => {
  it('a link to a file opens without an account; an extra password is asked for and checked', async () => {
    const a = socialOf(alice)
    const plain = await a.createSecretLink('/alice/docs/a.txt')
    const url = a.secretLinkUrl(server.daemon.url, plain)
    fileLinkUrl = url
    expect(url).toMatch(new RegExp(`^${server.daemon.url}/secret/z[1-9A-HJ-NP-Za-km-z]+/${plain.label}#[A-Za-z0-9]{12}$`))
    const opened = await openSecretLink(anonymous, url)
    expect([opened.path, opened.isDirectory, str(await opened.readFileBytes())]).toEqual(['/alice/docs/a.txt', false, 'a before'])
    expect((await a.secretLinks('/alice/docs/a.txt')).map((l) => l.label)).toEqual([plain.label])

    const guarded = await a.createSecretLink('/alice/docs/a.txt', { userPassword: 'open sesame' })
    const guardedUrl = a.secretLinkUrl(server.daemon.url, guarded)
    await expect(openSecretLink(anonymous, guardedUrl)).rejects.toThrow(LinkPasswordRequiredError)
    await expect(openSecretLink(anonymous, guardedUrl, { userPassword: 'open sesamE' })).rejects.toThrow(WrongLinkPasswordError)
    expect(str(await (await openSecretLink(anonymous, guardedUrl, { userPassword: async () => 'open sesame' })).readFileBytes())).toBe('a before')
    await expect(openSecretLink(anonymous, url.replace(/#.*/, '#AAAAAAAAAAAA'))).rejects.toThrow(WrongLinkPasswordError)
    // the owner's record, in Peergos' SharedWithState, holds both links with their targets
    const state = decodeSharedWithState(await alice.fs.readFileBytes('/alice/.capabilitycache/outbound/alice/docs/sharedWith.cbor'))
    expect(state.links.get('a.txt')?.map((l) => [l.label, l.userPassword, l.existing !== undefined])).toEqual([[plain.label, '', true], [guarded.label, 'open sesame', true]])
  }, 120_000)

  it('the server enforces the maximum of uses and the expiry; a revoked link is gone', async () => {
    const a = socialOf(alice)
    const twice = a.secretLinkUrl(server.daemon.url, await a.createSecretLink('/alice/docs/sub/inner.txt', { maxRetrievals: 2 }))
    for (let i = 0; i < 2; i++) expect(str(await (await openSecretLink(anonymous, twice)).readFileBytes())).toBe('inner')
    await expect(openSecretLink(anonymous, twice)).rejects.toThrow(new SecretLinkUnavailableError('Maximum link retrievals exceed!'))
    const expired = await a.createSecretLink('/alice/docs/sub/inner.txt', { expiry: new Date(Date.now() - 60_000) })
    await expect(openSecretLink(anonymous, a.secretLinkUrl(server.daemon.url, expired))).rejects.toThrow(new SecretLinkUnavailableError('Secret link expired!'))
    const inAnHour = new Date(Date.now() + 3_600_000)
    const later = await a.createSecretLink('/alice/docs/sub/inner.txt', { expiry: inAnHour })
    expect(later.expiry).toBe(Math.floor(inAnHour.getTime() / 1000))
    expect(str(await (await openSecretLink(anonymous, a.secretLinkUrl(server.daemon.url, later))).readFileBytes())).toBe('inner')
    expect(await a.deleteSecretLink('/alice/docs/sub/inner.txt', later.label)).toBe(true)
    await expect(openSecretLink(anonymous, a.secretLinkUrl(server.daemon.url, later))).rejects.toThrow(new SecretLinkUnavailableError('No secret link present!'))
    const left = (await a.secretLinks('/alice/docs/sub/inner.txt')).map((l) => l.label)
    expect([left.length, left.includes(expired.label), left.includes(later.label)]).toEqual([2, true, false])
    await expect(a.createSecretLink('/alice', { writable: true })).rejects.toThrow(NotShareableError)
    await expect(a.createSecretLink('/alice/docs/a.txt', { maxRetrievals: 0 })).rejects.toThrow(InvalidLinkOptionsError)
    await expect(a.createSecretLink('/alice/nothing-here')).rejects.toThrow(NotFoundError)
    // the server counts retrievals atomically: of ten at once, exactly the maximum succeed
    const thrice = await a.createSecretLink('/alice/docs/sub/inner.txt', { maxRetrievals: 3 })
    const owner = alice.identity.publicKeyHash
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => anonymous.storage.getSecretLink(owner, thrice.label)))
    expect(results.filter((r) => r.status === 'fulfilled').length).toBe(3)
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toEqual(new SecretLinkUnavailableError('Maximum link retrievals exceed!'))
  }, 120_000)

  it('a link to a folder lists it and reads its files', async () => {
    const a = socialOf(alice)
    const opened = await openSecretLink(anonymous, a.secretLinkUrl(server.daemon.url, await a.createSecretLink('/alice/docs')))
    expect(opened.path).toBe('/alice/docs')
    const entries = await opened.list()
    expect(entries.map((e) => e.name).sort()).toEqual(['a.txt', 'sub'])
    expect(str(await opened.readFileBytes(entries.find((e) => e.name === 'a.txt')))).toBe('a before')
  }, 60_000)
})

describe('revoking read access', () => {
  it("revokes bob's access to a folder: his capabilities find nothing; carol, and a share below, get the new ones", async () => {
    const a = socialOf(alice)
    await a.shareReadAccessWith('/alice/docs', ['bob', 'carol'])
    await a.shareReadAccessWith('/alice/docs/sub/inner.txt', ['bob'])
    const folderLink = (await a.secretLinks('/alice/docs'))[0]
    await socialOf(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes('/alice/docs/a.txt'))).toBe('a before')
    const bobsFolder = await bob.fs.capabilityOf('/alice/docs')
    const bobsFile = await bob.fs.capabilityOf('/alice/docs/a.txt')

    await a.unshareReadAccessWith('/alice/docs', ['bob'])
    expect((await a.sharedWith('/alice/docs')).read).toEqual(['carol'])
    await alice.fs.writeFile('/alice/docs/after.txt', text('written after'))
    await alice.fs.writeFile('/alice/docs/a.txt', text('a after'))

    // bob's capabilities name nothing any more, and a refresh gives him nothing new for the folder
    expect(await bob.reader.snapshot().readChunk(bobsFolder)).toBeUndefined()
    expect(await bob.reader.snapshot().readChunk(bobsFile)).toBeUndefined()
    await socialOf(bob).refreshShared()
    await expect(bob.fs.readFileBytes('/alice/docs/a.txt')).rejects.toThrow(NotFoundError)
    await expect(bob.fs.readFileBytes('/alice/docs/after.txt')).rejects.toThrow(NotFoundError)
    // ...but the item below that is still shared with him was re-sent with its new capability
    expect(str(await bob.fs.readFileBytes('/alice/docs/sub/inner.txt'))).toBe('inner')
    // the new node exists, but his old BAT does not open it (nor no BAT); the new one does
    const fresh = await alice.fs.capabilityOf('/alice/docs/a.txt')
    const cid = (await nodeCid(fresh))!
    const c = net.crypto
    await expect(net.storage.get(fresh.owner, cid, batWithId(bobsFile.bat!, calculateBatId(c, bobsFile.bat!)))).rejects.toThrow(UnauthorisedError)
    await expect(net.storage.get(fresh.owner, cid)).rejects.toThrow(UnauthorisedError)
    const block = await net.storage.get(fresh.owner, cid, batWithId(fresh.bat!, calculateBatId(c, fresh.bat!)))
    expect(blockCid(c, block!, false).equals(cid)).toBe(true)

    // carol reads what was written after the rotation
    await socialOf(carol).refreshShared()
    expect(str(await carol.fs.readFileBytes('/alice/docs/after.txt'))).toBe('written after')
    expect(str(await carol.fs.readFileBytes('/alice/docs/a.txt'))).toBe('a after')
    // the folder's secret link was re-encrypted with the new capability: it still opens, same URL
    const opened = await openSecretLink(anonymous, a.secretLinkUrl(server.daemon.url, folderLink))
    expect((await opened.list()).map((e) => e.name).sort()).toEqual(['a.txt', 'after.txt', 'sub'])
    // ...and so were the links of the items below it
    expect(str(await (await openSecretLink(anonymous, fileLinkUrl)).readFileBytes())).toBe('a after')
  }, 180_000)

  it('revokes a friends-group share', async () => {
    const a = socialOf(alice)
    await alice.fs.writeFile('/alice/for-friends.txt', text('friends only'))
    await a.shareReadAccessWithFriends('/alice/for-friends.txt')
    await socialOf(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes('/alice/for-friends.txt'))).toBe('friends only')
    const { friendsGroupUid } = await a.socialState()
    await a.unshareReadAccessWith('/alice/for-friends.txt', [friendsGroupUid])
    expect(await a.sharedWith('/alice/for-friends.txt')).toEqual({ read: [], write: [], links: [] })
    await socialOf(bob).refreshShared()
    await expect(bob.fs.readFileBytes('/alice/for-friends.txt')).rejects.toThrow(NotFoundError)
  }, 120_000)

  it('removing bob as a follower rotates everything he could read; carol keeps reading through the followers group', async () => {
    const a = socialOf(alice)
    await alice.fs.writeFile('/alice/club.txt', text('for followers'))
    await alice.fs.writeFile('/alice/direct.txt', text('direct'))
    await a.shareReadAccessWithFollowers('/alice/club.txt')
    await a.shareReadAccessWith('/alice/direct.txt', ['bob', 'carol'])
    for (const u of [bob, carol]) {
      await socialOf(u).refreshShared()
      expect(str(await u.fs.readFileBytes('/alice/club.txt'))).toBe('for followers')
      expect(str(await u.fs.readFileBytes('/alice/direct.txt'))).toBe('direct')
    }
    const bobsClub = await bob.fs.capabilityOf('/alice/club.txt')
    const { friendsGroupUid, followersGroupUid } = await a.socialState()
    const bobsGroup = await bob.fs.capabilityOf(`/alice/shared/${followersGroupUid}`)

    const removed = await a.removeFollower('bob')
    expect(removed.rotated).toEqual(expect.arrayContaining(['/alice/club.txt', '/alice/direct.txt', '/alice/docs/sub/inner.txt', `/alice/shared/${friendsGroupUid}`, `/alice/shared/${followersGroupUid}`]))
    expect(removed.notRevoked).toEqual([])
    expect(await a.followers()).toEqual(['carol'])
    expect(await alice.fs.exists('/alice/shared/bob')).toBe(false)
    expect(await bob.reader.snapshot().readChunk(bobsClub)).toBeUndefined()
    expect(await bob.reader.snapshot().readChunk(bobsGroup)).toBeUndefined()
    await alice.fs.writeFile('/alice/club.txt', text('for followers, v2'))
    await socialOf(bob).refreshShared()
    for (const p of ['/alice/club.txt', '/alice/direct.txt', '/alice/docs/sub/inner.txt']) await expect(bob.fs.readFileBytes(p)).rejects.toThrow(NotFoundError)

    await socialOf(carol).refreshShared()
    expect(str(await carol.fs.readFileBytes('/alice/club.txt'))).toBe('for followers, v2')
    expect(str(await carol.fs.readFileBytes('/alice/direct.txt'))).toBe('direct')
    expect(str(await carol.fs.readFileBytes('/alice/docs/after.txt'))).toBe('written after')
  }, 240_000)
})
