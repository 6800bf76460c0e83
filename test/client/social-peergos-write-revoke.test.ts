// Write revocation on the account the real Peergos wrote (vectors account-alice), imported into a
// daemon: Peergos gave /alice/docs a writing space of its own and shared it with bob for writing, and
// /alice/docs/notes.md for reading. bob writes into it with our client; alice's client then revokes his
// write access: the Peergos-made subtree moves to a new signing key behind a new link node, Peergos'
// writer leaves alice's owned keys and its pointer is cleared, the server refuses bob's key, alice's
// files are intact, and bob, re-sent the read capability of notes.md, still reads it.
import { createHash } from 'node:crypto'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { ownsKey } from '../../src/client/social/public-keys.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { TreeReader } from '../../src/client/tree-reader.ts'
import { UserContext } from '../../src/client/user-context.ts'
import type { WritableAbsoluteCapability } from '../../src/model/capability.ts'
import { emptyWriterData, encodeWriterData } from '../../src/model/writer-data.ts'
import { WriterNotAllowedError } from '../../src/services/errors.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { describeVectors, loadVector, VECTORS_DIR } from '../vectors.ts'
import { join } from 'node:path'

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex')

describeVectors('revoking write access on the Peergos-written account', () => {
  const manifest = loadVector('account-alice/manifest.json')
  let env: TestDaemon
  let alice: UserContext
  let bob: UserContext

  beforeAll(async () => {
    env = await startTestDaemon(['--import-account', join(VECTORS_DIR, 'account-alice')])
    alice = await UserContext.signIn(env.net, 'alice', manifest.users.alice.password)
    bob = await UserContext.signIn(env.net, 'bob', manifest.users.bob.password)
  }, 300_000)
  afterAll(async () => {
    await env?.close()
  })

  it("moves Peergos' writing space of /alice/docs to a new key; bob's is refused, he still reads notes.md", async () => {
    const notes = (manifest.bobSeesAlice as { path: string; sha256?: string }[]).find((e) => e.path === '/alice/docs/notes.md')!
    await socialOf(bob).mountShared()
    await bob.fs.writeFile('/alice/docs/from-bob.txt', new TextEncoder().encode('written with peergos-ts'))
    const bobsCap = (await bob.fs.capabilityOf('/alice/docs')) as WritableAbsoluteCapability
    const peergosWriter = bobsCap.writer
    const bobsKey = (await bob.reader.snapshot().readChunk(bobsCap, undefined, false))!.view.signer!
    const owner = alice.identity.publicKeyHash
    const owns = (w: typeof peergosWriter): Promise<boolean> => ownsKey(env.net, new TreeReader(env.net), owner, w)
    expect(await owns(peergosWriter)).toBe(true)
    expect(await socialOf(alice).sharedWith('/alice/docs')).toEqual({ read: [], write: ['bob'], links: [] })

    await socialOf(alice).unshareWriteAccessWith('/alice/docs', ['bob'])
    const moved = (await alice.fs.capabilityOf('/alice/docs')).writer
    expect([moved.equals(peergosWriter), await owns(peergosWriter), await owns(moved)]).toEqual([false, false, true])
    expect(await socialOf(alice).sharedWith('/alice/docs')).toEqual({ read: [], write: [], links: [] })
    expect((await alice.fs.list('/alice/docs')).map((e) => e.name)).toEqual(['from-bob.txt', 'notes.md'])
    expect(sha256(await alice.fs.readFileBytes('/alice/docs/notes.md'))).toBe(notes.sha256)

    const c = env.net.crypto
    const block = encodeWriterData(emptyWriterData(peergosWriter))
    const tid = await env.net.storage.startTransaction(owner)
    await expect(env.net.storage.put(owner, peergosWriter, [c.signAttached(c.sha256(block), bobsKey.secretKey)], [block], tid, false)).rejects.toThrow(WriterNotAllowedError)
    await socialOf(bob).refreshShared()
    await expect(bob.fs.writeFile('/alice/docs/again.txt', new TextEncoder().encode('x'))).rejects.toThrow()
    await expect(bob.fs.list('/alice/docs')).rejects.toThrow(NotFoundError)
    expect(sha256(await bob.fs.readFileBytes('/alice/docs/notes.md'))).toBe(notes.sha256)
  }, 240_000)
})
