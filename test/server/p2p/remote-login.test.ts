// Login through any server (reference §7.1, §5.1-§5.2): a user signs up on B with the client library
// over HTTP, then signs in through C with username and password alone; C answers the PKI lookup from
// its mirror and forwards the pointer, block, login and BAT requests to B. Files written through C land
// on B (C keeps no block or pointer of theirs) and read back through either server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserContext } from '../../../src/client/user-context.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from './federation-fixtures.ts'
import type { TestDaemon } from './fixtures.ts'

const PASSWORD = 'a long and unusual federated password'

async function ownerDirBlocks(d: TestDaemon, username: string): Promise<number> {
  let n = 0
  for await (const _ of d.blocks.entries(username)) n++
  return n
}

describe('login through a server that is not the home server', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let name: string

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    name = uniqueName('login')
    const onB = await UserContext.signUp(networkOf(b), name, PASSWORD)
    await onB.close()
  })
  afterAll(async () => {
    await disposeAll(c, b, pki)
  })

  it('signs in through C with username and password alone; files written through C land on B', async () => {
    const viaC = await UserContext.signIn(networkOf(c), name, PASSWORD)
    const data = c.crypto.randomBytes(300_000)
    const path = `/${name}/notes/through-c.bin`
    await viaC.fs.mkdir(`/${name}/notes`)
    await viaC.fs.writeFile(path, data)
    expect(Buffer.from(await viaC.fs.readFileBytes(path))).toEqual(Buffer.from(data))
    await viaC.close()

    const onB = await UserContext.signIn(networkOf(b), name, PASSWORD)
    expect(Buffer.from(await onB.fs.readFileBytes(path))).toEqual(Buffer.from(data))
    await onB.close()
    expect(await ownerDirBlocks(b, name)).toBeGreaterThan(0)
    expect(await ownerDirBlocks(c, name)).toBe(0)
    expect(await c.stores.pointers.get(viaC.identity.publicKeyHash)).toBeUndefined()
    expect(await b.stores.pointers.get(viaC.identity.publicKeyHash)).toBeDefined()
  })

  it('refuses a wrong password through C as B would', async () => {
    await expect(UserContext.signIn(networkOf(c), name, 'not the password at all')).rejects.toThrow(/Incorrect username or password/)
  })
})
