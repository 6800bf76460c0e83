// What a grantee does and sees, from Peergos' MultiUserTests (reference §10, §6.2, §6.3), on one server
// and across two (alice shares from one home server; bob and carol on the other): a file shared for
// writing rewritten and shortened by the owner and by its writer, everyone it is shared with seeing
// the result (sharedWriteableAndTruncate); and items renamed by their owner, which those they are shared
// with then find under the new name, as Peergos names shared items from their properties (its rename
// of a write-shared item renames the linked item too, "otherwise old name will leak").
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { aliceAndFriends, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

function bytesOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 131 + seed * 17) & 0xff
  return out
}

describe.each(SETUPS)('what grantees do and see ($name)', (setup) => {
  let w: World
  let alice: UserContext
  let bob: UserContext
  let carol: UserContext
  let home: string

  beforeAll(async () => {
    ;({ w, alice, home, friends: [bob, carol] } = await aliceAndFriends(setup, ['bob', 'carol']))
  }, 300_000)
  afterAll(async () => {
    await w?.close()
  })

  it('sharedWriteableAndTruncate: owner and writer replace and shorten a write-shared file; owner and reader see each version', async () => {
    const path = `${home}/afolder/somefile.txt`
    await alice.fs.mkdir(`${home}/afolder`)
    const original = bytesOf(409, 1)
    await alice.fs.writeFile(path, original)
    expect((await alice.fs.stat(path)).size).toBe(409)
    await s(alice).shareWriteAccessWith(path, [bob.username])
    await s(alice).shareReadAccessWith(path, [carol.username])

    // the owner replaces it with something shorter
    const updated = bytesOf(255, 2)
    await alice.fs.writeFile(path, updated)
    expect((await alice.fs.stat(path)).size).toBe(255)
    await s(bob).refreshShared()
    expect(await bob.fs.readFileBytes(path)).toEqual(updated)

    // the writer overwrites it from the start
    const modified = bytesOf(255, 3)
    await bob.fs.writeFile(path, modified)
    expect(await bob.fs.readFileBytes(path)).toEqual(modified)
    expect(await alice.fs.readFileBytes(path)).toEqual(modified)

    // the writer truncates it; the owner and the reader see the shorter file
    await bob.fs.truncate(path, 100)
    expect((await bob.fs.stat(path)).size).toBe(100)
    expect((await alice.fs.stat(path)).size).toBe(100)
    expect(await alice.fs.readFileBytes(path)).toEqual(modified.subarray(0, 100))
    await s(carol).refreshShared()
    expect(await carol.fs.readFileBytes(path)).toEqual(modified.subarray(0, 100))
    // and the owner truncates it to nothing
    await alice.fs.truncate(path, 0)
    expect((await bob.fs.stat(path)).size).toBe(0)
    expect(await carol.fs.readFileBytes(path)).toEqual(new Uint8Array(0))
    // nothing beside the file is the writer's to change
    await expect(bob.fs.writeFile(`${home}/afolder/beside.txt`, text('no'))).rejects.toThrow()
    expect((await alice.fs.list(`${home}/afolder`)).map((e) => e.name)).toEqual(['somefile.txt'])
  }, 240_000)

  it('a renamed item reaches its grantees under its new name: files and folders, shared for reading and for writing', async () => {
    await alice.fs.mkdir(`${home}/pics`)
    await alice.fs.writeFile(`${home}/pics/old.txt`, text('read me'))
    await alice.fs.writeFile(`${home}/pics/draft.txt`, text('edit me'))
    await alice.fs.mkdir(`${home}/olddir`)
    await alice.fs.writeFile(`${home}/olddir/in.txt`, text('inside'))
    await alice.fs.mkdir(`${home}/wdir`)
    await s(alice).shareReadAccessWith(`${home}/pics/old.txt`, [bob.username])
    await s(alice).shareWriteAccessWith(`${home}/pics/draft.txt`, [bob.username])
    await s(alice).shareReadAccessWith(`${home}/olddir`, [bob.username])
    await s(alice).shareWriteAccessWith(`${home}/wdir`, [bob.username])
    await s(bob).refreshShared()
    expect(str(await bob.fs.readFileBytes(`${home}/pics/draft.txt`))).toBe('edit me')

    const renames: [string, string][] = [
      [`${home}/pics/old.txt`, `${home}/pics/new.txt`],
      [`${home}/pics/draft.txt`, `${home}/pics/final.txt`],
      [`${home}/olddir`, `${home}/newdir`],
      [`${home}/wdir`, `${home}/team`],
    ]
    for (const [from, to] of renames) expect(await s(alice).move(from, to)).toBe(to)
    // the write-shared items' own nodes carry the new names too
    for (const [, to] of renames) expect((await alice.reader.snapshot().stat(await alice.fs.capabilityOf(to))).properties.name).toBe(to.slice(to.lastIndexOf('/') + 1))

    const items = (await s(bob).refreshShared()).map((i) => i.path)
    for (const [from, to] of renames) {
      expect(items).toContain(to)
      expect(items).not.toContain(from)
      await expect(bob.fs.stat(from)).rejects.toThrow(NotFoundError)
    }
    expect(str(await bob.fs.readFileBytes(`${home}/pics/new.txt`))).toBe('read me')
    expect((await bob.fs.list(`${home}/newdir`)).map((e) => e.name)).toEqual(['in.txt'])
    // writing goes on under the new names
    await bob.fs.writeFile(`${home}/pics/final.txt`, text('edited by bob'))
    await bob.fs.writeFile(`${home}/team/by-bob.txt`, text('hi'))
    expect(str(await alice.fs.readFileBytes(`${home}/pics/final.txt`))).toBe('edited by bob')
    expect((await alice.fs.list(`${home}/team`)).map((e) => e.name)).toEqual(['by-bob.txt'])
    // a new session of bob finds them there too
    const bob2 = await w.signIn(bob, 1)
    const again = (await s(bob2).mountShared()).map((i) => i.path)
    for (const [, to] of renames) expect(again).toContain(to)
    expect(str(await bob2.fs.readFileBytes(`${home}/newdir/in.txt`))).toBe('inside')
  }, 240_000)
})
