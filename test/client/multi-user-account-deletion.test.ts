// A friend deletes their account, from Peergos' MultiUserTests (reference §10; friendDeletesAccount,
// and UserTests' errorLoggingInToDeletedAccont), on one server and across two (alice, who deletes her
// account, on one home server; her friend bob on the other): alice has more data than the 1 MB quota
// Peergos' deletion asks for, and items shared both ways; once she deletes the account, signing in as
// her says the user has been deleted, and bob keeps working: he signs in, his shared items are
// refreshed and mounted without error (hers now read as not found), his listings and social state read
// without error (she no longer counts as followed, her folder for him being gone), and he goes on
// writing and sharing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { befriend, PASSWORD, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

describe.each(SETUPS)('a friend deletes their account ($name)', (setup) => {
  let w: World
  let alice: UserContext
  let bob: UserContext

  beforeAll(async () => {
    w = await setup.start()
    alice = await w.user('alice', 0)
    bob = await w.user('bob', 1)
    await befriend(alice, bob)
  }, 300_000)
  afterAll(async () => {
    await w?.close()
  })

  it('friendDeletesAccount: the deleted user cannot sign in; the friend signs in, lists, refreshes and shares as before', async () => {
    const home = `/${alice.username}`
    const bobHome = `/${bob.username}`
    await alice.fs.writeFile(`${home}/afile.bin`, new Uint8Array(2 * 1024 * 1024)) // more than the 1 MB Peergos leaves
    await alice.fs.writeFile(`${home}/for-bob.txt`, text('from alice'))
    await s(alice).shareReadAccessWith(`${home}/for-bob.txt`, [bob.username])
    await bob.fs.writeFile(`${bobHome}/for-alice.txt`, text('from bob'))
    await s(bob).shareReadAccessWith(`${bobHome}/for-alice.txt`, [alice.username])
    await s(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes(`${home}/for-bob.txt`))).toBe('from alice')

    await expect(alice.deleteAccount('not the password')).rejects.toThrow()
    await alice.deleteAccount(PASSWORD)
    await expect(UserContext.signIn(w.anonymous(0), alice.username, PASSWORD)).rejects.toThrow(new RegExp('User has been deleted'))
    await expect(UserContext.signIn(w.anonymous(1), alice.username, PASSWORD)).rejects.toThrow(NotFoundError)

    // bob, in a new session, and in the one he had
    const bob2 = await w.signIn(bob, 1)
    for (const b of [bob2, bob]) {
      const items = await s(b).refreshShared()
      expect(items.map((i) => i.path)).not.toContain(`${home}/for-bob.txt`)
      await expect(b.fs.readFileBytes(`${home}/for-bob.txt`)).rejects.toThrow(NotFoundError)
      expect((await b.fs.list(bobHome)).map((e) => e.name)).toContain('for-alice.txt')
      // as Peergos' getFollowing, whom we follow is whose folder for us still resolves: not hers any more;
      // she stays in our followers, a record of our own
      expect(await s(b).following()).toEqual([])
      expect(await s(b).friends()).toEqual([])
      expect(await s(b).followers()).toEqual([alice.username])
      expect(await s(b).sharedWith(`${bobHome}/for-alice.txt`)).toEqual({ read: [alice.username], write: [], links: [] })
    }
    await bob2.fs.writeFile(`${bobHome}/after.txt`, text('still here'))
    await s(bob2).shareReadAccessWith(`${bobHome}/after.txt`, [alice.username]) // her sharing folder is bob's own
    expect(str(await bob.fs.readFileBytes(`${bobHome}/after.txt`))).toBe('still here')
    await s(bob2).unshareReadAccessWith(`${bobHome}/for-alice.txt`, [alice.username])
    expect((await s(bob2).sharedWith(`${bobHome}/for-alice.txt`)).read).toEqual([])
  }, 300_000)
})
