// Group-aware sharing, from Peergos' MultiUserTests (reference §10, §6.2, §6.4), on one server and
// across two (alice shares from one home server; her friend bob, her follower dave and a later friend
// carol on the other): a folder shared with a friend, a follower, the followers group and the friends
// group is recorded with all four, and revoking the two groups revokes the members shared with one by
// one too (groupAwareSharingReadAccess, groupAwareSharingWriteAccess; UserContext's
// gatherAllUsernamesToUnshare). What the groups mean for access: someone who becomes a friend afterwards
// reads what the friends group was given; a follower removed leaves the groups and reads nothing written
// afterwards; after the groups are revoked nobody who had access through them or by name reads on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { befriend, follow, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

describe.each(SETUPS)('group-aware sharing ($name)', (setup) => {
  let w: World
  let alice: UserContext
  let bob: UserContext
  let dave: UserContext
  let home: string
  let friends: string
  let followers: string

  beforeAll(async () => {
    w = await setup.start()
    alice = await w.user('alice', 0)
    bob = await w.user('bob', 1)
    dave = await w.user('dave', 1)
    home = `/${alice.username}`
    await follow(dave, alice, { accept: true, reciprocate: false }) // dave follows alice
    await befriend(alice, bob)
    ;({ friendsGroupUid: friends, followersGroupUid: followers } = await s(alice).socialState())
  }, 300_000)
  afterAll(async () => {
    await w?.close()
  })

  it('groupAwareSharingReadAccess: four recorded readers; revoking both groups revokes the members named too', async () => {
    const dir = `${home}/one`
    await alice.fs.mkdir(dir)
    await alice.fs.writeFile(`${dir}/a.txt`, text('a'))
    for (const r of [bob.username, dave.username, followers, friends]) await s(alice).shareReadAccessWith(dir, [r])
    expect([...(await s(alice).sharedWith(dir)).read].sort()).toEqual([bob.username, dave.username, followers, friends].sort())
    for (const u of [bob, dave]) {
      await s(u).refreshShared()
      expect(str(await u.fs.readFileBytes(`${dir}/a.txt`))).toBe('a')
    }

    // a new friend reads what the friends group was given, though never named
    const carol = await w.user('carol', 1)
    await befriend(alice, carol)
    await s(carol).refreshShared()
    expect(str(await carol.fs.readFileBytes(`${dir}/a.txt`))).toBe('a')

    await s(alice).unshareReadAccessWith(dir, [friends, followers])
    expect(await s(alice).sharedWith(dir)).toEqual({ read: [], write: [], links: [] })
    await alice.fs.writeFile(`${dir}/after.txt`, text('after'))
    for (const u of [bob, dave, carol]) {
      await s(u).refreshShared()
      await expect(u.fs.readFileBytes(`${dir}/after.txt`)).rejects.toThrow(NotFoundError)
      await expect(u.fs.readFileBytes(`${dir}/a.txt`)).rejects.toThrow(NotFoundError)
    }
  }, 300_000)

  it('groupAwareSharingWriteAccess: four recorded writers; revoking both groups revokes the members named too', async () => {
    const dir = `${home}/two`
    await alice.fs.mkdir(dir)
    for (const r of [bob.username, dave.username, followers, friends]) await s(alice).shareWriteAccessWith(dir, [r])
    expect([...(await s(alice).sharedWith(dir)).write].sort()).toEqual([bob.username, dave.username, followers, friends].sort())
    await s(bob).refreshShared()
    await bob.fs.writeFile(`${dir}/by-bob.txt`, text('bob was here'))
    expect(str(await alice.fs.readFileBytes(`${dir}/by-bob.txt`))).toBe('bob was here')

    await s(alice).unshareWriteAccessWith(dir, [friends, followers])
    expect(await s(alice).sharedWith(dir)).toEqual({ read: [], write: [], links: [] })
    // the old writing key is refused, and nothing new reaches bob
    await s(bob).refreshShared()
    await expect(bob.fs.writeFile(`${dir}/again.txt`, text('no'))).rejects.toThrow()
    expect((await alice.fs.list(dir)).map((e) => e.name)).toEqual(['by-bob.txt'])
  }, 300_000)

  it('a follower removed leaves the groups: what is written afterwards to a group-shared file is not theirs to read', async () => {
    const path = `${home}/news.txt`
    await alice.fs.writeFile(path, text('news 1'))
    await s(alice).shareReadAccessWithFollowers(path)
    await s(dave).refreshShared()
    expect(str(await dave.fs.readFileBytes(path))).toBe('news 1')
    const davesCap = await dave.fs.capabilityOf(path)

    await s(alice).removeFollower(dave.username)
    expect(await s(alice).followers()).not.toContain(dave.username)
    await alice.fs.writeFile(path, text('news 2'))
    expect(await dave.reader.snapshot().readChunk(davesCap)).toBeUndefined()
    await s(dave).refreshShared()
    await expect(dave.fs.readFileBytes(path)).rejects.toThrow(NotFoundError)
    // bob, still a follower through the group, reads the new version
    await s(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes(path))).toBe('news 2')
  }, 300_000)
})
