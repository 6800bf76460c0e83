// `peergos-ts migrate` (the real bin/peergos-ts.js in a child process) between two daemons on
// loopback: B the PKI node and first home, C a mirror of it. One user moves with --server C (as
// Peergos' migrate), another with --server B --to <C's peer id> (through B's /p2p/ proxy). Both keep
// their identity and files, the PKI names C, their files list through C with the CLI, and a second
// move to the same server fails with one line on stderr.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserContext } from '../../src/client/user-context.ts'
import { cidToString } from '../../src/codec/cid.ts'
import { chainHomeServer } from '../../src/model/user-public-key-link.ts'
import { uniqueName } from '../server/services/storage-fixtures.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from '../server/p2p/federation-fixtures.ts'
import { servicesVia, type TestDaemon } from '../server/p2p/fixtures.ts'
import { cli, expectFailure } from './cli-env.ts'

const PASSWORD = 'a password for a moving account'

describe('peergos-ts migrate', () => {
  let b: TestDaemon
  let c: TestDaemon
  const users: string[] = []

  beforeAll(async () => {
    b = await startPkiNode()
    c = await startMirror(b)
    for (const prefix of ['climove', 'clito']) {
      const name = uniqueName(prefix)
      const ctx = await UserContext.signUp(networkOf(b), name, PASSWORD)
      await ctx.fs.writeFile(`/${name}/notes.txt`, new TextEncoder().encode(`the notes of ${name}`))
      await ctx.close()
      users.push(name)
    }
  }, 120_000)
  afterAll(async () => {
    await disposeAll(c, b)
  })

  const homeOf = async (name: string): Promise<string> => cidToString(chainHomeServer(await servicesVia(b).coreNode.getChain(name))!)
  const env = { PEERGOS_PASSWORD: PASSWORD }

  it('moves a user to --server, keeping identity and files', async () => {
    const [name] = users
    const before = await servicesVia(b).coreNode.getChain(name)
    expect(await homeOf(name)).toBe(cidToString(b.identity.id))
    const r = await cli(['migrate', '--server', c.url, '--username', name], env)
    expect(r.code, r.err).toBe(0)
    expect(r.out.toString()).toBe(`migrated ${name} to the server ${c.identity.peerIdString}\n`)
    expect(await homeOf(name)).toBe(cidToString(c.identity.id))
    const after = await servicesVia(c).coreNode.getChain(name)
    expect(after[after.length - 1].owner.equals(before[before.length - 1].owner)).toBe(true)
    const ls = await cli(['ls', `/${name}`, '--server', c.url], env)
    expect(ls.code, ls.err).toBe(0)
    expect(ls.out.toString()).toContain('notes.txt')
    const get = await cli(['get', `/${name}/notes.txt`, '-', '--server', c.url], env)
    expect(get.out.toString()).toBe(`the notes of ${name}`)
  }, 120_000)

  it('moves a user to the server --to names, through --server\'s proxy (--json)', async () => {
    const name = users[1]
    const r = await cli(['migrate', '--server', b.url, '--username', name, '--to', c.identity.peerIdString, '--json'], env)
    expect(r.code, r.err).toBe(0)
    expect(JSON.parse(r.out.toString())).toEqual({ username: name, home: c.identity.peerIdString })
    expect(await homeOf(name)).toBe(cidToString(c.identity.id))
    const viaC = await UserContext.signIn(networkOf(c), name, PASSWORD)
    expect(new TextDecoder().decode(await viaC.fs.readFileBytes(`/${name}/notes.txt`))).toBe(`the notes of ${name}`)
    await viaC.close()
  }, 120_000)

  it('fails with one line when the user already lives there, or --to is not a peer id', async () => {
    expectFailure(await cli(['migrate', '--server', c.url, '--username', users[0]], env), 1, /migrate a user to their current server/, [PASSWORD])
    expectFailure(await cli(['migrate', '--server', b.url, '--username', users[0], '--to', 'not-a-peer'], env), 2, /--to: not a peer id: not-a-peer/)
  }, 120_000)

  it('is listed in the help', async () => {
    const r = await cli(['migrate', '--help'])
    expect(r.code).toBe(0)
    expect(r.out.toString()).toContain('Usage: peergos-ts migrate --username NAME [--to PEER-ID]')
    expect((await cli(['help'])).out.toString()).toMatch(/\n {2}migrate +move your account to another home server/)
  }, 120_000)
})
