// What happens to shared items, from Peergos' MultiUserTests (reference §10, §1.4, §6.2, §6.3), on one
// server and across two (alice on one home server; bob, carol and anonymous link openers on the other):
// rename and move of shared files and folders (renamedFileSharedWith, renamedDirectorySharedWith,
// moveToFileSharedWith, moveToDirectorySharedWith, moveFileToDifferentWriter) and deletion
// (deleteFileSharedWith..., the records and links go, readers find nothing); writing into a folder
// shared for writing (shareFolderForWriteAccess, grantAndRevoke...WriteAccess's grant half,
// groupReadIndividualWrite, a write-shared file); secret links with a password, a maximum of uses and an
// expiry, and links that follow a rename and die with a deletion.
// Not here (another suite's): revoking write access, and writable secret links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NotFoundError } from '../../src/client/errors.ts'
import { LinkPasswordRequiredError, WrongLinkPasswordError } from '../../src/client/social/errors.ts'
import { openSecretLink } from '../../src/client/social/open-secret-link.ts'
import type { UserContext } from '../../src/client/user-context.ts'
import { SecretLinkUnavailableError } from '../../src/services/errors.ts'
import { aliceAndFriends, s, SETUPS, str, text, type World } from './multi-user-fixture.ts'

const NOTHING = { read: [], write: [], links: [] }

describe.each(SETUPS)('shared items ($name)', (setup) => {
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

  describe('rename, move and delete', () => {
    it('renamedFileSharedWith: the records follow the new name; the reader keeps reading; a later reader finds it at the new path', async () => {
      await alice.fs.mkdir(`${home}/subdir`)
      await alice.fs.writeFile(`${home}/subdir/somefile.txt`, text('Hello friend!'))
      await s(alice).shareReadAccessWith(`${home}/subdir/somefile.txt`, [bob.username])
      await s(bob).refreshShared()
      expect(str(await bob.fs.readFileBytes(`${home}/subdir/somefile.txt`))).toBe('Hello friend!')

      expect(await s(alice).move(`${home}/subdir/somefile.txt`, `${home}/subdir/newfilename.txt`)).toBe(`${home}/subdir/newfilename.txt`)
      expect(await s(alice).sharedWith(`${home}/subdir/newfilename.txt`)).toEqual({ read: [bob.username], write: [], links: [] })
      expect(await s(alice).sharedWith(`${home}/subdir/somefile.txt`)).toEqual(NOTHING)
      // the keys did not change: what bob holds still opens the file, and it says its new name
      const cap = await bob.fs.capabilityOf(`${home}/subdir/somefile.txt`)
      expect((await bob.reader.snapshot().stat(cap)).properties.name).toBe('newfilename.txt')
      // shared with carol after the rename: she finds it at the new path
      await s(alice).shareReadAccessWith(`${home}/subdir/newfilename.txt`, [carol.username])
      await s(carol).refreshShared()
      expect(str(await carol.fs.readFileBytes(`${home}/subdir/newfilename.txt`))).toBe('Hello friend!')
    }, 240_000)

    it('renamedDirectorySharedWith: a shared folder renamed, and a child renamed inside it as its reader sees it', async () => {
      await alice.fs.mkdir(`${home}/olddir`)
      await alice.fs.writeFile(`${home}/olddir/child.txt`, text('child'))
      await s(alice).shareReadAccessWith(`${home}/olddir`, [bob.username])
      await s(alice).shareReadAccessWith(`${home}/olddir/child.txt`, [carol.username])
      await s(bob).refreshShared()
      await s(alice).move(`${home}/olddir`, `${home}/newDir`)
      expect((await s(alice).sharedWith(`${home}/newDir`)).read).toEqual([bob.username])
      expect((await s(alice).sharedWith(`${home}/newDir/child.txt`)).read).toEqual([carol.username]) // records below move too
      expect(await s(alice).sharedWith(`${home}/olddir`)).toEqual(NOTHING)
      // a rename inside the shared folder shows in the reader's listing at once
      await s(alice).move(`${home}/newDir/child.txt`, `${home}/newDir/renamed.txt`)
      expect((await s(alice).sharedWith(`${home}/newDir/renamed.txt`)).read).toEqual([carol.username])
      expect((await bob.fs.list(`${home}/olddir`)).map((e) => e.name)).toEqual(['renamed.txt'])
      expect(str(await bob.fs.readFileBytes(`${home}/olddir/renamed.txt`))).toBe('child')
    }, 240_000)

    it('moveToFileSharedWith and moveToDirectorySharedWith: records move, readers and links keep access', async () => {
      await alice.fs.mkdir(`${home}/from`)
      await alice.fs.mkdir(`${home}/destdir`)
      await alice.fs.writeFile(`${home}/from/moving.txt`, text('moving'))
      await alice.fs.mkdir(`${home}/from/movingdir`)
      await alice.fs.writeFile(`${home}/from/movingdir/in.txt`, text('in'))
      await s(alice).shareReadAccessWith(`${home}/from/moving.txt`, [bob.username])
      await s(alice).shareReadAccessWith(`${home}/from/movingdir`, [bob.username])
      const link = await s(alice).createSecretLink(`${home}/from/moving.txt`)
      await s(bob).refreshShared()

      expect(await s(alice).move(`${home}/from/moving.txt`, `${home}/destdir`)).toBe(`${home}/destdir/moving.txt`)
      expect(await s(alice).move(`${home}/from/movingdir`, `${home}/destdir`)).toBe(`${home}/destdir/movingdir`)
      expect(await s(alice).sharedWith(`${home}/from/moving.txt`)).toEqual(NOTHING)
      expect(await s(alice).sharedWith(`${home}/from/movingdir`)).toEqual(NOTHING)
      const moved = await s(alice).sharedWith(`${home}/destdir/moving.txt`)
      expect([moved.read, moved.links.map((l) => l.label)]).toEqual([[bob.username], [link.label]])
      expect((await s(alice).sharedWith(`${home}/destdir/movingdir`)).read).toEqual([bob.username])
      // bob's capabilities still open them; the link still opens the file, now at its new path
      expect(str(await bob.fs.readFileBytes(`${home}/from/moving.txt`))).toBe('moving')
      expect(str(await bob.fs.readFileBytes(`${home}/from/movingdir/in.txt`))).toBe('in')
      const opened = await openSecretLink(w.anonymous(1), s(alice).secretLinkUrl(w.url(0), link))
      expect([opened.path, str(await opened.readFileBytes())]).toEqual([`${home}/destdir/moving.txt`, 'moving'])
    }, 240_000)

    it('moveFileToDifferentWriter: into a folder with its own writing space the item is copied under new keys, shared with no one', async () => {
      await alice.fs.mkdir(`${home}/writable-dest`)
      await s(alice).shareWriteAccessWith(`${home}/writable-dest`, [carol.username]) // gives it its own writing space
      await alice.fs.writeFile(`${home}/tomove.txt`, text('to move'))
      await s(alice).shareReadAccessWith(`${home}/tomove.txt`, [bob.username])
      const link = await s(alice).createSecretLink(`${home}/tomove.txt`)
      await s(bob).refreshShared()
      const bobsCap = await bob.fs.capabilityOf(`${home}/tomove.txt`)

      expect(await s(alice).move(`${home}/tomove.txt`, `${home}/writable-dest`)).toBe(`${home}/writable-dest/tomove.txt`)
      expect(await s(alice).sharedWith(`${home}/tomove.txt`)).toEqual(NOTHING)
      expect(await s(alice).sharedWith(`${home}/writable-dest/tomove.txt`)).toEqual(NOTHING)
      expect(str(await alice.fs.readFileBytes(`${home}/writable-dest/tomove.txt`))).toBe('to move')
      expect(await bob.reader.snapshot().readChunk(bobsCap)).toBeUndefined()
      await expect(openSecretLink(w.anonymous(1), s(alice).secretLinkUrl(w.url(0), link))).rejects.toThrow(new SecretLinkUnavailableError('No secret link present!'))
      // carol, who may write the destination, sees it there
      await s(carol).refreshShared()
      expect(str(await carol.fs.readFileBytes(`${home}/writable-dest/tomove.txt`))).toBe('to move')
    }, 240_000)

    it('deleting shared items: records and links go; readers find nothing, inside a shared folder too', async () => {
      await alice.fs.mkdir(`${home}/doomed/sub`, { parents: true })
      await alice.fs.writeFile(`${home}/doomed/sub/deep.txt`, text('deep'))
      await alice.fs.writeFile(`${home}/doomed/gone.txt`, text('gone'))
      await alice.fs.writeFile(`${home}/doomed/stays.txt`, text('stays'))
      await s(alice).shareReadAccessWith(`${home}/doomed`, [bob.username])
      await s(alice).shareReadAccessWith(`${home}/doomed/sub/deep.txt`, [carol.username])
      const deepLink = await s(alice).createSecretLink(`${home}/doomed/sub/deep.txt`, { maxRetrievals: 5 })
      await s(bob).refreshShared()
      await s(carol).refreshShared()
      expect(str(await carol.fs.readFileBytes(`${home}/doomed/sub/deep.txt`))).toBe('deep')

      // a file deleted inside the shared folder leaves bob's listing
      await s(alice).remove(`${home}/doomed/gone.txt`)
      expect((await bob.fs.list(`${home}/doomed`)).map((e) => e.name)).toEqual(['stays.txt', 'sub'])
      await expect(bob.fs.readFileBytes(`${home}/doomed/gone.txt`)).rejects.toThrow(NotFoundError)
      // the folder deleted: every record below goes, the link of a descendant is revoked
      await s(alice).remove(`${home}/doomed`)
      expect(await alice.fs.exists(`${home}/doomed`)).toBe(false)
      expect(await s(alice).sharedWith(`${home}/doomed`)).toEqual(NOTHING)
      expect(await s(alice).sharedWith(`${home}/doomed/sub/deep.txt`)).toEqual(NOTHING)
      expect(await alice.fs.exists(`${home}/.capabilitycache/outbound/${alice.username}/doomed`)).toBe(false)
      await expect(openSecretLink(w.anonymous(1), s(alice).secretLinkUrl(w.url(0), deepLink))).rejects.toThrow(new SecretLinkUnavailableError('No secret link present!'))
      for (const [u, p] of [[bob, `${home}/doomed/stays.txt`], [carol, `${home}/doomed/sub/deep.txt`]] as const) {
        await s(u).refreshShared()
        await expect(u.fs.readFileBytes(p)).rejects.toThrow(NotFoundError)
      }
    }, 240_000)
  })

  describe('writing into shared items', () => {
    it('shareFolderForWriteAccess: the writer adds, changes and deletes; the owner and a reader of the folder see it', async () => {
      const dir = `${home}/team`
      await alice.fs.mkdir(dir)
      await alice.fs.writeFile(`${dir}/plan.txt`, text('plan v1'))
      await s(alice).shareWriteAccessWith(dir, [bob.username])
      await s(alice).shareReadAccessWith(dir, [carol.username])
      expect(await s(alice).sharedWith(dir)).toEqual({ read: [carol.username], write: [bob.username], links: [] })

      await s(bob).refreshShared()
      await bob.fs.writeFile(`${dir}/from-bob.txt`, text('hello alice'))
      await bob.fs.mkdir(`${dir}/bobs`)
      await bob.fs.mkdir(`${dir}/bobs/inner`)
      await bob.fs.writeFile(`${dir}/bobs/inner/deep.txt`, text('deep'))
      await bob.fs.writeFile(`${dir}/plan.txt`, text('plan v2, by bob'))
      await bob.fs.remove(`${dir}/bobs/inner/deep.txt`)
      expect((await alice.fs.list(dir)).map((e) => e.name)).toEqual(['bobs', 'from-bob.txt', 'plan.txt'])
      expect(str(await alice.fs.readFileBytes(`${dir}/plan.txt`))).toBe('plan v2, by bob')
      expect((await alice.fs.list(`${dir}/bobs/inner`))).toEqual([])
      await s(carol).refreshShared()
      expect(str(await carol.fs.readFileBytes(`${dir}/from-bob.txt`))).toBe('hello alice')
      await expect(carol.fs.writeFile(`${dir}/from-carol.txt`, text('no'))).rejects.toThrow()
      // nothing else of alice's is writable for bob
      await expect(bob.fs.writeFile(`${home}/intruder.txt`, text('no'))).rejects.toThrow()
      expect(await alice.fs.exists(`${home}/intruder.txt`)).toBe(false)
      // alice keeps writing there too, and bob sees it
      await alice.fs.writeFile(`${dir}/from-alice.txt`, text('hi bob'))
      expect(str(await bob.fs.readFileBytes(`${dir}/from-alice.txt`))).toBe('hi bob')
    }, 240_000)

    it('a file shared for writing: the grantee reads it with a writable capability and writes nothing beside it', async () => {
      await alice.fs.mkdir(`${home}/docs`)
      await alice.fs.writeFile(`${home}/docs/editable.txt`, text('draft'))
      await s(alice).shareWriteAccessWith(`${home}/docs/editable.txt`, [carol.username])
      await s(carol).refreshShared()
      expect(str(await carol.fs.readFileBytes(`${home}/docs/editable.txt`))).toBe('draft')
      expect((await carol.fs.capabilityOf(`${home}/docs/editable.txt`)).wBaseKey).toBeDefined()
      await expect(carol.fs.writeFile(`${home}/docs/beside.txt`, text('no'))).rejects.toThrow()
      expect((await alice.fs.list(`${home}/docs`)).map((e) => e.name)).toEqual(['editable.txt'])
      // the owner renames it: the writer's record follows
      await s(alice).move(`${home}/docs/editable.txt`, `${home}/docs/final.txt`)
      expect((await s(alice).sharedWith(`${home}/docs/final.txt`)).write).toEqual([carol.username])
    }, 240_000)

    it('groupReadIndividualWrite: friends read a folder, one friend also writes it', async () => {
      const dir = `${home}/club`
      await alice.fs.mkdir(dir)
      await s(alice).shareReadAccessWithFriends(dir)
      await s(alice).shareWriteAccessWith(dir, [bob.username])
      await s(bob).refreshShared()
      await s(carol).refreshShared()
      await bob.fs.writeFile(`${dir}/minutes.txt`, text('by bob'))
      expect(str(await carol.fs.readFileBytes(`${dir}/minutes.txt`))).toBe('by bob')
      await expect(carol.fs.writeFile(`${dir}/by-carol.txt`, text('no'))).rejects.toThrow()
      expect((await alice.fs.list(dir)).map((e) => e.name)).toEqual(['minutes.txt'])
    }, 240_000)
  })

  describe('secret links', () => {
    it('a password, a maximum of uses and an expiry, enforced for a client without an account on either server', async () => {
      await alice.fs.mkdir(`${home}/links`)
      await alice.fs.writeFile(`${home}/links/file.txt`, text('linked'))
      const guarded = await s(alice).createSecretLink(`${home}/links/file.txt`, { userPassword: 'open sesame', maxRetrievals: 2 })
      const url = s(alice).secretLinkUrl(w.url(0), guarded)
      await expect(openSecretLink(w.anonymous(1), url)).rejects.toThrow(LinkPasswordRequiredError) // use 1
      await expect(openSecretLink(w.anonymous(0), url, { userPassword: 'wrong' })).rejects.toThrow(WrongLinkPasswordError) // use 2
      await expect(openSecretLink(w.anonymous(1), url, { userPassword: 'open sesame' })).rejects.toThrow(new SecretLinkUnavailableError('Maximum link retrievals exceed!'))

      const thrice = await s(alice).createSecretLink(`${home}/links/file.txt`, { userPassword: 'open sesame', maxRetrievals: 3, expiry: new Date(Date.now() + 3_600_000) })
      const thriceUrl = s(alice).secretLinkUrl(w.url(0), thrice)
      for (const side of [0, 1, 1] as const) expect(str(await (await openSecretLink(w.anonymous(side), thriceUrl, { userPassword: 'open sesame' })).readFileBytes())).toBe('linked')
      await expect(openSecretLink(w.anonymous(0), thriceUrl, { userPassword: 'open sesame' })).rejects.toThrow(new SecretLinkUnavailableError('Maximum link retrievals exceed!'))

      const expired = await s(alice).createSecretLink(`${home}/links/file.txt`, { expiry: new Date(Date.now() - 1000) })
      await expect(openSecretLink(w.anonymous(1), s(alice).secretLinkUrl(w.url(0), expired))).rejects.toThrow(new SecretLinkUnavailableError('Secret link expired!'))
      expect((await s(alice).secretLinks(`${home}/links/file.txt`)).map((l) => l.label).sort()).toEqual([guarded.label, thrice.label, expired.label].sort())
    }, 240_000)

    it('a link to a folder follows a rename, opens through a new folder listing, and is revoked', async () => {
      await alice.fs.mkdir(`${home}/gallery/inner`, { parents: true })
      await alice.fs.writeFile(`${home}/gallery/inner/pic.txt`, text('pic'))
      const link = await s(alice).createSecretLink(`${home}/gallery`)
      const url = s(alice).secretLinkUrl(w.url(0), link)
      await s(alice).move(`${home}/gallery`, `${home}/photos`)
      await alice.fs.writeFile(`${home}/photos/added.txt`, text('added later'))
      const opened = await openSecretLink(w.anonymous(1), url)
      expect(opened.path).toBe(`${home}/photos`)
      const entries = await opened.list()
      expect(entries.map((e) => e.name).sort()).toEqual(['added.txt', 'inner'])
      expect(str(await opened.readFileBytes(entries.find((e) => e.name === 'added.txt')))).toBe('added later')
      expect(await s(alice).deleteSecretLink(`${home}/photos`, link.label)).toBe(true)
      expect((await s(alice).sharedWith(`${home}/photos`)).links).toEqual([])
      await expect(openSecretLink(w.anonymous(1), url)).rejects.toThrow(new SecretLinkUnavailableError('No secret link present!'))
    }, 240_000)
  })
})
