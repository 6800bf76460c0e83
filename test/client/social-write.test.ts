// Write sharing between two users on one daemon: alice grants bob write access to a folder; it moves
// to its own writing space behind a link node; bob, after picking up his shares, adds and deletes
// files in it by path, and alice sees his changes; bob cannot write anywhere else of alice's.
import { afterAll, beforeAll, expect, it } from 'vitest'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
let env: TestDaemon
let alice: UserContext
let bob: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  alice = await UserContext.signUp(env.net, 'alice', PASSWORD)
  bob = await UserContext.signUp(env.net, 'bob', PASSWORD)
  await socialOf(bob).sendFollowRequest('alice')
  const [request] = await socialOf(alice).followRequests()
  await socialOf(alice).accept(request)
  await socialOf(bob).followRequests() // processes alice's reply
}, 180_000)
afterAll(async () => {
  await env?.close()
})

it('bob writes into the folder alice shared for writing, and nowhere else', async () => {
  await alice.fs.mkdir('/alice/team')
  await alice.fs.writeFile('/alice/team/plan.txt', new TextEncoder().encode('plan'))
  await alice.fs.writeFile('/alice/private.txt', new TextEncoder().encode('mine'))
  await socialOf(alice).shareWriteAccessWith('/alice/team', ['bob'])
  expect((await socialOf(alice).sharedWith('/alice/team')).write).toEqual(['bob'])

  await socialOf(bob).refreshShared()
  expect(new TextDecoder().decode(await bob.fs.readFileBytes('/alice/team/plan.txt'))).toBe('plan')
  await bob.fs.writeFile('/alice/team/from-bob.txt', new TextEncoder().encode('hello alice'))
  await bob.fs.mkdir('/alice/team/bobs')
  await bob.fs.remove('/alice/team/plan.txt')
  expect((await alice.fs.list('/alice/team')).map((e) => e.name)).toEqual(['bobs', 'from-bob.txt'])
  expect(new TextDecoder().decode(await alice.fs.readFileBytes('/alice/team/from-bob.txt'))).toBe('hello alice')

  // nothing else of alice's is writable for bob: not by path, not by her writer key (he has none)
  await expect(bob.fs.writeFile('/alice/intruder.txt', new Uint8Array(1))).rejects.toThrow()
  expect(await alice.fs.exists('/alice/intruder.txt')).toBe(false)
  expect(new TextDecoder().decode(await alice.fs.readFileBytes('/alice/private.txt'))).toBe('mine')
}, 180_000)
