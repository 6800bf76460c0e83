// Write sharing and its revocation between fresh users on a real daemon over HTTP (Peergos
// MultiUserTests grantAndRevokeDirWriteAccess, grantAndRevokeWriteThenReadAccessToFolder,
// deleteFolderSharedWithWriteAccess). bob, carol and dave follow alice. dave reads /alice/docs and a
// file in it before alice grants bob and carol write access: the folder moves to its own writing space
// and dave is re-sent the new capabilities. alice then revokes bob's write access: the folder moves to
// another new signing key, the old one leaves alice's owned keys and its pointer is cleared, so the
// server refuses whatever bob signs with it; carol writes on, dave reads on, bob (who could only write)
// reads nothing. A user shared for reading and writing keeps reading after losing write access.
// Deleting a write-shared folder retires its writing space: owned key gone, pointer cleared, space freed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { UnsupportedOperationError } from '../../src/client/file-system.ts'
import { ownsKey } from '../../src/client/social/public-keys.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { TreeReader } from '../../src/client/tree-reader.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { WriterSession } from '../../src/client/writer-session.ts'
import { cidToString } from '../../src/codec/cid.ts'
import type { WritableAbsoluteCapability } from '../../src/model/capability.ts'
import { nodeMirrorBatId } from '../../src/model/cryptree-node.ts'
import { pointerUpdate, signPointerUpdate } from '../../src/model/pointer-update.ts'
import type { PublicKeyHash, SigningPrivateKeyAndPublicHash } from '../../src/model/signing-keys.ts'
import { emptyWriterData, encodeWriterData } from '../../src/model/writer-data.ts'
import { signTime } from '../../src/model/signed-time.ts'
import { WriterNotAllowedError } from '../../src/services/errors.ts'
import { pattern, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

let env: TestDaemon
let alice: UserContext
let bob: UserContext
let carol: UserContext
let dave: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  alice = await UserContext.signUp(env.net, 'alice', PASSWORD)
  bob = await UserContext.signUp(env.net, 'bob', PASSWORD)
  carol = await UserContext.signUp(env.net, 'carol', PASSWORD)
  dave = await UserContext.signUp(env.net, 'dave', PASSWORD)
  for (const u of [bob, carol, dave]) await socialOf(u).sendFollowRequest('alice')
  const a = socialOf(alice)
  for (const r of await a.followRequests()) await a.reply(r, { accept: true, reciprocate: false })
  for (const u of [bob, carol, dave]) await socialOf(u).followRequests()
  expect(await a.followers()).toEqual(['bob', 'carol', 'dave'])
}, 300_000)
afterAll(async () => {
  await env?.close()
})

/** Whether alice's identity (per a fresh reader) owns `writer` through her owned-keys CHAMPs. */
async function aliceOwns(writer: PublicKeyHash): Promise<boolean> {
  return ownsKey(env.net, new TreeReader(env.net), alice.identity.publicKeyHash, writer)
}

/** The signing key pair sealed in the first node of the writing space `cap` starts (what a write grantee can extract). */
async function signerOf(u: UserContext, cap: WritableAbsoluteCapability): Promise<SigningPrivateKeyAndPublicHash> {
  const head = await u.reader.snapshot().readChunk(cap, undefined, false)
  return head!.view.signer!
}

describe('revoking write access', () => {
  it('moves the folder to a new signing key: the server refuses the old one, carol writes on, dave reads on', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/docs/sub', { parents: true })
    await alice.fs.writeFile('/alice/docs/notes.md', text('# notes'))
    await alice.fs.writeFile('/alice/docs/sub/inner.txt', text('inner'))
    // dave reads the folder and a file in it before the folder gets a writing space of its own
    await a.shareReadAccessWith('/alice/docs', ['dave'])
    await a.shareReadAccessWith('/alice/docs/notes.md', ['dave'])
    await socialOf(dave).refreshShared()
    const davesOldFolder = await dave.fs.capabilityOf('/alice/docs')
    const rootWriter = (await alice.fs.capabilityOf('/alice/docs')).writer

    await a.shareWriteAccessWith('/alice/docs', ['bob', 'carol'])
    const firstWriter = (await alice.fs.capabilityOf('/alice/docs')).writer
    expect(firstWriter.equals(rootWriter)).toBe(false)
    expect(await aliceOwns(firstWriter)).toBe(true)
    // dave was re-sent the moved folder's and file's new read capabilities
    expect(await dave.reader.snapshot().readChunk(davesOldFolder)).toBeUndefined()
    await socialOf(dave).refreshShared()
    expect(str(await dave.fs.readFileBytes('/alice/docs/notes.md'))).toBe('# notes')
    expect((await dave.fs.list('/alice/docs')).map((e) => e.name)).toEqual(['notes.md', 'sub'])
    expect((await dave.fs.capabilityOf('/alice/docs')).wBaseKey).toBeUndefined()

    for (const u of [bob, carol]) await socialOf(u).refreshShared()
    await bob.fs.writeFile('/alice/docs/from-bob.txt', text('bob was here'))
    // his blocks carry alice's mirror BAT id, as those of the folder he writes into (Peergos' parent.mirrorBatId())
    const bobsFile = await alice.reader.snapshot().readChunk(await alice.fs.capabilityOf('/alice/docs/from-bob.txt'), undefined, false)
    expect([alice.mirrorBatId !== undefined, nodeMirrorBatId(bobsFile!.node)]).toEqual([true, alice.mirrorBatId])
    const bobsCap = (await bob.fs.capabilityOf('/alice/docs')) as WritableAbsoluteCapability
    expect(bobsCap.writer.equals(firstWriter)).toBe(true)
    const bobsKey = await signerOf(bob, bobsCap)
    const owner = alice.identity.publicKeyHash
    const bobsSession = new WriterSession(env.net, new TreeReader(env.net).pointers, owner, bobsKey)
    const oldVersion = await bobsSession.latest(true)

    await a.unshareWriteAccessWith('/alice/docs', ['bob'])
    expect(await a.sharedWith('/alice/docs')).toEqual({ read: ['dave'], write: ['carol'], links: [] })
    const secondWriter = (await alice.fs.capabilityOf('/alice/docs')).writer
    expect(secondWriter.equals(firstWriter)).toBe(false)
    // the old writer left alice's owned keys and its pointer was cleared
    expect([await aliceOwns(firstWriter), await aliceOwns(secondWriter)]).toEqual([false, true])
    expect(await new TreeReader(env.net).writerData(owner, firstWriter)).toBeUndefined()
    // alice's tree is intact, bob's file included
    expect((await alice.fs.list('/alice/docs')).map((e) => e.name)).toEqual(['from-bob.txt', 'notes.md', 'sub'])
    expect(str(await alice.fs.readFileBytes('/alice/docs/sub/inner.txt'))).toBe('inner')

    // bob's client finds nothing to write into any more...
    await expect(bob.fs.writeFile('/alice/docs/again.txt', text('again'))).rejects.toThrow()
    // ...and the server refuses anything signed with the key he extracted: blocks...
    const c = env.net.crypto
    const block = encodeWriterData(emptyWriterData(firstWriter))
    const tid = await env.net.storage.startTransaction(owner)
    const refused = await env.net.storage.put(owner, firstWriter, [c.signAttached(c.sha256(block), bobsKey.secretKey)], [block], tid, false).catch((e: unknown) => e)
    expect(refused).toEqual(new WriterNotAllowedError(`Key not allowed to write to this server: ${cidToString(firstWriter)}`))
    // ...and pointer updates, even back to the tree he last saw (its blocks are still stored)
    const cleared = await bobsSession.latest(true)
    expect(cleared.cid).toBeUndefined()
    const resurrect = signPointerUpdate(c, bobsKey.secretKey, pointerUpdate(null, oldVersion.cid!, cleared.sequence + 1))
    await expect(env.net.pointers.setPointer(owner, firstWriter, resurrect)).rejects.toThrow(WriterNotAllowedError)
    expect((await bobsSession.latest(true)).cid).toBeUndefined()
    expect(await alice.fs.exists('/alice/docs/again.txt')).toBe(false)

    // carol, still a writer, got the new write capability
    await socialOf(carol).refreshShared()
    expect((await carol.fs.capabilityOf('/alice/docs')).writer.equals(secondWriter)).toBe(true)
    await carol.fs.writeFile('/alice/docs/from-carol.txt', text('carol too'))
    await carol.fs.mkdir('/alice/docs/carols')
    expect(str(await alice.fs.readFileBytes('/alice/docs/from-carol.txt'))).toBe('carol too')
    // dave reads what was written after the move
    await socialOf(dave).refreshShared()
    expect(str(await dave.fs.readFileBytes('/alice/docs/from-carol.txt'))).toBe('carol too')
    expect(str(await dave.fs.readFileBytes('/alice/docs/notes.md'))).toBe('# notes')
    // bob could only write: as in Peergos, he now reads nothing there
    await socialOf(bob).refreshShared()
    await expect(bob.fs.readFileBytes('/alice/docs/notes.md')).rejects.toThrow(NotFoundError)
    await expect(bob.fs.list('/alice/docs')).rejects.toThrow(NotFoundError)
  }, 300_000)

  it('a user shared for reading and writing keeps reading after losing write access', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/team')
    await alice.fs.writeFile('/alice/team/plan.txt', text('plan'))
    await a.shareReadAccessWith('/alice/team', ['bob'])
    await a.shareWriteAccessWith('/alice/team', ['bob'])
    await socialOf(bob).refreshShared()
    await bob.fs.writeFile('/alice/team/idea.txt', text('idea'))
    await a.unshareWriteAccessWith('/alice/team', ['bob'])
    expect(await a.sharedWith('/alice/team')).toEqual({ read: ['bob'], write: [], links: [] })
    await alice.fs.writeFile('/alice/team/after.txt', text('after'))
    await socialOf(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes('/alice/team/after.txt'))).toBe('after')
    expect(str(await bob.fs.readFileBytes('/alice/team/idea.txt'))).toBe('idea')
    await expect(bob.fs.writeFile('/alice/team/nope.txt', text('nope'))).rejects.toThrow(UnsupportedOperationError)
    expect(await alice.fs.exists('/alice/team/nope.txt')).toBe(false)
  }, 180_000)

  it('removing a follower revokes their write access too', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/drop')
    await a.shareWriteAccessWith('/alice/drop', ['carol'])
    await socialOf(carol).refreshShared()
    await carol.fs.writeFile('/alice/drop/c.txt', text('c'))
    const carolsWriter = (await carol.fs.capabilityOf('/alice/drop')).writer
    const removed = await a.removeFollower('carol')
    expect(removed.rotated).toEqual(expect.arrayContaining(['/alice/docs', '/alice/drop']))
    expect(removed.notRevoked).toEqual([])
    expect(await aliceOwns(carolsWriter)).toBe(false)
    expect(str(await alice.fs.readFileBytes('/alice/drop/c.txt'))).toBe('c')
    await socialOf(carol).refreshShared()
    await expect(carol.fs.writeFile('/alice/drop/d.txt', text('d'))).rejects.toThrow()
    expect(await alice.fs.exists('/alice/drop/d.txt')).toBe(false)
  }, 180_000)
})

describe('nested writing spaces', () => {
  it('revoking write access to a folder moves the writing space nested in it too; its own writer keeps writing', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/proj/inner', { parents: true })
    await alice.fs.writeFile('/alice/proj/inner/spec.txt', text('spec'))
    await a.shareWriteAccessWith('/alice/proj', ['bob'])
    await a.shareWriteAccessWith('/alice/proj/inner', ['dave']) // nested in the folder's space
    const projWriter = (await alice.fs.capabilityOf('/alice/proj')).writer
    const innerWriter = (await alice.fs.capabilityOf('/alice/proj/inner')).writer
    for (const u of [bob, dave]) await socialOf(u).refreshShared()
    await bob.fs.writeFile('/alice/proj/inner/by-bob.txt', text('bob writes below too')) // through the folder's capability
    const bobsInner = (await bob.fs.capabilityOf('/alice/proj/inner')) as WritableAbsoluteCapability
    expect(bobsInner.writer.equals(innerWriter)).toBe(true)
    const innerKey = await signerOf(bob, bobsInner) // reachable through the folder's write capability

    await a.unshareWriteAccessWith('/alice/proj', ['bob'])
    const newProj = (await alice.fs.capabilityOf('/alice/proj')).writer
    const newInner = (await alice.fs.capabilityOf('/alice/proj/inner')).writer
    expect([newProj.equals(projWriter), newInner.equals(innerWriter), newInner.equals(newProj)]).toEqual([false, false, false])
    expect([await aliceOwns(projWriter), await aliceOwns(innerWriter), await aliceOwns(newProj), await aliceOwns(newInner)]).toEqual([false, false, true, true])
    expect((await alice.fs.list('/alice/proj/inner')).map((e) => e.name)).toEqual(['by-bob.txt', 'spec.txt'])
    // the key bob could reach through the folder is refused, as is the folder's
    const owner = alice.identity.publicKeyHash
    const c = env.net.crypto
    const block = encodeWriterData(emptyWriterData(innerWriter))
    await expect(bob.fs.writeFile('/alice/proj/inner/again.txt', text('x'))).rejects.toThrow()
    const tid = await env.net.storage.startTransaction(owner)
    await expect(env.net.storage.put(owner, innerWriter, [c.signAttached(c.sha256(block), innerKey.secretKey)], [block], tid, false)).rejects.toThrow(WriterNotAllowedError)
    expect(await alice.fs.exists('/alice/proj/inner/again.txt')).toBe(false)
    // dave, the nested space's writer, was re-sent its new capability
    await socialOf(dave).refreshShared()
    await dave.fs.writeFile('/alice/proj/inner/by-dave.txt', text('dave'))
    expect(str(await alice.fs.readFileBytes('/alice/proj/inner/by-dave.txt'))).toBe('dave')
  }, 240_000)

  it('granting write access to a folder holding a write-shared one moves both; revoking read access rotates nested spaces in place', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/area/w', { parents: true })
    await alice.fs.writeFile('/alice/area/w/x.txt', text('x'))
    await a.shareWriteAccessWith('/alice/area/w', ['dave'])
    await a.shareReadAccessWith('/alice/area', ['bob'])
    const wWriter = (await alice.fs.capabilityOf('/alice/area/w')).writer
    for (const u of [bob, dave]) await socialOf(u).refreshShared()
    expect(str(await bob.fs.readFileBytes('/alice/area/w/x.txt'))).toBe('x')

    // read revocation of the outer folder (still in alice's root space): the nested space keeps its writer, with new keys
    await a.unshareReadAccessWith('/alice/area', ['bob'])
    expect((await alice.fs.capabilityOf('/alice/area/w')).writer.equals(wWriter)).toBe(true)
    await socialOf(bob).refreshShared()
    await expect(bob.fs.readFileBytes('/alice/area/w/x.txt')).rejects.toThrow(NotFoundError)
    await socialOf(dave).refreshShared()
    await dave.fs.writeFile('/alice/area/w/y.txt', text('y'))
    expect(str(await alice.fs.readFileBytes('/alice/area/w/y.txt'))).toBe('y')

    // granting write access to the outer folder moves it and the nested space to new writers
    await a.shareWriteAccessWith('/alice/area', ['bob'])
    const areaWriter = (await alice.fs.capabilityOf('/alice/area')).writer
    const movedW = (await alice.fs.capabilityOf('/alice/area/w')).writer
    expect([movedW.equals(wWriter), await aliceOwns(wWriter), await aliceOwns(movedW), await aliceOwns(areaWriter)]).toEqual([false, false, true, true])
    for (const u of [bob, dave]) await socialOf(u).refreshShared()
    await bob.fs.writeFile('/alice/area/from-bob.txt', text('b'))
    await dave.fs.writeFile('/alice/area/w/z.txt', text('z'))
    expect((await alice.fs.list('/alice/area/w')).map((e) => e.name)).toEqual(['x.txt', 'y.txt', 'z.txt'])
    expect(str(await alice.fs.readFileBytes('/alice/area/from-bob.txt'))).toBe('b')
  }, 240_000)
})

describe('write access to a file', () => {
  it('the grantee of a file rewrites it and nothing else; revoked, the server refuses', async () => {
    const a = socialOf(alice)
    await alice.fs.writeFile('/alice/todo.txt', text('1. nothing'))
    await a.shareWriteAccessWith('/alice/todo.txt', ['dave'])
    await socialOf(dave).refreshShared()
    expect(str(await dave.fs.readFileBytes('/alice/todo.txt'))).toBe('1. nothing')
    await dave.fs.writeFile('/alice/todo.txt', text('1. nothing\n2. something'))
    expect(str(await alice.fs.readFileBytes('/alice/todo.txt'))).toBe('1. nothing\n2. something')
    await expect(dave.fs.writeFile('/alice/todo2.txt', text('x'))).rejects.toThrow(NotFoundError)
    const davesKey = await signerOf(dave, (await dave.fs.capabilityOf('/alice/todo.txt')) as WritableAbsoluteCapability)
    await a.unshareWriteAccessWith('/alice/todo.txt', ['dave'])
    await alice.fs.writeFile('/alice/todo.txt', text('done'))
    await expect(dave.fs.writeFile('/alice/todo.txt', text('mine'))).rejects.toThrow()
    const owner = alice.identity.publicKeyHash
    const c = env.net.crypto
    const block = encodeWriterData(emptyWriterData(davesKey.publicKeyHash))
    const tid = await env.net.storage.startTransaction(owner)
    await expect(env.net.storage.put(owner, davesKey.publicKeyHash, [c.signAttached(c.sha256(block), davesKey.secretKey)], [block], tid, false)).rejects.toThrow(WriterNotAllowedError)
    expect(str(await alice.fs.readFileBytes('/alice/todo.txt'))).toBe('done')
  }, 180_000)
})

describe('deleting a write-shared folder', () => {
  it('retires its writing spaces (nested ones too): owned keys gone, pointers cleared, space freed', async () => {
    const owner = alice.identity.publicKeyHash
    const usage = async (): Promise<number> => env.net.spaceUsage.getUsage(owner, signTime(env.net.crypto, alice.identity.secretKey), false)
    const before = await usage()
    await alice.fs.mkdir('/alice/shared-out/inner', { parents: true })
    await alice.fs.writeFile('/alice/shared-out/big.bin', pattern(1024 * 1024, 3))
    await alice.fs.writeFile('/alice/shared-out/inner/more.bin', pattern(512 * 1024, 4))
    await socialOf(alice).shareWriteAccessWith('/alice/shared-out/inner', ['dave'])
    await socialOf(alice).shareWriteAccessWith('/alice/shared-out', ['dave']) // moves the nested space too
    const outer = (await alice.fs.capabilityOf('/alice/shared-out')).writer
    const inner = (await alice.fs.capabilityOf('/alice/shared-out/inner')).writer
    expect([await aliceOwns(outer), await aliceOwns(inner), outer.equals(inner)]).toEqual([true, true, false])
    expect(await usage()).toBeGreaterThan(before + 1.5 * 1024 * 1024)

    await alice.fs.remove('/alice/shared-out')
    expect(await alice.fs.exists('/alice/shared-out')).toBe(false)
    expect([await aliceOwns(outer), await aliceOwns(inner)]).toEqual([false, false])
    const reader = new TreeReader(env.net)
    expect(await reader.writerData(owner, outer)).toBeUndefined()
    expect(await reader.writerData(owner, inner)).toBeUndefined()
    expect(await usage()).toBeLessThanOrEqual(before + 64 * 1024)
  }, 180_000)
})
