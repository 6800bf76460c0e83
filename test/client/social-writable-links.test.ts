// Writable secret links on a real daemon over HTTP (Peergos UserTests writablePublicLinkToDir,
// RamUserTests appWriteInSecretLink): alice makes a writable link to a folder, which first moves to a
// writing space of its own (a read-only link made before is re-published and still opens); a client
// without an account opens it and adds, changes and removes files in the folder, and nothing else;
// revoking the link unpublishes it and moves the folder to a new signing key, so the client that opened
// it can change nothing any more, while the read-only link keeps opening.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { LinkPasswordRequiredError } from '../../src/client/social/errors.ts'
import { openSecretLink } from '../../src/client/social/open-secret-link.ts'
import { ownsKey } from '../../src/client/social/public-keys.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { TreeReader } from '../../src/client/tree-reader.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { SecretLinkUnavailableError } from '../../src/services/errors.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

let env: TestDaemon
let alice: UserContext
/** A client without any account. */
let anonymous: NetworkAccess

beforeAll(async () => {
  env = await startTestDaemon()
  anonymous = { crypto: env.net.crypto, ...httpNetworkServices(new FetchPoster(env.daemon.url)) }
  alice = await UserContext.signUp(env.net, 'alice', PASSWORD)
  await alice.fs.mkdir('/alice/drop')
  await alice.fs.writeFile('/alice/drop/readme.txt', text('drop files here'))
  await alice.fs.writeFile('/alice/private.txt', text('mine'))
}, 120_000)
afterAll(async () => {
  await env?.close()
})

describe('writable secret links', () => {
  it('opens with write access without an account, only for the linked folder; revoking it stops the writes', async () => {
    const a = socialOf(alice)
    const readLink = await a.createSecretLink('/alice/drop')
    const rootWriter = (await alice.fs.capabilityOf('/alice/drop')).writer

    const link = await a.createSecretLink('/alice/drop', { writable: true })
    expect(link.isLinkWritable).toBe(true)
    expect((await a.secretLinks('/alice/drop')).map((l) => [l.label, l.isLinkWritable])).toEqual([[readLink.label, false], [link.label, true]])
    const writer = (await alice.fs.capabilityOf('/alice/drop')).writer
    expect(writer.equals(rootWriter)).toBe(false) // the folder has its own writing space now

    // the read-only link made before the move was re-published: same URL, still opens, still read-only
    const ro = await openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, readLink))
    expect([ro.isWritable, ro.fs, (await ro.list()).map((e) => e.name)]).toEqual([false, undefined, ['readme.txt']])

    const opened = await openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, link))
    expect([opened.path, opened.isDirectory, opened.isWritable]).toEqual(['/alice/drop', true, true])
    const fs = opened.fs!
    await fs.writeFile('/alice/drop/from-link.txt', text('written through the link'))
    await fs.mkdir('/alice/drop/sub')
    await fs.writeFile('/alice/drop/sub/deep.txt', text('deep'))
    await fs.writeFile('/alice/drop/readme.txt', text('drop files here, please'))
    expect((await alice.fs.list('/alice/drop')).map((e) => e.name)).toEqual(['from-link.txt', 'readme.txt', 'sub'])
    expect(str(await alice.fs.readFileBytes('/alice/drop/from-link.txt'))).toBe('written through the link')
    expect(str(await alice.fs.readFileBytes('/alice/drop/sub/deep.txt'))).toBe('deep')
    expect(str(await alice.fs.readFileBytes('/alice/drop/readme.txt'))).toBe('drop files here, please')
    await fs.remove('/alice/drop/sub')
    expect((await alice.fs.list('/alice/drop')).map((e) => e.name)).toEqual(['from-link.txt', 'readme.txt'])
    // nothing else of alice's is reachable through it
    await expect(fs.writeFile('/alice/intruder.txt', text('x'))).rejects.toThrow(NotFoundError)
    await expect(fs.readFileBytes('/alice/private.txt')).rejects.toThrow(NotFoundError)
    expect(await alice.fs.exists('/alice/intruder.txt')).toBe(false)

    // revoking: unpublished, and the folder moves to a new signing key the link's holder does not have
    expect(await a.deleteSecretLink('/alice/drop', link.label)).toBe(true)
    await expect(openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, link))).rejects.toThrow(new SecretLinkUnavailableError('No secret link present!'))
    const moved = (await alice.fs.capabilityOf('/alice/drop')).writer
    expect(moved.equals(writer)).toBe(false)
    expect(await ownsKey(env.net, new TreeReader(env.net), alice.identity.publicKeyHash, writer)).toBe(false)
    await expect(fs.writeFile('/alice/drop/after.txt', text('too late'))).rejects.toThrow()
    expect(await alice.fs.exists('/alice/drop/after.txt')).toBe(false)
    expect((await a.secretLinks('/alice/drop')).map((l) => l.label)).toEqual([readLink.label])
    // the read-only link still opens, with what the link's holder wrote before
    const again = await openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, readLink))
    expect(str(await again.readFileBytes((await again.list()).find((e) => e.name === 'from-link.txt')))).toBe('written through the link')
  }, 180_000)

  it('a writable link with an extra password and a maximum of uses; another to a folder already shared for writing', async () => {
    const a = socialOf(alice)
    await alice.fs.mkdir('/alice/inbox')
    const guarded = await a.createSecretLink('/alice/inbox', { writable: true, userPassword: 'open sesame', maxRetrievals: 2 })
    const url = a.secretLinkUrl(env.daemon.url, guarded)
    await expect(openSecretLink(anonymous, url)).rejects.toThrow(LinkPasswordRequiredError) // a retrieval too
    const opened = await openSecretLink(anonymous, url, { userPassword: 'open sesame' })
    await opened.fs!.writeFile('/alice/inbox/hello.txt', text('hello'))
    expect(str(await alice.fs.readFileBytes('/alice/inbox/hello.txt'))).toBe('hello')
    await expect(openSecretLink(anonymous, url, { userPassword: 'open sesame' })).rejects.toThrow(new SecretLinkUnavailableError('Maximum link retrievals exceed!'))
    // the folder is in its own writing space already: a second writable link keeps it there
    const writer = (await alice.fs.capabilityOf('/alice/inbox')).writer
    const second = await a.createSecretLink('/alice/inbox', { writable: true })
    expect((await alice.fs.capabilityOf('/alice/inbox')).writer.equals(writer)).toBe(true)
    const both = await openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, second))
    await both.fs!.writeFile('/alice/inbox/second.txt', text('second'))
    expect((await alice.fs.list('/alice/inbox')).map((e) => e.name)).toEqual(['hello.txt', 'second.txt'])
  }, 120_000)

  it('a writable link to a file rewrites that file in place, and nothing else', async () => {
    const a = socialOf(alice)
    await alice.fs.writeFile('/alice/notes.txt', text('version 1'))
    const link = await a.createSecretLink('/alice/notes.txt', { writable: true })
    const opened = await openSecretLink(anonymous, a.secretLinkUrl(env.daemon.url, link))
    expect([opened.path, opened.isDirectory, opened.isWritable]).toEqual(['/alice/notes.txt', false, true])
    await opened.fs!.writeFile('/alice/notes.txt', text('version 2, longer than the first'))
    expect(str(await alice.fs.readFileBytes('/alice/notes.txt'))).toBe('version 2, longer than the first')
    expect((await alice.fs.stat('/alice/notes.txt')).size).toBe(32)
    // the owner rewrites it too (the file is a writing space of its own, behind a link node)
    await alice.fs.writeFile('/alice/notes.txt', text('v3'))
    expect(str(await opened.fs!.readFileBytes('/alice/notes.txt'))).toBe('v3')
    await opened.fs!.writeFile('/alice/notes.txt', text('v4'))
    await opened.fs!.append('/alice/notes.txt', text(', appended'))
    expect(str(await alice.fs.readFileBytes('/alice/notes.txt'))).toBe('v4, appended')
    await alice.fs.truncate('/alice/notes.txt', 2)
    expect(str(await opened.fs!.readFileBytes('/alice/notes.txt'))).toBe('v4')
    await expect(opened.fs!.writeFile('/alice/beside.txt', text('x'))).rejects.toThrow(NotFoundError)
    expect(await alice.fs.exists('/alice/beside.txt')).toBe(false)
    expect(await a.deleteSecretLink('/alice/notes.txt', link.label)).toBe(true)
    await expect(opened.fs!.writeFile('/alice/notes.txt', text('v5'))).rejects.toThrow()
    expect(str(await alice.fs.readFileBytes('/alice/notes.txt'))).toBe('v4')
  }, 120_000)
})
