// Following and sharing across home servers (reference §6.1, §7.1): alice lives on B, bob on C, each
// using only their own server over HTTP. Bob's follow request reaches alice's home through C, her
// answer reaches bob's home through B, and the file she shares is read by bob through C, which fetches
// alice's blocks from B over p2p.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { socialOf } from '../../../src/client/social/social.ts'
import { UserContext } from '../../../src/client/user-context.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from './federation-fixtures.ts'
import type { TestDaemon } from './fixtures.ts'

const PASSWORD = 'a long and unusual social password'

describe('a user on C follows a user on B and reads a shared file', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let alice: UserContext
  let bob: UserContext
  let a: string
  let bo: string

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    a = uniqueName('alice')
    bo = uniqueName('bob')
    alice = await UserContext.signUp(networkOf(b), a, PASSWORD)
    bob = await UserContext.signUp(networkOf(c), bo, PASSWORD)
  })
  afterAll(async () => {
    await alice?.close()
    await bob?.close()
    await disposeAll(c, b, pki)
  })

  it("delivers bob's request to B and alice's answer to C; bob reads what alice shares", async () => {
    expect(await socialOf(bob).sendFollowRequest(a)).toBe(true)
    const [request] = await socialOf(alice).followRequests()
    expect(request.from).toBe(bo)
    await socialOf(alice).accept(request)
    expect(await socialOf(bob).followRequests()).toEqual([])
    expect(await socialOf(bob).following()).toEqual([a])

    await alice.fs.mkdir(`/${a}/docs`)
    await alice.fs.writeFile(`/${a}/docs/for-bob.txt`, new TextEncoder().encode('from B to C'))
    await socialOf(alice).shareReadAccessWith(`/${a}/docs/for-bob.txt`, [bo])
    await socialOf(bob).refreshShared()
    expect(new TextDecoder().decode(await bob.fs.readFileBytes(`/${a}/docs/for-bob.txt`))).toBe('from B to C')
  })
})
