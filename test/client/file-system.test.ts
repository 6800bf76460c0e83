// The client's file tree against a real daemon over HTTP: a user signs up (with the special
// folders) and then, by path, makes directories, writes, reads (streamed and from any offset),
// overwrites, appends, truncates, renames, moves, copies and removes files and folders, grows a
// directory past 500 children, and two clients writing into one folder at once both succeed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileExistsError, NotADirectoryError } from '../../src/client/dir-ops.ts'
import { NotFoundError } from '../../src/client/errors.ts'
import { UnsupportedOperationError } from '../../src/client/file-system.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { WeakPasswordError } from '../../src/client/password-rules.ts'
import { IncorrectPasswordError } from '../../src/model/errors.ts'
import { InvalidFileNameError } from '../../src/model/file-name.ts'
import { readOnly } from '../../src/model/capability.ts'
import { signTime } from '../../src/model/signed-time.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const MiB = 1024 * 1024

let env: TestDaemon
let net: NetworkAccess
let user: UserContext
const sha256 = sha256Hex

beforeAll(async () => {
  env = await startTestDaemon()
  net = env.net
  user = await UserContext.signUp(net, 'alice', PASSWORD)
}, 120_000)
afterAll(async () => {
  await env?.close()
})

describe('directories', () => {
  it('starts with the hidden special folders', async () => {
    const names = (await user.fs.list('/alice')).map((e) => [e.name, e.isDirectory, e.isHidden])
    expect(names).toEqual([['.capabilitycache', true, true], ['.transactions', true, true], ['shared', true, true]])
  })

  it('makes directories, nested ones with parents, and refuses duplicates', async () => {
    await user.fs.mkdir('/alice/docs')
    await user.fs.mkdir('/alice/a/b/c', { parents: true })
    await user.fs.mkdir('/alice/a/b/c', { parents: true })
    await expect(user.fs.mkdir('/alice/docs')).rejects.toThrow(FileExistsError)
    await expect(user.fs.mkdir('/alice/x/y')).rejects.toThrow(NotFoundError)
    expect((await user.fs.stat('/alice/a/b/c')).isDirectory).toBe(true)
    expect((await user.fs.list('/alice/a/b')).map((e) => e.name)).toEqual(['c'])
  }, 30_000)

  it('treats constructor, __proto__ and toString as ordinary names and refuses invalid ones', async () => {
    for (const name of ['constructor', '__proto__', 'toString']) await user.fs.writeFile(`/alice/docs/${name}`, new TextEncoder().encode(name))
    for (const name of ['constructor', '__proto__', 'toString']) expect(new TextDecoder().decode(await user.fs.readFileBytes(`/alice/docs/${name}`))).toBe(name)
    for (const bad of ['/alice/docs/..', '/alice/docs/a\0b', `/alice/docs/${'x'.repeat(256)}`, `/alice/docs/${'é'.repeat(130)}`, 'alice/docs']) {
      await expect(user.fs.writeFile(bad, new Uint8Array(1))).rejects.toThrow(InvalidFileNameError)
    }
  }, 30_000)
})

describe('files', () => {
  it('writes and reads small and empty files with type and size', async () => {
    await user.fs.writeFile('/alice/docs/hello.txt', new TextEncoder().encode('hello world'))
    await user.fs.writeFile('/alice/docs/empty', new Uint8Array(0))
    const st = await user.fs.stat('/alice/docs/hello.txt')
    expect([st.size, st.mimeType, st.isDirectory]).toEqual([11, 'text/plain', false])
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/docs/hello.txt'))).toBe('hello world')
    expect((await user.fs.readFileBytes('/alice/docs/empty')).length).toBe(0)
    await expect(user.fs.writeFile('/alice/docs/hello.txt', new Uint8Array(1), { overwrite: false })).rejects.toThrow(FileExistsError)
    await expect(user.fs.readFileBytes('/alice/docs')).rejects.toThrow(NotADirectoryError)
  }, 30_000)

  it('streams a 12 MiB file in and out and seeks anywhere', async () => {
    const data = pattern(12 * MiB + 123)
    let progress = 0
    async function* pieces(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < data.length; off += 777_777) yield data.subarray(off, off + 777_777)
    }
    await user.fs.writeFile('/alice/docs/big.bin', pieces(), { onProgress: (n) => { progress = n } })
    expect(progress).toBe(data.length)
    expect((await user.fs.stat('/alice/docs/big.bin')).size).toBe(data.length)
    expect(sha256(await user.fs.readFileBytes('/alice/docs/big.bin'))).toBe(sha256(data))
    for (const [offset, length] of [[0, 10], [5 * MiB - 3, 7], [10 * MiB + 5, 2 * MiB], [12 * MiB, 500]]) {
      const got = await user.fs.readFileBytes('/alice/docs/big.bin', { offset, length })
      expect(sha256(got)).toBe(sha256(data.subarray(offset, offset + length)))
    }
  }, 120_000)

  it('overwrites (shrinking and growing), appends and truncates, keeping the capability', async () => {
    const p = '/alice/docs/edit.bin'
    const v1 = pattern(6 * MiB, 2)
    await user.fs.writeFile(p, v1)
    const v2 = pattern(100, 3)
    await user.fs.writeFile(p, v2)
    expect(sha256(await user.fs.readFileBytes(p))).toBe(sha256(v2))
    const extra = pattern(5 * MiB + 10, 4)
    await user.fs.append(p, extra)
    const appended = new Uint8Array([...v2, ...extra])
    expect((await user.fs.stat(p)).size).toBe(appended.length)
    expect(sha256(await user.fs.readFileBytes(p))).toBe(sha256(appended))
    await user.fs.truncate(p, 5 * MiB + 1)
    expect(sha256(await user.fs.readFileBytes(p))).toBe(sha256(appended.subarray(0, 5 * MiB + 1)))
    await user.fs.truncate(p, 50)
    expect(sha256(await user.fs.readFileBytes(p))).toBe(sha256(appended.subarray(0, 50)))
  }, 120_000)

  it('renames, moves and copies files and folders; refuses a move into a descendant', async () => {
    await user.fs.mkdir('/alice/m/inner', { parents: true })
    await user.fs.writeFile('/alice/m/inner/f.txt', new TextEncoder().encode('payload'))
    await user.fs.move('/alice/m/inner/f.txt', '/alice/m/inner/g.txt')
    expect((await user.fs.list('/alice/m/inner')).map((e) => e.name)).toEqual(['g.txt'])
    expect((await user.fs.stat('/alice/m/inner/g.txt')).name).toBe('g.txt')
    await user.fs.move('/alice/m/inner/g.txt', '/alice/m')
    expect((await user.fs.list('/alice/m')).map((e) => e.name)).toEqual(['g.txt', 'inner'])
    await user.fs.move('/alice/m/inner', '/alice/docs')
    expect(await user.fs.exists('/alice/docs/inner')).toBe(true)
    await expect(user.fs.move('/alice/docs', '/alice/docs/inner')).rejects.toThrow(UnsupportedOperationError)
    await user.fs.copy('/alice/m', '/alice/m2')
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/m2/g.txt'))).toBe('payload')
    await user.fs.writeFile('/alice/m2/g.txt', new TextEncoder().encode('changed'))
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/m/g.txt'))).toBe('payload')
  }, 60_000)

  it('reads and writes through a mounted capability; a read-only one refuses writes', async () => {
    const cap = await user.fs.capabilityOf('/alice/m')
    user.fs.mount('/zed/view', cap)
    expect((await user.fs.list('/zed/view')).map((e) => e.name)).toEqual((await user.fs.list('/alice/m')).map((e) => e.name))
    await user.fs.writeFile('/zed/view/via-mount.txt', new TextEncoder().encode('mounted'))
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/m/via-mount.txt'))).toBe('mounted')
    user.fs.mount('/zed/ro', readOnly(cap))
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/zed/ro/via-mount.txt'))).toBe('mounted')
    await expect(user.fs.writeFile('/zed/ro/nope.txt', new Uint8Array(1))).rejects.toThrow(UnsupportedOperationError)
    await expect(user.fs.list('/zed/elsewhere')).rejects.toThrow(NotFoundError)
    user.fs.unmount('/zed/view')
    await expect(user.fs.list('/zed/view')).rejects.toThrow(NotFoundError)
  }, 60_000)

  it('removes trees recursively and frees their space', async () => {
    const owner = user.identity.publicKeyHash
    const usage = async (): Promise<number> => net.spaceUsage.getUsage(owner, signTime(net.crypto, user.identity.secretKey), false)
    const before = await usage()
    await user.fs.mkdir('/alice/tmp/sub', { parents: true })
    await user.fs.writeFile('/alice/tmp/sub/x.bin', pattern(3 * MiB, 5))
    await user.fs.writeFile('/alice/tmp/y.txt', new TextEncoder().encode('y'))
    expect(await usage()).toBeGreaterThan(before + 3 * MiB)
    await user.fs.remove('/alice/tmp')
    expect(await user.fs.exists('/alice/tmp')).toBe(false)
    expect(await usage()).toBeLessThanOrEqual(before + 64 * 1024)
    await expect(user.fs.remove('/alice/tmp')).rejects.toThrow(NotFoundError)
  }, 60_000)
})

describe('key rotation', () => {
  it('rotates every key of a folder tree: the old capability finds nothing, the new one reads all', async () => {
    await user.fs.mkdir('/alice/rot/sub', { parents: true })
    const big = pattern(6 * MiB, 11)
    await user.fs.writeFile('/alice/rot/sub/big.bin', big)
    await user.fs.writeFile('/alice/rot/small.txt', new TextEncoder().encode('small'))
    const before = await user.fs.capabilityOf('/alice/rot')
    const oldFile = await user.fs.capabilityOf('/alice/rot/sub/big.bin')
    const after = await user.fs.rotateKeys('/alice/rot')
    expect(Buffer.from(after.mapKey).equals(Buffer.from(before.mapKey))).toBe(false)
    // the old capabilities no longer name anything
    const reader = user.reader.snapshot()
    expect(await reader.readChunk(before)).toBeUndefined()
    expect(await reader.readChunk(oldFile)).toBeUndefined()
    // the folder, read by path through the new capability, is unchanged
    expect((await user.fs.list('/alice/rot')).map((e) => e.name)).toEqual(['small.txt', 'sub'])
    expect(sha256(await user.fs.readFileBytes('/alice/rot/sub/big.bin'))).toBe(sha256(big))
    // the next write of a rotated file replaces its (dirty) data key, appends included
    await user.fs.append('/alice/rot/sub/big.bin', new TextEncoder().encode('tail'))
    const grown = await user.fs.readFileBytes('/alice/rot/sub/big.bin')
    expect([grown.length, sha256(grown.subarray(0, big.length))]).toEqual([big.length + 4, sha256(big)])
    const head = await user.reader.snapshot().readChunk(await user.fs.capabilityOf('/alice/rot/sub/big.bin'), undefined, false)
    expect(head?.view.dataKey?.dirty).toBe(false)
  }, 120_000)
})

describe('own writing spaces', () => {
  it('moves a folder to its own writer behind a link node, atomically; writes through its capability land there', async () => {
    await user.fs.mkdir('/alice/team/sub', { parents: true })
    await user.fs.writeFile('/alice/team/sub/plan.txt', new TextEncoder().encode('plan'))
    const before = await user.fs.capabilityOf('/alice/team')
    const cap = await user.fs.ensureOwnWriter('/alice/team')
    expect(cap.writer.equals(before.writer)).toBe(false)
    expect((await user.fs.ensureOwnWriter('/alice/team')).mapKey).toEqual(cap.mapKey) // already its own
    expect(await user.reader.snapshot().readChunk(before)).toBeUndefined()
    const listed = (await user.fs.list('/alice')).find((e) => e.name === 'team')!
    expect([listed.isDirectory, listed.isLink]).toEqual([true, true])
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/team/sub/plan.txt'))).toBe('plan')
    // the owner writes into it by path (its key pair is sealed in its first node)...
    await user.fs.writeFile('/alice/team/by-owner.txt', new TextEncoder().encode('owner'))
    // ...and so can whoever holds its write capability, signing as the new writer only
    user.fs.mount('/grantee/team', cap)
    await user.fs.writeFile('/grantee/team/by-grantee.txt', new TextEncoder().encode('grantee'))
    expect((await user.fs.list('/alice/team')).map((e) => e.name)).toEqual(['by-grantee.txt', 'by-owner.txt', 'sub'])
    const head = await user.reader.snapshot().readChunk(await user.fs.capabilityOf('/alice/team/by-grantee.txt'), undefined, false)
    expect(head).toBeDefined()
    expect((await user.fs.capabilityOf('/alice/team/by-grantee.txt')).writer.equals(cap.writer)).toBe(true)
    user.fs.unmount('/grantee/team')
  }, 120_000)
})

describe('resumable uploads', () => {
  it('continues an interrupted upload from the chunks already stored, through /.transactions', async () => {
    const data = pattern(40 * MiB, 9)
    async function* failing(): AsyncGenerator<Uint8Array> {
      for (let off = 0; off < 37 * MiB; off += MiB) yield data.subarray(off, off + MiB)
      throw new Error('connection lost')
    }
    await expect(user.fs.writeFile('/alice/docs/resume.bin', failing(), { size: data.length })).rejects.toThrow('connection lost')
    expect(await user.fs.exists('/alice/docs/resume.bin')).toBe(false)
    expect((await user.fs.list('/alice/.transactions')).length).toBe(1)
    let uploaded = 0
    await user.fs.writeFile('/alice/docs/resume.bin', data, { onProgress: (n) => { uploaded = n } })
    expect(uploaded).toBeGreaterThan(0)
    expect(uploaded).toBeLessThanOrEqual(20 * MiB)
    expect(sha256(await user.fs.readFileBytes('/alice/docs/resume.bin'))).toBe(sha256(data))
    expect(await user.fs.list('/alice/.transactions')).toEqual([])
  }, 120_000)
})

describe('large directories and concurrency', () => {
  it('grows a directory past 500 children into continuation chunks', async () => {
    await user.fs.mkdir('/alice/many')
    const files = Array.from({ length: 520 }, (_, i) => ({ name: `f${String(i).padStart(3, '0')}`, data: new TextEncoder().encode(`file ${i}`) }))
    await user.fs.writeFiles('/alice/many', files.slice(0, 300))
    await user.fs.writeFiles('/alice/many', files.slice(300))
    const listed = await user.fs.list('/alice/many')
    expect(listed.map((e) => e.name)).toEqual(files.map((f) => f.name))
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/many/f517'))).toBe('file 517')
    await user.fs.remove('/alice/many/f510')
    await user.fs.remove('/alice/many/f001')
    expect((await user.fs.list('/alice/many')).length).toBe(518)
    await user.fs.writeFile('/alice/many/new', new Uint8Array(3))
    expect((await user.fs.list('/alice/many')).length).toBe(519)
  }, 120_000)

  it('batch writes refuse existing names unless overwriting; folder copies keep hidden flags, types and times', async () => {
    await user.fs.mkdir('/alice/batch')
    const enc = (t: string) => new TextEncoder().encode(t)
    await user.fs.writeFiles('/alice/batch', [{ name: 'a', data: enc('1') }, { name: 'b', data: enc('2'), hidden: true, mimeType: 'text/x-b', modified: 1_600_000_000_000 }])
    await expect(user.fs.writeFiles('/alice/batch', [{ name: 'a', data: enc('x') }])).rejects.toThrow(FileExistsError)
    await expect(user.fs.writeFiles('/alice/batch', [{ name: 'c', data: enc('x') }, { name: 'c', data: enc('y') }])).rejects.toThrow(FileExistsError)
    await user.fs.writeFiles('/alice/batch', [{ name: 'a', data: enc('one') }, { name: 'c', data: enc('3') }], { overwrite: true })
    expect(new TextDecoder().decode(await user.fs.readFileBytes('/alice/batch/a'))).toBe('one')
    expect((await user.fs.list('/alice/batch')).map((e) => e.name)).toEqual(['a', 'b', 'c'])
    await user.fs.copy('/alice/batch', '/alice/batch-copy')
    const b = await user.fs.stat('/alice/batch-copy/b')
    expect([b.isHidden, b.mimeType, b.modified]).toEqual([true, 'text/x-b', 1_600_000_000_000])
    expect((await user.fs.list('/alice/batch-copy')).map((e) => e.name)).toEqual(['a', 'b', 'c'])
  }, 60_000)

  it('two clients writing into one folder at once both succeed', async () => {
    const other = await UserContext.signIn(net, 'alice', PASSWORD)
    await user.fs.mkdir('/alice/shared-dir')
    const writes: Promise<unknown>[] = []
    for (let i = 0; i < 6; i++) {
      writes.push(user.fs.writeFile(`/alice/shared-dir/a${i}`, pattern(1000, i)))
      writes.push(other.fs.writeFile(`/alice/shared-dir/b${i}`, pattern(1000, 100 + i)))
    }
    await Promise.all(writes)
    const names = (await user.fs.list('/alice/shared-dir')).map((e) => e.name)
    expect(names).toEqual(['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'b0', 'b1', 'b2', 'b3', 'b4', 'b5'])
    expect(sha256(await other.fs.readFileBytes('/alice/shared-dir/a3'))).toBe(sha256(pattern(1000, 3)))
  }, 120_000)
})

describe('accounts', () => {
  it('refuses weak passwords at signup', async () => {
    await expect(UserContext.signUp(net, 'weak', 'weak')).rejects.toThrow(WeakPasswordError)
    await expect(UserContext.signUp(net, 'weakling', 'short')).rejects.toThrow(WeakPasswordError)
  })

  it('renews the username claim when less than a month is left', async () => {
    const before = (await net.coreNode.getChain('alice')).at(-1)!.claim.expiry
    expect(await user.renewClaimIfExpiring()).toBe(false) // two months left after signup
    const nearExpiry = new Date(Date.UTC(before.year, before.month - 1, before.day) - 10 * 24 * 3600 * 1000)
    expect(await user.renewClaimIfExpiring(nearExpiry)).toBe(true)
    const after = (await net.coreNode.getChain('alice')).at(-1)!.claim.expiry
    expect(Date.UTC(after.year, after.month - 1, after.day)).toBeGreaterThan(Date.UTC(before.year, before.month - 1, before.day))
    expect((await UserContext.signIn(net, 'alice', PASSWORD)).identity.publicKeyHash.equals(user.identity.publicKeyHash)).toBe(true)
  }, 60_000)

  it('changes the password: the new one works, the old one no longer does', async () => {
    const second = await UserContext.signIn(net, 'alice', PASSWORD)
    await expect(second.changePassword(PASSWORD, 'alice')).rejects.toThrow(WeakPasswordError)
    await expect(second.changePassword('wrong old password', 'another long password')).rejects.toThrow()
    await second.changePassword(PASSWORD, 'another long password')
    await expect(UserContext.signIn(net, 'alice', PASSWORD)).rejects.toThrow(IncorrectPasswordError)
    const again = await UserContext.signIn(net, 'alice', 'another long password')
    expect(new TextDecoder().decode(await again.fs.readFileBytes('/alice/docs/hello.txt'))).toBe('hello world')
    await again.changePassword('another long password', PASSWORD)
  }, 120_000)
})
