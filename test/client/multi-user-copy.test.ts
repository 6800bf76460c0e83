// Copying shared items, from Peergos' MultiUserTests (reference §10, §6.2, §6.3), on one server and
// across two (alice shares from one home server, bob copies on the other): a folder and a subfolder
// shared for reading copied into the reader's own space (copyDirFromFriend, copySubDirFromFriend); a
// tree written into a folder shared for writing, its missing folders made with mkdir -p from the shared
// folder (copyDirToFriend); the owner copying her own shared file or folder, the copy shared with no
// one (copyToFileSharedWith, copyToDirectorySharedWith); and a friend's file copied under fresh keys,
// so the copy's blocks give away nothing of who shares with whom (safeCopyOfFriendsReadAccess,
// safeCopyOfFriendsWriteAccess).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
// megabytes are compared with equalBytes: the matcher's element-by-element walk takes minutes on them
import { equalBytes } from '../../src/codec/cid.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { befriend, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

const NOTHING = { read: [], write: [], links: [] }

/** Deterministic bytes of a given size. */
function bytesOf(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size)
  for (let i = 0; i < size; i++) out[i] = (i * 31 + seed) & 0xff
  return out
}

const names = async (u: UserContext, path: string): Promise<string[]> => (await u.fs.list(path)).map((e) => e.name)

describe.each(SETUPS)('copying shared items ($name)', (setup) => {
  let w: World
  let alice: UserContext
  let bob: UserContext
  let home: string
  let bobHome: string

  beforeAll(async () => {
    w = await setup.start()
    alice = await w.user('alice', 0)
    bob = await w.user('bob', 1)
    home = `/${alice.username}`
    bobHome = `/${bob.username}`
    await befriend(alice, bob)
  }, 300_000)
  afterAll(async () => {
    await w?.close()
  })

  it('copyDirFromFriend and copySubDirFromFriend: a read-only folder and a subfolder of it copied into my home', async () => {
    await alice.fs.mkdir(`${home}/folder/subdir`, { parents: true })
    await alice.fs.writeFile(`${home}/folder/Afile.txt`, text('Some text'))
    await alice.fs.writeFile(`${home}/folder/subdir/file.txt`, text('deeper text'))
    await s(alice).shareReadAccessWith(`${home}/folder`, [bob.username])
    await s(bob).refreshShared()
    expect((await bob.fs.stat(`${home}/folder`)).isDirectory).toBe(true)
    expect((await bob.fs.capabilityOf(`${home}/folder`)).wBaseKey).toBeUndefined() // read only

    await bob.fs.copy(`${home}/folder`, bobHome)
    expect(await names(bob, `${bobHome}/folder`)).toEqual(['Afile.txt', 'subdir'])
    expect(str(await bob.fs.readFileBytes(`${bobHome}/folder/Afile.txt`))).toBe('Some text')
    expect(str(await bob.fs.readFileBytes(`${bobHome}/folder/subdir/file.txt`))).toBe('deeper text')
    // the copy is bob's: he writes into it
    await bob.fs.writeFile(`${bobHome}/folder/mine.txt`, text('mine'))

    // a child of the shared folder, reached by listing it, copied on its own
    const [sub] = (await bob.fs.list(`${home}/folder`)).filter((e) => e.isDirectory)
    expect((await bob.fs.capabilityOf(sub.path)).wBaseKey).toBeUndefined()
    await bob.fs.copy(sub.path, bobHome)
    expect(await names(bob, `${bobHome}/subdir`)).toEqual(['file.txt'])
    expect(str(await bob.fs.readFileBytes(`${bobHome}/subdir/file.txt`))).toBe('deeper text')
    // alice's folder is as it was
    expect(await names(alice, `${home}/folder`)).toEqual(['Afile.txt', 'subdir'])
  }, 240_000)

  it('copyDirToFriend: the writer makes missing folders with mkdir -p inside the shared folder and copies a tree there', async () => {
    const dir = `${home}/dropbox`
    await alice.fs.mkdir(dir)
    await s(alice).shareWriteAccessWith(dir, [bob.username])
    await s(bob).refreshShared()
    expect((await bob.fs.capabilityOf(dir)).wBaseKey).toBeDefined()

    const homeBefore = await names(alice, home)
    // mkdir -p starts from the folder shared with bob, not from alice's home (which he cannot write)
    await bob.fs.mkdir(`${dir}/subdir/nested`, { parents: true })
    await bob.fs.mkdir(`${dir}/subdir/nested`, { parents: true }) // existing: no error
    const big = bytesOf(5 * 1024 * 1024 + 4096, 7) // two chunks
    await bob.fs.writeFile(`${dir}/subdir/afile.txt`, big)
    await bob.fs.writeFile(`${dir}/subdir/nested/afile.txt`, text('small'))
    // and a folder of his own copied in
    await bob.fs.mkdir(`${bobHome}/tree/inner`, { parents: true })
    await bob.fs.writeFile(`${bobHome}/tree/inner/leaf.txt`, text('leaf'))
    await bob.fs.copy(`${bobHome}/tree`, `${dir}/subdir`)

    expect(await names(alice, dir)).toEqual(['subdir'])
    expect(await names(alice, `${dir}/subdir`)).toEqual(['afile.txt', 'nested', 'tree'])
    expect(equalBytes(await alice.fs.readFileBytes(`${dir}/subdir/afile.txt`), big)).toBe(true)
    expect(str(await alice.fs.readFileBytes(`${dir}/subdir/nested/afile.txt`))).toBe('small')
    expect(str(await alice.fs.readFileBytes(`${dir}/subdir/tree/inner/leaf.txt`))).toBe('leaf')
    // nothing was made in alice's home outside the shared folder
    expect(await names(alice, home)).toEqual(homeBefore)
  }, 240_000)

  for (const access of ['read', 'write'] as const) {
    it(`copyToFileSharedWith and copyToDirectorySharedWith (${access}): the original keeps its shares, the copy has none`, async () => {
      const share = (p: string): Promise<void> => (access === 'read' ? s(alice).shareReadAccessWith(p, [bob.username]) : s(alice).shareWriteAccessWith(p, [bob.username]))
      const base = `${home}/copy-${access}`
      await alice.fs.mkdir(`${base}/subdir/inner`, { parents: true })
      await alice.fs.mkdir(`${base}/destdir`)
      await alice.fs.writeFile(`${base}/subdir/somefile.txt`, text('Hello Peergos friend!'))
      await alice.fs.mkdir(`${base}/shareddir`)
      await alice.fs.writeFile(`${base}/shareddir/in.txt`, text('in'))
      await share(`${base}/subdir/somefile.txt`)
      await share(`${base}/shareddir`)
      expect((await s(alice).sharedWith(`${base}/subdir/somefile.txt`))[access]).toEqual([bob.username])

      await alice.fs.copy(`${base}/subdir/somefile.txt`, `${base}/destdir`)
      await alice.fs.copy(`${base}/shareddir`, `${base}/destdir`)
      expect((await s(alice).sharedWith(`${base}/subdir/somefile.txt`))[access]).toEqual([bob.username])
      expect((await s(alice).sharedWith(`${base}/shareddir`))[access]).toEqual([bob.username])
      expect(await s(alice).sharedWith(`${base}/destdir/somefile.txt`)).toEqual(NOTHING)
      expect(await s(alice).sharedWith(`${base}/destdir/shareddir`)).toEqual(NOTHING)
      expect(str(await alice.fs.readFileBytes(`${base}/destdir/somefile.txt`))).toBe('Hello Peergos friend!')
      expect(str(await alice.fs.readFileBytes(`${base}/destdir/shareddir/in.txt`))).toBe('in')
      // the copies are under keys of their own
      expect((await alice.fs.capabilityOf(`${base}/destdir/somefile.txt`)).rBaseKey.key).not.toEqual((await alice.fs.capabilityOf(`${base}/subdir/somefile.txt`)).rBaseKey.key)
    }, 240_000)
  }

  for (const access of ['read', 'write'] as const) {
    it(`safeCopyOfFriends${access === 'read' ? 'Read' : 'Write'}Access: a friend's file copied into my space is re-encrypted under new keys`, async () => {
      const name = `safe-${access}.bin`
      const data = bytesOf(access === 'read' ? 5 * 1024 * 1024 + 1000 : 64 * 1024, access === 'read' ? 1 : 2)
      await alice.fs.writeFile(`${home}/${name}`, data)
      if (access === 'read') await s(alice).shareReadAccessWith(`${home}/${name}`, [bob.username])
      else await s(alice).shareWriteAccessWith(`${home}/${name}`, [bob.username])
      await s(bob).refreshShared()
      expect(equalBytes(await bob.fs.readFileBytes(`${home}/${name}`), data)).toBe(true)

      await bob.fs.mkdir(`${bobHome}/adir-${access}`)
      await bob.fs.copy(`${home}/${name}`, `${bobHome}/adir-${access}`)
      const copyPath = `${bobHome}/adir-${access}/${name}`
      expect(equalBytes(await bob.fs.readFileBytes(copyPath), data)).toBe(true)
      const original = await alice.fs.capabilityOf(`${home}/${name}`)
      const copy = await bob.fs.capabilityOf(copyPath)
      expect(copy.owner.equals(bob.identity.publicKeyHash)).toBe(true)
      expect(copy.rBaseKey.key).not.toEqual(original.rBaseKey.key) // base key, the metadata key in Peergos
      expect(copy.mapKey).not.toEqual(original.mapKey)
      const dataKey = async (u: UserContext, cap: typeof copy): Promise<Uint8Array> => (await u.reader.snapshot().readChunk(cap, undefined, false))!.view.dataKey!.key
      expect(await dataKey(bob, copy)).not.toEqual(await dataKey(alice, original))
    }, 240_000)
  }
})
