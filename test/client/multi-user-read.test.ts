// Read sharing scenarios of Peergos' MultiUserTests (reference §10, §6.2, §6.4), on one server and
// across two (the sharer on one home server, the readers on the other): grant and revoke read access
// to a file, a folder and a nested folder (grantAndRevokeFileReadAccess, grantAndRevokeDirReadAccess,
// grantAndRevokeReadAccessToFileInFolder), what is written after a revocation, sharing with the
// friends and followers groups (groupSharing, groupSharingToFollowers) and revoking a group,
// sharedwithPermutations, and two files of the same name in different folders.
// Write revocation and writable secret links are tested elsewhere (test/client/*write* suites).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { UnsupportedOperationError } from '../../src/client/file-system.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { aliceAndFriends, follow, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

describe.each(SETUPS)('read sharing ($name)', (setup) => {
  let w: World
  /** The sharer (side 0); bob and carol are friends of hers, dave only follows her (all on side 1). */
  let alice: UserContext
  let bob: UserContext
  let carol: UserContext
  let dave: UserContext
  let home: string

  beforeAll(async () => {
    ;({ w, alice, home, friends: [bob, carol] } = await aliceAndFriends(setup, ['bob', 'carol']))
    dave = await w.user('dave', 1)
    await follow(dave, alice, { accept: true, reciprocate: false })
    expect(await s(alice).friends()).toEqual([bob.username, carol.username].sort())
    expect(await s(alice).followers()).toEqual([bob.username, carol.username, dave.username].sort())
  }, 300_000)
  afterAll(async () => {
    await w?.close()
  })

  it('grantAndRevokeFileReadAccess: both read; after revoking one, only the other reads the new contents', async () => {
    const path = `${home}/file.txt`
    await alice.fs.writeFile(path, text('version 1'))
    await s(alice).shareReadAccessWith(path, [bob.username, carol.username])
    expect([...(await s(alice).sharedWith(path)).read].sort()).toEqual([bob.username, carol.username].sort())
    for (const u of [bob, carol]) {
      await s(u).refreshShared()
      expect(str(await u.fs.readFileBytes(path))).toBe('version 1')
      await expect(u.fs.writeFile(path, text('not allowed'))).rejects.toThrow(NotFoundError) // no writable folder of alice's is known to them
    }
    expect(str(await alice.fs.readFileBytes(path))).toBe('version 1')
    const bobsCap = await bob.fs.capabilityOf(path)

    await s(alice).unshareReadAccessWith(path, [bob.username])
    expect((await s(alice).sharedWith(path)).read).toEqual([carol.username])
    await alice.fs.writeFile(path, text('version 2'))
    expect(await bob.reader.snapshot().readChunk(bobsCap)).toBeUndefined()
    await s(bob).refreshShared()
    await expect(bob.fs.readFileBytes(path)).rejects.toThrow(NotFoundError)
    await s(carol).refreshShared()
    expect(str(await carol.fs.readFileBytes(path))).toBe('version 2')
    // a new session of bob finds nothing either, carol's finds the file
    await expect((await w.signIn(bob, 1)).fs.readFileBytes(path)).rejects.toThrow(NotFoundError)
    const carol2 = await w.signIn(carol, 1)
    await s(carol2).mountShared()
    expect(str(await carol2.fs.readFileBytes(path))).toBe('version 2')
  }, 240_000)

  it('grantAndRevokeDirReadAccess: a folder with a nested folder; revoked readers lose the whole subtree', async () => {
    const dir = `${home}/project`
    await alice.fs.mkdir(`${dir}/nested/deeper`, { parents: true })
    await alice.fs.writeFile(`${dir}/top.txt`, text('top'))
    await alice.fs.writeFile(`${dir}/nested/mid.txt`, text('mid'))
    await alice.fs.writeFile(`${dir}/nested/deeper/low.txt`, text('low'))
    await s(alice).shareReadAccessWith(dir, [bob.username, carol.username])
    for (const u of [bob, carol]) {
      await s(u).refreshShared()
      expect((await u.fs.list(dir)).map((e) => e.name)).toEqual(['nested', 'top.txt'])
      expect(str(await u.fs.readFileBytes(`${dir}/nested/deeper/low.txt`))).toBe('low')
      await expect(u.fs.mkdir(`${dir}/intruder`)).rejects.toThrow(UnsupportedOperationError)
    }
    const bobsDeep = await bob.fs.capabilityOf(`${dir}/nested/deeper/low.txt`)

    await s(alice).unshareReadAccessWith(dir, [bob.username])
    await alice.fs.writeFile(`${dir}/nested/deeper/new.txt`, text('after'))
    expect(await bob.reader.snapshot().readChunk(bobsDeep)).toBeUndefined()
    await s(bob).refreshShared()
    await expect(bob.fs.list(dir)).rejects.toThrow(NotFoundError)
    await expect(bob.fs.readFileBytes(`${dir}/nested/deeper/new.txt`)).rejects.toThrow(NotFoundError)
    await s(carol).refreshShared()
    expect((await carol.fs.list(`${dir}/nested/deeper`)).map((e) => e.name)).toEqual(['low.txt', 'new.txt'])
    expect(str(await carol.fs.readFileBytes(`${dir}/nested/deeper/new.txt`))).toBe('after')
  }, 240_000)

  it('grantAndRevokeReadAccessToFileInFolder: a file inside a shared-nothing folder, and a nested folder shared on its own', async () => {
    const dir = `${home}/mixed`
    await alice.fs.mkdir(`${dir}/inner`, { parents: true })
    await alice.fs.writeFile(`${dir}/shared.txt`, text('shared'))
    await alice.fs.writeFile(`${dir}/private.txt`, text('private'))
    await alice.fs.writeFile(`${dir}/inner/x.txt`, text('x'))
    await s(alice).shareReadAccessWith(`${dir}/shared.txt`, [bob.username])
    await s(alice).shareReadAccessWith(`${dir}/inner`, [bob.username])
    await s(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes(`${dir}/shared.txt`))).toBe('shared')
    expect(str(await bob.fs.readFileBytes(`${dir}/inner/x.txt`))).toBe('x')
    await expect(bob.fs.readFileBytes(`${dir}/private.txt`)).rejects.toThrow(NotFoundError)
    await expect(bob.fs.list(dir)).rejects.toThrow(NotFoundError) // the folder itself is not shared

    // revoking the file leaves the nested folder readable, and the other way round
    await s(alice).unshareReadAccessWith(`${dir}/shared.txt`, [bob.username])
    await s(bob).refreshShared()
    await expect(bob.fs.readFileBytes(`${dir}/shared.txt`)).rejects.toThrow(NotFoundError)
    expect(str(await bob.fs.readFileBytes(`${dir}/inner/x.txt`))).toBe('x')
    await s(alice).unshareReadAccessWith(`${dir}/inner`, [bob.username])
    await s(bob).refreshShared()
    await expect(bob.fs.readFileBytes(`${dir}/inner/x.txt`)).rejects.toThrow(NotFoundError)
    expect(await s(alice).sharedWith(`${dir}/inner`)).toEqual({ read: [], write: [], links: [] })
  }, 240_000)

  it('revoking a folder re-sends a nested item still shared with the revoked reader on its own', async () => {
    const dir = `${home}/album`
    await alice.fs.mkdir(`${dir}/best`, { parents: true })
    await alice.fs.writeFile(`${dir}/best/one.jpg`, text('one'))
    await alice.fs.writeFile(`${dir}/two.jpg`, text('two'))
    await s(alice).shareReadAccessWith(dir, [bob.username])
    await s(alice).shareReadAccessWith(`${dir}/best`, [bob.username])
    await s(alice).unshareReadAccessWith(dir, [bob.username])
    await s(bob).refreshShared()
    await expect(bob.fs.readFileBytes(`${dir}/two.jpg`)).rejects.toThrow(NotFoundError)
    expect(str(await bob.fs.readFileBytes(`${dir}/best/one.jpg`))).toBe('one')
  }, 240_000)

  it('groupSharing: the friends group reaches friends only; revoking the group revokes them all', async () => {
    const path = `${home}/friends-only.txt`
    await alice.fs.writeFile(path, text('hello friends'))
    await s(alice).shareReadAccessWithFriends(path)
    const { friendsGroupUid } = await s(alice).socialState()
    expect((await s(alice).sharedWith(path)).read).toEqual([friendsGroupUid])
    for (const u of [bob, carol]) {
      await s(u).refreshShared()
      expect(str(await u.fs.readFileBytes(path))).toBe('hello friends')
    }
    await s(dave).refreshShared()
    await expect(dave.fs.readFileBytes(path)).rejects.toThrow(NotFoundError)

    await s(alice).unshareReadAccessWith(path, [friendsGroupUid])
    expect((await s(alice).sharedWith(path)).read).toEqual([])
    for (const u of [bob, carol]) {
      await s(u).refreshShared()
      await expect(u.fs.readFileBytes(path)).rejects.toThrow(NotFoundError)
    }
  }, 240_000)

  it('groupSharingToFollowers: followers (friends included) read; a new follower reads it too', async () => {
    const path = `${home}/for-followers.txt`
    await alice.fs.writeFile(path, text('hello followers'))
    await s(alice).shareReadAccessWithFollowers(path)
    for (const u of [bob, carol, dave]) {
      await s(u).refreshShared()
      expect(str(await u.fs.readFileBytes(path))).toBe('hello followers')
    }
    // someone who follows alice afterwards is added to the group, and reads what it was given
    const erin = await w.user('erin', 1)
    await follow(erin, alice, { accept: true, reciprocate: false })
    await s(erin).refreshShared()
    expect(str(await erin.fs.readFileBytes(path))).toBe('hello followers')
  }, 240_000)

  it('sharedwithPermutations: one item shared with users and a group, revoked one at a time', async () => {
    const path = `${home}/perm.txt`
    await alice.fs.writeFile(path, text('perm'))
    const { friendsGroupUid } = await s(alice).socialState()
    await s(alice).shareReadAccessWith(path, [dave.username])
    await s(alice).shareReadAccessWith(path, [friendsGroupUid, dave.username]) // dave again: recorded once
    expect([...(await s(alice).sharedWith(path)).read].sort()).toEqual([friendsGroupUid, dave.username].sort())
    await s(alice).unshareReadAccessWith(path, [dave.username])
    expect((await s(alice).sharedWith(path)).read).toEqual([friendsGroupUid])
    await s(dave).refreshShared()
    await expect(dave.fs.readFileBytes(path)).rejects.toThrow(NotFoundError)
    await s(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes(path))).toBe('perm')
  }, 240_000)

  it('shareTwoFilesWithSameNameReadAccess: two files named alike in different folders reach the reader at their paths', async () => {
    await alice.fs.mkdir(`${home}/one`)
    await alice.fs.mkdir(`${home}/two`)
    await alice.fs.writeFile(`${home}/one/same.txt`, text('first'))
    await alice.fs.writeFile(`${home}/two/same.txt`, text('second'))
    await s(alice).shareReadAccessWith(`${home}/one/same.txt`, [carol.username])
    await s(alice).shareReadAccessWith(`${home}/two/same.txt`, [carol.username])
    await s(carol).refreshShared()
    expect(str(await carol.fs.readFileBytes(`${home}/one/same.txt`))).toBe('first')
    expect(str(await carol.fs.readFileBytes(`${home}/two/same.txt`))).toBe('second')
  }, 240_000)
})
