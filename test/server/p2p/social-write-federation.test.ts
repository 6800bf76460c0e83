// Write sharing and its revocation across home servers (reference §6.3, §6.4, §7.1): alice lives on B,
// bob on C, carol on B, each using only their own server over HTTP. bob writes into the folder alice
// shared with him for writing through C, which forwards his block writes and pointer updates to B over
// p2p; once alice revokes him, B refuses what he signs with the old key (the refusal comes back through
// C by name), while carol keeps writing. A writable secret link opened through C takes a file too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSecretLink } from '../../../src/client/social/open-secret-link.ts'
import { socialOf } from '../../../src/client/social/social.ts'
import { UserContext } from '../../../src/client/user-context.ts'
import type { WritableAbsoluteCapability } from '../../../src/model/capability.ts'
import { emptyWriterData, encodeWriterData } from '../../../src/model/writer-data.ts'
import { WriterNotAllowedError } from '../../../src/services/errors.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from './federation-fixtures.ts'
import type { TestDaemon } from './fixtures.ts'

const PASSWORD = 'a long and unusual social password'
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const str = (b: Uint8Array): string => new TextDecoder().decode(b)

describe('write sharing between users of B and C', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let alice: UserContext
  let bob: UserContext
  let carol: UserContext
  let a: string
  let bo: string
  let ca: string

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    a = uniqueName('alice')
    bo = uniqueName('bob')
    ca = uniqueName('carol')
    alice = await UserContext.signUp(networkOf(b), a, PASSWORD)
    bob = await UserContext.signUp(networkOf(c), bo, PASSWORD)
    carol = await UserContext.signUp(networkOf(b), ca, PASSWORD)
    for (const u of [bob, carol]) await socialOf(u).sendFollowRequest(a)
    for (const r of await socialOf(alice).followRequests()) await socialOf(alice).reply(r, { accept: true, reciprocate: false })
    for (const u of [bob, carol]) await socialOf(u).followRequests()
  }, 300_000)
  afterAll(async () => {
    for (const u of [alice, bob, carol]) await u?.close()
    await disposeAll(c, b, pki)
  })

  it('bob on C writes into the folder alice on B shared; after revocation B refuses his key, carol writes on', async () => {
    const s = socialOf(alice)
    await alice.fs.mkdir(`/${a}/team`)
    await s.shareWriteAccessWith(`/${a}/team`, [bo, ca])
    for (const u of [bob, carol]) await socialOf(u).refreshShared()
    await bob.fs.writeFile(`/${a}/team/from-c.txt`, text('written through C'))
    expect(str(await alice.fs.readFileBytes(`/${a}/team/from-c.txt`))).toBe('written through C')
    const bobsCap = (await bob.fs.capabilityOf(`/${a}/team`)) as WritableAbsoluteCapability
    const bobsKey = (await bob.reader.snapshot().readChunk(bobsCap, undefined, false))!.view.signer!

    await s.unshareWriteAccessWith(`/${a}/team`, [bo])
    await expect(bob.fs.writeFile(`/${a}/team/again.txt`, text('again'))).rejects.toThrow()
    const net = networkOf(c)
    const block = encodeWriterData(emptyWriterData(bobsCap.writer))
    const owner = alice.identity.publicKeyHash
    const tid = await net.storage.startTransaction(owner)
    await expect(net.storage.put(owner, bobsCap.writer, [net.crypto.signAttached(net.crypto.sha256(block), bobsKey.secretKey)], [block], tid, false)).rejects.toThrow(WriterNotAllowedError)
    expect(await alice.fs.exists(`/${a}/team/again.txt`)).toBe(false)

    await socialOf(carol).refreshShared()
    await carol.fs.writeFile(`/${a}/team/from-b.txt`, text('carol on B'))
    expect((await alice.fs.list(`/${a}/team`)).map((e) => e.name)).toEqual(['from-b.txt', 'from-c.txt'])
  }, 240_000)

  it('a writable link of alice on B, opened through C without an account, takes a file', async () => {
    await alice.fs.mkdir(`/${a}/inbox`)
    const link = await socialOf(alice).createSecretLink(`/${a}/inbox`, { writable: true })
    const opened = await openSecretLink(networkOf(c), socialOf(alice).secretLinkUrl(c.url, link))
    await opened.fs!.writeFile(`/${a}/inbox/dropped.txt`, text('dropped through C'))
    await opened.fs!.close()
    expect(str(await alice.fs.readFileBytes(`/${a}/inbox/dropped.txt`))).toBe('dropped through C')
  }, 120_000)
})
