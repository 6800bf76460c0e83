// The social and sharing commands end to end: the real bin/peergos-ts.js as child processes against a
// real daemon on 127.0.0.1 (alice, bob and carol signed up through the library). bob follows alice,
// alice lists and accepts (reciprocating), both are friends; carol's request is rejected; alice shares
// a folder with bob, who reads it with `get`; `share --write` lets bob write into a folder and
// `unshare --write` stops him; `unshare` revokes bob (his `get` fails); secret links: made with a maximum
// of uses (then refused), with an extra password, opened by `open-link` without any account (file and
// folder), removed by `unlink`; a writable link (`link --write`) takes uploads by `put-link` without an
// account until `unlink`;
// `verify` prints the same safety number on both sides; `remove-follower` reports the rotated items.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserContext } from '../../src/client/user-context.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import { NodePoster } from '../../src/server/http/node-poster.ts'
import { cli, expectFailure, hashTree, sha256, startTestDaemon, type Run } from './cli-env.ts'

const PASSWORD = 'a long and unusual password'
let env: Awaited<ReturnType<typeof startTestDaemon>>
let server: string
let poster: NodePoster
let local: string

function as(user: string, ...args: string[]): Promise<Run> {
  return cli([...args, '--server', server], { PEERGOS_USERNAME: user, PEERGOS_PASSWORD: PASSWORD })
}

function ok(r: Run): string {
  expect(r.code, r.err).toBe(0)
  return r.out.toString()
}

function json<T>(r: Run): T {
  return JSON.parse(ok(r)) as T
}

beforeAll(async () => {
  env = await startTestDaemon()
  server = env.daemon.url
  poster = new NodePoster(server)
  const net = { crypto: env.daemon.crypto, ...httpNetworkServices(poster) }
  const alice = await UserContext.signUp(net, 'alice', PASSWORD)
  await UserContext.signUp(net, 'bob', PASSWORD)
  await UserContext.signUp(net, 'carol', PASSWORD)
  await alice.fs.mkdir('/alice/docs/sub', { parents: true })
  await alice.fs.writeFile('/alice/docs/a.txt', new TextEncoder().encode('alpha\n'))
  await alice.fs.writeFile('/alice/docs/sub/b.bin', new Uint8Array(3000).fill(7))
  await alice.close()
  local = await mkdtemp(join(tmpdir(), 'pts-cli-social-'))
}, 300_000)
afterAll(async () => {
  poster?.close()
  await env?.close()
  await rm(local, { recursive: true, force: true })
})

describe('following', () => {
  it('follow, requests, accept --reciprocate, reject, friends', async () => {
    expect(ok(await as('bob', 'follow', 'alice'))).toBe('sent a follow request to alice\n')
    ok(await as('carol', 'follow', 'alice'))
    expect(json(await as('alice', 'requests', '--json'))).toEqual([{ from: 'bob', followBack: true }, { from: 'carol', followBack: true }])
    const [accepted, rejected, none] = await Promise.all([
      as('alice', 'accept', 'bob', '--reciprocate'),
      as('alice', 'reject', 'carol'),
      as('alice', 'accept', 'nobody'),
    ])
    expect(ok(accepted)).toBe('bob now follows you, and you follow them\n')
    expect(ok(rejected)).toBe('rejected the follow request of carol\n')
    expectFailure(none, 1, /no follow request from nobody/)
    expect(ok(await as('alice', 'requests'))).toBe('')
    const [bobs, carols, text] = await Promise.all([as('bob', 'friends', '--json'), as('carol', 'friends', '--json'), as('alice', 'friends')])
    expect(json(bobs)).toEqual({ friends: ['alice'], followers: ['alice'], following: ['alice'], pending: [], blocked: [] })
    expect(json(carols)).toEqual({ friends: [], followers: [], following: [], pending: [], blocked: [] })
    expect(ok(text)).toContain('friends:   bob\n')
  }, 180_000)

  it('verify prints the same safety number on both sides, and --confirm records it', async () => {
    const [a, b] = await Promise.all([as('alice', 'verify', 'bob', '--json'), as('bob', 'verify', 'alice')])
    const number = json<{ safetyNumber: string; verified: boolean; firstSeen: boolean }>(a)
    expect(number).toMatchObject({ verified: false, firstSeen: true })
    expect(ok(b)).toContain(number.safetyNumber.match(/.{5}/g)!.join(' '))
    expect(json(await as('alice', 'verify', 'bob', '--confirm', '--json'))).toMatchObject({ safetyNumber: number.safetyNumber, verified: true, firstSeen: false })
  }, 120_000)
})

describe('sharing', () => {
  it('share, shared-with, get by the reader, unshare', async () => {
    expect(ok(await as('alice', 'share', '/alice/docs', 'bob'))).toBe('shared /alice/docs read-only with bob\n')
    expect(json(await as('alice', 'shared-with', '/alice/docs', '--json'))).toEqual({ path: '/alice/docs', read: ['bob'], write: [], links: [] })
    expect(ok(await as('bob', 'get', '/alice/docs/a.txt', '-'))).toBe('alpha\n')
    expect(ok(await as('alice', 'unshare', '/alice/docs', 'bob'))).toBe('revoked read access to /alice/docs; still shared with: nobody\n')
    expectFailure(await as('bob', 'get', '/alice/docs/a.txt', '-'), 1, /nothing there is shared with you|No cryptree node under this capability|no such file or directory/) // his cached capability finds nothing, so it is not mounted
    const usage = await as('alice', 'unshare', '/alice/docs')
    expectFailure(usage, 2, /name at least one USER, or --friends or --followers/)
  }, 180_000)

  it('mv keeps the sharing record with the item; rm drops it', async () => {
    expect(ok(await as('alice', 'mkdir', '/alice/mv-src'))).toBe('')
    expect(ok(await as('alice', 'share', '/alice/mv-src', 'bob'))).toBe('shared /alice/mv-src read-only with bob\n')
    expect(ok(await as('alice', 'mv', '/alice/mv-src', '/alice/mv-dest'))).toBe('')
    expect(json(await as('alice', 'shared-with', '/alice/mv-dest', '--json'))).toEqual({ path: '/alice/mv-dest', read: ['bob'], write: [], links: [] })
    expect(ok(await as('alice', 'rm', '-r', '/alice/mv-dest'))).toBe('')
    expect(ok(await as('alice', 'mkdir', '/alice/mv-dest'))).toBe('')
    expect(json(await as('alice', 'shared-with', '/alice/mv-dest', '--json'))).toEqual({ path: '/alice/mv-dest', read: [], write: [], links: [] })
  }, 180_000)

  it('share --write: bob puts a file into the folder alice shared for writing', async () => {
    expect(ok(await as('alice', 'mkdir', '/alice/team'))).toBe('')
    expect(ok(await as('alice', 'share', '/alice/team', 'bob', '--write'))).toBe('shared /alice/team with write access with bob\n')
    expect(json(await as('alice', 'shared-with', '/alice/team', '--json'))).toMatchObject({ write: ['bob'] })
    await writeFile(join(local, 'from-bob.txt'), 'written by bob\n')
    const put = await as('bob', 'put', join(local, 'from-bob.txt'), '/alice/team')
    expect(put.code, put.err).toBe(0)
    expect(ok(await as('alice', 'get', '/alice/team/from-bob.txt', '-'))).toBe('written by bob\n')
    // mkdir -p starts from the folder shared with bob (alice's home is not his to write)
    expect(ok(await as('bob', 'mkdir', '-p', '/alice/team/made/by-bob'))).toBe('')
    expect(ok(await as('alice', 'ls', '/alice/team/made'))).toBe('by-bob\n')
  }, 120_000)

  it('unshare --write: the folder moves to a new signing key, bob can no longer put into it', async () => {
    expect(ok(await as('alice', 'unshare', '/alice/team', 'bob', '--write'))).toBe('revoked write access to /alice/team; still writable by: nobody\n')
    expect(json(await as('alice', 'shared-with', '/alice/team', '--json'))).toEqual({ path: '/alice/team', read: [], write: [], links: [] })
    await writeFile(join(local, 'late.txt'), 'too late\n')
    const put = await as('bob', 'put', join(local, 'late.txt'), '/alice/team')
    expect(put.code).toBe(1)
    expect(ok(await as('alice', 'ls', '/alice/team'))).not.toContain('late.txt')
    expect(ok(await as('alice', 'get', '/alice/team/from-bob.txt', '-'))).toBe('written by bob\n')
  }, 120_000)

  it('secret links: a maximum of uses, an extra password, a folder, opened without an account; unlink', async () => {
    const once = json<{ url: string; label: number; maxUses: number }>(await as('alice', 'link', '/alice/docs/a.txt', '--max-uses', '1', '--json'))
    expect(once.url).toMatch(new RegExp(`^${server}/secret/z\\w+/${once.label}#[A-Za-z0-9]{12}$`))
    expect(once.maxUses).toBe(1)
    const anonymous = (...args: string[]): Promise<Run> => cli(args)
    expect(ok(await anonymous('open-link', once.url, '-'))).toBe('alpha\n')
    expectFailure(await anonymous('open-link', once.url, '-'), 1, /Maximum link retrievals exceed!/)

    const guarded = ok(await cli(['link', '/alice/docs', '--password', '--expires', '2099-01-01T00:00:00Z', '--server', server], { PEERGOS_USERNAME: 'alice', PEERGOS_PASSWORD: PASSWORD, PEERGOS_LINK_PASSWORD: 'link secret 1' })).trim()
    expectFailure(await anonymous('open-link', guarded, join(local, 'nope')), 1, /PEERGOS_LINK_PASSWORD/)
    expectFailure(await cli(['open-link', guarded, join(local, 'nope')], { PEERGOS_LINK_PASSWORD: 'wrong one' }), 1, /Incorrect password for this secret link/, ['wrong one'])
    const got = json<{ files: number; item: string }>(await cli(['open-link', guarded, join(local, 'docs'), '--json'], { PEERGOS_LINK_PASSWORD: 'link secret 1' }))
    expect(got).toMatchObject({ files: 2, item: '/alice/docs' })
    const tree = await hashTree(join(local, 'docs'))
    expect([...tree.keys()].sort()).toEqual(['a.txt', join('sub', 'b.bin')])
    expect(sha256(await readFile(join(local, 'docs', 'a.txt')))).toBe(sha256(new TextEncoder().encode('alpha\n')))

    const listed = json<{ links: { url: string; expires?: string; password: boolean }[] }>(await as('alice', 'shared-with', '/alice/docs', '--json'))
    expect(listed.links).toEqual([{ url: guarded, label: expect.any(Number), expires: '2099-01-01T00:00:00.000Z', password: true, writable: false }])
    expect(json(await as('alice', 'unlink', '/alice/docs', guarded, '--json'))).toEqual({ path: '/alice/docs', removed: [Number(guarded.split('/').pop()!.split('#')[0])] })
    expectFailure(await cli(['open-link', guarded, join(local, 'again')], { PEERGOS_LINK_PASSWORD: 'link secret 1' }), 1, /No secret link present!/)
    expectFailure(await as('alice', 'link', '/alice/docs', '--expires', 'tomorrow'), 2, /--expires: not an ISO 8601 date/)
  }, 180_000)

  it('writable links: link --write, put-link without an account, unlink stops it', async () => {
    const made = json<{ url: string; label: number; writable: boolean }>(await as('alice', 'link', '/alice/team', '--write', '--json'))
    expect(made.writable).toBe(true)
    expect(ok(await as('alice', 'shared-with', '/alice/team'))).toContain(`${made.url}  (writable)`)
    await writeFile(join(local, 'via-link.txt'), 'through the link\n')
    const anonymous = (...args: string[]): Promise<Run> => cli(args)
    expect(json(await anonymous('put-link', made.url, join(local, 'via-link.txt'), '--json'))).toMatchObject({ path: '/alice/team/via-link.txt', files: 1 })
    expect(json(await anonymous('put-link', made.url, join(local, 'via-link.txt'), 'renamed.txt', '--json'))).toMatchObject({ path: '/alice/team/renamed.txt' })
    expect(ok(await as('alice', 'get', '/alice/team/via-link.txt', '-'))).toBe('through the link\n')
    expect(ok(await anonymous('open-link', made.url, join(local, 'team-copy')))).toContain('/alice/team')
    const readOnly = ok(await as('alice', 'link', '/alice/team')).trim()
    expectFailure(await anonymous('put-link', readOnly, join(local, 'via-link.txt')), 1, /This secret link is read-only/)
    expect(json(await as('alice', 'unlink', '/alice/team', made.url, '--json'))).toEqual({ path: '/alice/team', removed: [made.label] })
    expectFailure(await anonymous('put-link', made.url, join(local, 'late.txt')), 1, /No secret link present!/)
    expect(ok(await anonymous('open-link', readOnly, join(local, 'team-again')))).toContain('/alice/team')
    // a writable link to a file takes new contents
    const fileLink = ok(await as('alice', 'link', '/alice/team/renamed.txt', '--write')).trim()
    await writeFile(join(local, 'new-contents.txt'), 'replaced through the link\n')
    expect(json(await anonymous('put-link', fileLink, join(local, 'new-contents.txt'), '--json'))).toMatchObject({ path: '/alice/team/renamed.txt', files: 1 })
    expect(ok(await as('alice', 'get', '/alice/team/renamed.txt', '-'))).toBe('replaced through the link\n')
    expectFailure(await anonymous('put-link', fileLink, join(local, 'new-contents.txt'), 'other.txt'), 2, /is a file: put-link URL LOCAL replaces its contents/)
  }, 180_000)

  it('remove-follower reports what was rotated', async () => {
    ok(await as('alice', 'share', '/alice/docs/sub', 'bob'))
    const removed = json<{ removed: string; rotated: string[]; notRevoked: string[] }>(await as('alice', 'remove-follower', 'bob', '--json'))
    expect(removed.rotated).toEqual(expect.arrayContaining(['/alice/docs/sub']))
    expect(removed.notRevoked).toEqual([])
    expect(json(await as('alice', 'friends', '--json'))).toMatchObject({ followers: [], following: ['bob'] })
  }, 120_000)
})
