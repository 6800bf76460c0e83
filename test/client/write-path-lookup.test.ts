// A write's path is walked through the version its writer session just committed (file-system.ts
// recentStep: cached blocks and decoded chunks instead of the tree reader's whole child lists), and
// falls back to the tree reader whenever that version does not settle a step. Against a real daemon:
// writes into nested folders, a path component that is a file, a folder removed and replaced by a
// file through another sign-in, and a missing folder, each with the same outcome as the tree reader's.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { PeergosError } from '../../src/errors.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

const PASSWORD = 'a long and unusual password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

let env: TestDaemon
let user: UserContext

beforeAll(async () => {
  env = await startTestDaemon()
  user = await UserContext.signUp(env.net, 'walker', PASSWORD)
}, 120_000)
afterAll(async () => {
  await user?.close()
  await env?.close()
})

describe('write paths walked through the just-committed version', () => {
  it('writes and makes folders at every depth, read back by a fresh sign-in', async () => {
    await user.fs.mkdir('/walker/a/b/c', { parents: true })
    for (let i = 0; i < 5; i++) {
      await user.fs.writeFile(`/walker/a/f${i}`, text(`a${i}`))
      await user.fs.writeFile(`/walker/a/b/c/f${i}`, text(`c${i}`))
      await user.fs.mkdir(`/walker/a/b/d${i}`)
    }
    const other = await UserContext.signIn(env.net, 'walker', PASSWORD)
    try {
      expect((await other.fs.list('/walker/a/b/c')).map((e) => e.name).sort()).toEqual(['f0', 'f1', 'f2', 'f3', 'f4'])
      expect((await other.fs.list('/walker/a/b')).map((e) => e.name).sort()).toEqual(['c', 'd0', 'd1', 'd2', 'd3', 'd4'])
      expect(str(await other.fs.readFileBytes('/walker/a/b/c/f3'))).toBe('c3')
    } finally {
      await other.close()
    }
  }, 60_000)

  it('refuses a path through a file or a missing folder, as the tree reader does', async () => {
    await user.fs.writeFile('/walker/plain', text('x'))
    await expect(user.fs.writeFile('/walker/plain/inside', text('y'))).rejects.toThrow(PeergosError)
    await expect(user.fs.mkdir('/walker/plain/sub')).rejects.toThrow(PeergosError)
    await expect(user.fs.writeFile('/walker/missing/inside', text('y'))).rejects.toThrow(NotFoundError)
    expect(str(await user.fs.readFileBytes('/walker/plain'))).toBe('x')
  }, 60_000)

  it('sees a folder replaced by a file through another sign-in, and never writes into the old one', async () => {
    await user.fs.mkdir('/walker/swap')
    await user.fs.writeFile('/walker/swap/one', text('1'))
    const other = await UserContext.signIn(env.net, 'walker', PASSWORD)
    try {
      await other.fs.remove('/walker/swap')
      await other.fs.writeFile('/walker/swap', text('now a file'))
    } finally {
      await other.close()
    }
    await expect(user.fs.writeFile('/walker/swap/two', text('2'))).rejects.toThrow(PeergosError)
    const fresh = await UserContext.signIn(env.net, 'walker', PASSWORD)
    try {
      expect(str(await fresh.fs.readFileBytes('/walker/swap'))).toBe('now a file')
    } finally {
      await fresh.close()
    }
  }, 60_000)
})
