// The follow flows of Peergos' MultiUserTests (reference §10, §6.1), on one server and across two
// (the requester on one home server, the target on the other): accept and reciprocate, accept only,
// reciprocate only, reject, a request after a rejection, accept then complete, concurrent mutual
// requests, unfollow (a local block) and unblock, remove a follower, friendship restoration after
// both, blocking a user's shares, and verifying a friend's safety number. Each scenario has its own
// users; a file's scenarios share the daemons.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { AlreadyFollowingError } from '../../src/client/social/errors.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { befriend, follow, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

describe.each(SETUPS)('follow flows ($name)', (setup) => {
  let w: World
  beforeAll(async () => {
    w = await setup.start()
  }, 120_000)
  afterAll(async () => {
    await w?.close()
  })

  /** A target on side 0 and a requester on side 1 (different home servers in the two-server setup). */
  async function pair(): Promise<[UserContext, UserContext]> {
    return [await w.user('t', 0), await w.user('r', 1)]
  }

  it('acceptAndReciprocateFollowRequest: both follow each other, groups hold each other', async () => {
    const [a, b] = await pair()
    expect(await s(b).sendFollowRequest(b.username)).toBe(false) // not to ourselves
    expect(await s(b).sendFollowRequest(a.username)).toBe(true)
    expect(await s(b).pendingOutgoing()).toEqual([a.username])
    expect(await s(b).following()).toEqual([])
    expect(await s(b).followers()).toEqual([]) // a pending request's folder is not a follower
    const [request] = await s(a).followRequests()
    expect(request.from).toBe(b.username)
    await s(a).reply(request, { accept: true, reciprocate: true })
    expect(await s(b).followRequests()).toEqual([])
    expect(await s(a).followRequests()).toEqual([])
    for (const [u, other] of [[a, b], [b, a]] as const) {
      const st = await s(u).socialState()
      expect(st.followers).toEqual([other.username])
      expect(st.following).toEqual([other.username])
      expect(st.friends).toEqual([other.username])
      expect(st.pendingOutgoing).toEqual([])
      expect((await s(u).sharedWith(`/${u.username}/shared/${st.friendsGroupUid}`)).read).toEqual([other.username])
      expect((await s(u).sharedWith(`/${u.username}/shared/${st.followersGroupUid}`)).read).toEqual([other.username])
    }
    await expect(s(b).sendFollowRequest(a.username)).rejects.toThrow(AlreadyFollowingError)
    // a new session of each sees the same graph, from the files alone
    for (const [u, side, other] of [[a, 0, b], [b, 1, a]] as const) {
      const again = await w.signIn(u, side)
      expect(await s(again).friends()).toEqual([other.username])
    }
  }, 180_000)

  it('acceptButNotReciprocateFollowRequest: the requester follows, the target does not; later they become friends', async () => {
    const [a, b] = await pair()
    await follow(b, a, { accept: true, reciprocate: false })
    expect(await s(b).following()).toEqual([a.username])
    expect(await s(b).followers()).toEqual([])
    expect(await b.fs.exists(`/${b.username}/shared/${a.username}`)).toBe(false) // not followed back: b's folder for a goes
    expect(await s(a).followers()).toEqual([b.username])
    expect(await s(a).following()).toEqual([])
    // a asks b in turn; b accepts and reciprocates: full friends
    await follow(a, b)
    for (const [u, other] of [[a, b], [b, a]] as const) expect(await s(u).friends()).toEqual([other.username])
  }, 180_000)

  it('reciprocateButNotAcceptFollowRequest: the target follows the requester, who may not follow it', async () => {
    const [a, b] = await pair()
    await follow(b, a, { accept: false, reciprocate: true })
    expect(await s(b).following()).toEqual([])
    expect(await s(b).followers()).toEqual([a.username])
    expect(await s(a).following()).toEqual([b.username])
    expect(await s(a).followers()).toEqual([])
    expect(await a.fs.exists(`/${a.username}/shared/${b.username}`)).toBe(false)
    // b can share with its new follower a, and a reads it
    await b.fs.writeFile(`/${b.username}/hello.txt`, text('for my follower'))
    await s(b).shareReadAccessWith(`/${b.username}/hello.txt`, [a.username])
    await s(a).refreshShared()
    expect(str(await a.fs.readFileBytes(`/${b.username}/hello.txt`))).toBe('for my follower')
    // b removes a as a follower, then they become friends from b's new request
    await s(b).removeFollower(a.username)
    expect(await s(b).followers()).toEqual([])
    await follow(b, a)
    for (const [u, other] of [[a, b], [b, a]] as const) expect(await s(u).friends()).toEqual([other.username])
  }, 240_000)

  it('rejectFollowRequest and denyThenSubsequentFollowRequest: nothing is left on either side; a later request works', async () => {
    const [a, b] = await pair()
    const c = await w.user('c', 0)
    await follow(b, a, { accept: false, reciprocate: false })
    expect(await s(b).pendingOutgoing()).toEqual([])
    expect(await s(b).following()).toEqual([])
    expect(await s(b).followers()).toEqual([])
    expect(await b.fs.exists(`/${b.username}/shared/${a.username}`)).toBe(false)
    expect(await s(a).followers()).toEqual([])
    expect(await s(a).followRequests()).toEqual([])
    // b asks c: nothing comes back to b until c answers
    await s(b).sendFollowRequest(c.username)
    expect(await s(b).followRequests()).toEqual([])
    expect(await s(b).pendingOutgoing()).toEqual([c.username])
    // and b may ask a again after the rejection
    await follow(b, a)
    expect(await s(b).friends()).toEqual([a.username])
  }, 240_000)

  it('acceptThenCompleteFollowRequest and acceptThenSubsequentFollowRequest', async () => {
    const [a, b] = await pair()
    await s(b).sendFollowRequest(a.username)
    expect(await s(b).following()).not.toContain(a.username)
    const [request] = await s(a).followRequests()
    await s(a).reply(request, { accept: true, reciprocate: false })
    expect(await s(b).followRequests()).toEqual([])
    expect(await s(a).followers()).toEqual([b.username])
    expect(await s(b).following()).toEqual([a.username])
    // b unfollows a, then asks again: a holds the request (b is already its follower), they are not friends
    await s(b).unfollow(a.username)
    await s(b).unblock(a.username)
    await expect(s(b).sendFollowRequest(a.username)).rejects.toThrow(AlreadyFollowingError)
    expect(await s(a).friends()).toEqual([])
    // a completes the friendship by asking b
    await follow(a, b)
    for (const [u, other] of [[a, b], [b, a]] as const) {
      expect(await s(u).followers()).toEqual([other.username])
      expect(await s(u).following()).toEqual([other.username])
    }
  }, 240_000)

  it('concurrentMutualFollowRequests: two crossing requests make friends without a reply', async () => {
    const [a, b] = await pair()
    await s(b).sendFollowRequest(a.username)
    await s(a).sendFollowRequest(b.username)
    expect(await s(b).followRequests()).toEqual([]) // a's request counts as the answer to b's
    expect(await s(a).followRequests()).toEqual([])
    for (const [u, other] of [[a, b], [b, a]] as const) {
      expect(await s(u).friends()).toEqual([other.username])
      expect(await s(u).pendingOutgoing()).toEqual([])
    }
  }, 180_000)

  it('unfollow is local: the unfollowed user still follows; unblock restores', async () => {
    const [a, b] = await pair()
    await befriend(a, b)
    await b.fs.writeFile(`/${b.username}/note.txt`, text('note'))
    await s(b).shareReadAccessWith(`/${b.username}/note.txt`, [a.username])
    await s(a).refreshShared()
    expect(str(await a.fs.readFileBytes(`/${b.username}/note.txt`))).toBe('note')

    await s(a).unfollow(b.username)
    expect(await s(a).following()).toEqual([])
    expect(await s(a).friends()).toEqual([])
    expect(await s(a).followers()).toEqual([b.username])
    expect(await s(a).blocked()).toEqual([b.username])
    await expect(a.fs.readFileBytes(`/${b.username}/note.txt`)).rejects.toThrow(NotFoundError)
    expect(await s(b).friends()).toEqual([a.username]) // b still thinks they are friends

    await s(a).unblock(b.username)
    expect(await s(a).friends()).toEqual([b.username])
    expect(str(await a.fs.readFileBytes(`/${b.username}/note.txt`))).toBe('note')
  }, 180_000)

  it("block: a blocked user's new shares are not read, from a new session too", async () => {
    const [a, b] = await pair()
    await befriend(a, b)
    await s(a).unfollow(b.username) // Peergos' block
    await b.fs.writeFile(`/${b.username}/later.txt`, text('shared while blocked'))
    await s(b).shareReadAccessWith(`/${b.username}/later.txt`, [a.username])
    expect((await s(a).refreshShared()).filter((i) => i.path.startsWith(`/${b.username}/`))).toEqual([])
    await expect(a.fs.readFileBytes(`/${b.username}/later.txt`)).rejects.toThrow(NotFoundError)
    const again = await w.signIn(a, 0)
    expect(await s(again).blocked()).toEqual([b.username])
    expect((await s(again).refreshShared()).filter((i) => i.path.startsWith(`/${b.username}/`))).toEqual([])
  }, 180_000)

  it('removeFollower: the removed user no longer follows nor reads; the remover still follows them', async () => {
    const [a, b] = await pair()
    await befriend(a, b)
    await a.fs.writeFile(`/${a.username}/shared-file.txt`, text('for b'))
    await s(a).shareReadAccessWith(`/${a.username}/shared-file.txt`, [b.username])
    await s(b).refreshShared()
    expect(str(await b.fs.readFileBytes(`/${a.username}/shared-file.txt`))).toBe('for b')

    const removed = await s(a).removeFollower(b.username)
    expect(removed.rotated).toContain(`/${a.username}/shared-file.txt`)
    expect(await s(a).followers()).toEqual([])
    expect(await s(a).following()).toEqual([b.username]) // a still follows b
    expect(await a.fs.exists(`/${a.username}/shared/${b.username}`)).toBe(false)
    // b's view: its folder from a is gone, so b no longer follows a; a still follows b
    expect(await s(b).following()).toEqual([])
    expect(await s(b).followers()).toEqual([a.username])
    await s(b).refreshShared()
    await expect(b.fs.readFileBytes(`/${a.username}/shared-file.txt`)).rejects.toThrow(NotFoundError)
    // a fresh session of b sees the same
    const again = await w.signIn(b, 1)
    expect(await s(again).following()).toEqual([])
    await s(again).refreshShared()
    await expect(again.fs.readFileBytes(`/${a.username}/shared-file.txt`)).rejects.toThrow(NotFoundError)
  }, 240_000)

  it('friendshipRestoration: after unfollow and remove-follower, a new request makes them friends again', async () => {
    const [a, b] = await pair()
    await befriend(a, b)
    await s(a).unfollow(b.username)
    expect(await s(a).friends()).toEqual([])
    await s(a).unblock(b.username)
    expect(await s(a).friends()).toEqual([b.username])
    await s(a).removeFollower(b.username)
    expect(await s(a).friends()).toEqual([])
    expect(await s(a).following()).toEqual([b.username])
    expect(await s(a).followers()).toEqual([])
    expect(await s(b).friends()).toEqual([])
    expect(await s(b).following()).toEqual([])
    expect(await s(b).followers()).toEqual([a.username])
    await follow(b, a)
    for (const [u, other] of [[a, b], [b, a]] as const) expect(await s(u).friends()).toEqual([other.username])
    // sharing works again through the new folder
    await a.fs.writeFile(`/${a.username}/again.txt`, text('friends again'))
    await s(a).shareReadAccessWith(`/${a.username}/again.txt`, [b.username])
    await s(b).refreshShared()
    expect(str(await b.fs.readFileBytes(`/${a.username}/again.txt`))).toBe('friends again')
    // ...and through a's group folders, rotated when b was removed and given to b anew
    await a.fs.writeFile(`/${a.username}/club.txt`, text('for followers'))
    await s(a).shareReadAccessWithFollowers(`/${a.username}/club.txt`)
    await s(b).refreshShared()
    expect(str(await b.fs.readFileBytes(`/${a.username}/club.txt`))).toBe('for followers')
  }, 300_000)

  it('verifyFriend: both compute the same safety number; the mark persists', async () => {
    const [a, b] = await pair()
    await befriend(a, b)
    const va = await s(a).verifyIdentity(b.username)
    const vb = await s(b).verifyIdentity(a.username)
    expect(va.safetyNumber).toEqual(vb.safetyNumber)
    await s(a).markVerified(va)
    const again = await w.signIn(a, 0)
    expect((await s(again).verifyIdentity(b.username)).verified).toBe(true)
  }, 180_000)
})
