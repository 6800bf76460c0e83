// Following and sharing on the account the real Peergos wrote (vectors account-alice), imported into a
// daemon: alice's client decrypts carol's pending (hybrid-boxed) follow request; bob's client mounts
// what alice shared from the capability cache Peergos left in bob's tree and reads
// /alice/docs/notes.md; alice's sharing file for bob parses to the items' paths; every social file
// Peergos wrote decodes and re-encodes to the same bytes; the follower lists and "shared with"
// records are Peergos'. Then alice accepts carol with our client, carol (a Peergos-made account)
// processes the reply with ours, and reads what alice shares with her. The secret link Peergos made
// opens without an account, and alice's client adds and removes one in the links CHAMP Peergos wrote.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { openSecretLink } from '../../src/client/social/open-secret-link.ts'
import { pathOf, readSharingFile } from '../../src/client/social/capability-store.ts'
import { socialContextOf } from '../../src/client/social/context.ts'
import { parseCborStream } from '../../src/client/social/cbor-stream.ts'
import { friendEntryPoints } from '../../src/client/social/friends.ts'
import { socialOf } from '../../src/client/social/social.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { decodeCbor, encodeCbor } from '../../src/codec/cbor.ts'
import { cidToString } from '../../src/codec/cid.ts'
import { decodeCapsInDirectory, encodeCapsInDirectory } from '../../src/model/caps-in-directory.ts'
import { encodeEntryPoint, entryPointFromCbor } from '../../src/model/entry-point.ts'
import { decodeFriendsGroups, encodeFriendsGroups } from '../../src/model/friends-groups.ts'
import { encodeLinkProperties } from '../../src/model/link-properties.ts'
import { decodeTofuKeyStore, encodeTofuKeyStore } from '../../src/model/tofu-key-store.ts'
import { decodeGroups, encodeGroups } from '../../src/model/groups.ts'
import { decodePendingSocialState, encodePendingSocialState } from '../../src/model/pending-social-state.ts'
import { decodeProcessedCaps, encodeProcessedCaps } from '../../src/model/processed-caps.ts'
import { decodeSharedWithState, encodeSharedWithState } from '../../src/model/shared-with-state.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'
import { describeVectors, loadVector, toHex, VECTORS_DIR } from '../vectors.ts'

interface ManifestEntry { path: string; type: 'dir' | 'file'; size?: number; sha256?: string; hidden?: boolean }

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

describeVectors('following and sharing on the Peergos-written account', () => {
  const manifest = loadVector('account-alice/manifest.json')
  let dir: string
  let daemon: RunningDaemon
  let net: NetworkAccess
  let alice: UserContext
  let bob: UserContext

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pts-social-alice-'))
    daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', '--import-account', join(VECTORS_DIR, 'account-alice')]), createLogger('silent'))
    net = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
    alice = await UserContext.signIn(net, 'alice', manifest.users.alice.password)
    bob = await UserContext.signIn(net, 'bob', manifest.users.bob.password)
  }, 300_000)
  afterAll(async () => {
    await daemon?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it("decrypts carol's pending follow request (hybrid Curve25519 + ML-KEM-1024)", async () => {
    const requests = await socialOf(alice).followRequests()
    expect(requests.map((r) => r.from)).toEqual(['carol'])
    const r = requests[0]
    expect(toHex(r.raw)).toBe(loadVector('account-alice/follow-requests.json').rows[0].followRequestHex)
    expect(r.blind.dummySource.type).toBe(2)
    expect(r.request.key).toBeDefined()
    expect(cidToString(r.request.entry!.pointer.owner)).toBe(manifest.users.carol.identity)
    expect(r.request.entry!.pointer.wBaseKey).toBeUndefined()
    // the entry point is carol's folder for alice, /carol/shared/alice
    expect(await pathOf(alice.reader, r.request.entry!.pointer)).toBe('/carol/shared/alice')
  }, 60_000)

  it('has the follower and following lists Peergos recorded', async () => {
    const s = manifest.social
    expect(await socialOf(alice).followers()).toEqual([s.aliceFollowers])
    expect(await socialOf(alice).following()).toEqual([s.aliceFollowing])
    expect(await socialOf(bob).followers()).toEqual([s.bobFollowers])
    expect(await socialOf(bob).following()).toEqual([s.bobFollowing])
    expect(await socialOf(bob).pendingOutgoing()).toEqual([])
    const groups = await socialOf(alice).groups()
    expect([...groups.values()].sort()).toEqual(['followers', 'friends'])
    const groupDirs = (manifest.aliceView as ManifestEntry[]).filter((e) => /^\/alice\/shared\/\.[0-9a-f]{64}$/.test(e.path)).map((e) => e.path.slice('/alice/shared/'.length))
    expect([...groups.keys()].sort()).toEqual(groupDirs.sort())
  }, 60_000)

  it('bob mounts what alice shared, from the cache Peergos wrote, and reads /alice/docs/notes.md', async () => {
    const social = socialOf(bob)
    const items = await social.mountShared()
    const seen = (manifest.bobSeesAlice as ManifestEntry[]).map((e) => e.path)
    for (const item of items) expect(seen).toContain(item.path)
    expect(items.map((i) => i.path)).toContain('/alice/docs/notes.md')
    const notes = (manifest.bobSeesAlice as ManifestEntry[]).find((e) => e.path === '/alice/docs/notes.md')!
    const data = await bob.fs.readFileBytes('/alice/docs/notes.md')
    expect([data.length, sha256(data)]).toEqual([notes.size, notes.sha256])
    expect(sha256(data)).toBe(manifest.expectedFiles['notes.md'].sha256)
    expect((await bob.fs.stat('/alice/docs')).isDirectory).toBe(true) // through the write capability alice shared
    expect((await bob.fs.list('/alice/docs')).map((e) => e.name)).toContain('notes.md')
    // nothing new on alice's side: the cache Peergos wrote is current, and stays as it was
    const state = await bob.fs.readFileBytes('/bob/.capabilitycache/alice$incoming.cbor')
    await social.refreshShared()
    expect(toHex(await bob.fs.readFileBytes('/bob/.capabilitycache/alice$incoming.cbor'))).toBe(toHex(state))
    expect(sha256(await bob.fs.readFileBytes('/alice/docs/notes.md'))).toBe(notes.sha256)
  }, 120_000)

  it("parses alice's sharing files for bob into the shared items' paths", async () => {
    const [entry] = await friendEntryPoints(socialContextOf(bob))
    expect(entry.ownerName).toBe('alice')
    expect(await pathOf(bob.reader, entry.pointer)).toBe('/alice/shared/bob')
    const read = await readSharingFile(bob.reader, entry.pointer, 'read', 0)
    const write = await readSharingFile(bob.reader, entry.pointer, 'write', 0)
    const sizes = (path: string): number => (manifest.aliceView as ManifestEntry[]).find((e) => e.path === path)!.size!
    expect(read.bytesRead).toBe(sizes('/alice/shared/bob/sharing.r'))
    expect(write.bytesRead).toBe(sizes('/alice/shared/bob/sharing.w'))
    expect(new Set(read.caps.map((c) => c.path))).toEqual(new Set([...(await socialOf(alice).groups()).keys()].map((uid) => `/alice/shared/${uid}`).concat('/alice/docs/notes.md')))
    expect(write.caps.map((c) => [c.path, c.cap.wBaseKey !== undefined])).toEqual([['/alice/docs', true]])
    // the ProcessedCaps Peergos stored counts exactly the capabilities that still resolve
    const processed = decodeProcessedCaps(await bob.fs.readFileBytes('/bob/.capabilitycache/alice$incoming.cbor'))
    expect([processed.readCaps, processed.readCapBytes, processed.writeCaps, processed.writeCapBytes]).toEqual([read.caps.length, read.bytesRead, write.caps.length, write.bytesRead])
  }, 60_000)

  it('decodes every social file Peergos wrote and re-encodes it to the same bytes', async () => {
    const files: [UserContext, string, (b: Uint8Array) => Uint8Array][] = [
      [alice, '/alice/shared/.groups.cbor', (b) => encodeGroups(decodeGroups(b))],
      [bob, '/bob/shared/.groups.cbor', (b) => encodeGroups(decodeGroups(b))],
      [bob, '/bob/.social-state.cbor', (b) => encodePendingSocialState(decodePendingSocialState(b))],
      [bob, '/bob/.capabilitycache/alice$incoming.cbor', (b) => encodeProcessedCaps(decodeProcessedCaps(b))],
      [bob, '/bob/.groups-from-friends.cborstream', (b) => encodeFriendsGroups(decodeFriendsGroups(b))],
      [alice, '/alice/.from-friends.cborstream', (b) => concat(parseCborStream(b, entryPointFromCbor).items.map(encodeEntryPoint))],
      [bob, '/bob/.from-friends.cborstream', (b) => concat(parseCborStream(b, entryPointFromCbor).items.map(encodeEntryPoint))],
      [alice, '/alice/.keystore', (b) => encodeTofuKeyStore(decodeTofuKeyStore(b))],
      [bob, '/bob/.keystore', (b) => encodeTofuKeyStore(decodeTofuKeyStore(b))],
    ]
    for (const e of [...(manifest.aliceView as ManifestEntry[]), ...(manifest.bobView as ManifestEntry[])]) {
      const user = e.path.startsWith('/alice/') ? alice : bob
      if (e.path.endsWith('/sharedWith.cbor')) files.push([user, e.path, (b) => encodeSharedWithState(decodeSharedWithState(b))])
      if (e.path.endsWith('/items.cbor')) files.push([user, e.path, (b) => encodeCapsInDirectory(decodeCapsInDirectory(b))])
    }
    expect(files.length).toBe(9 + 4 + 3)
    for (const [user, path, roundTrip] of files) {
      const bytes = await user.fs.readFileBytes(path)
      expect([path, toHex(roundTrip(bytes))]).toEqual([path, toHex(bytes)])
      expect(toHex(encodeCbor(decodeCbor(bytes)))).toBe(toHex(bytes)) // Peergos writes canonical CBOR
    }
  }, 120_000)

  it("lists who each of alice's items is shared with, from Peergos' SharedWithCache", async () => {
    const social = socialOf(alice)
    expect(await social.sharedWith('/alice/docs/notes.md')).toEqual({ read: [manifest.sharing['/alice/docs/notes.md'].read], write: [], links: [] })
    expect(await social.sharedWith('/alice/docs')).toEqual({ read: [], write: [manifest.sharing['/alice/docs'].write], links: [] })
    const hello = await social.sharedWith('/alice/hello.txt')
    expect(hello.links.map((l) => l.label)).toEqual([manifest.secretLink.label])
    for (const uid of (await social.groups()).keys()) expect((await social.sharedWith(`/alice/shared/${uid}`)).read).toEqual(['bob'])
  }, 60_000)

  it("opens the secret link Peergos made to hello.txt without an account; alice's client adds one to the CHAMP Peergos wrote", async () => {
    const link = manifest.secretLink
    const anonymous: NetworkAccess = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
    const opened = await openSecretLink(anonymous, `${daemon.url}/${link.url}`)
    expect(opened.path).toBe(`${link.entryPath}/${link.resolvedName}`)
    expect(sha256(await opened.readFileBytes())).toBe(link.resolvedSha256)
    // the owner's record of it is Peergos' LinkProperties, byte for byte
    const [props] = await socialOf(alice).secretLinks('/alice/hello.txt')
    expect(toHex(encodeLinkProperties(props))).toBe(link.linkPropertiesCbor)
    // a new link goes into the links CHAMP Peergos made (its root carries alice's mirror BAT id)
    const ours = await socialOf(alice).createSecretLink('/alice/docs/notes.md', { maxRetrievals: 1 })
    const notes = await openSecretLink(anonymous, socialOf(alice).secretLinkUrl(daemon.url, ours))
    expect(sha256(await notes.readFileBytes())).toBe(manifest.expectedFiles['notes.md'].sha256)
    await expect(openSecretLink(anonymous, socialOf(alice).secretLinkUrl(daemon.url, ours))).rejects.toThrow('Maximum link retrievals exceed!')
    expect(sha256(await (await openSecretLink(anonymous, `/${link.url}`)).readFileBytes())).toBe(link.resolvedSha256)
    expect(await socialOf(alice).deleteSecretLink('/alice/docs/notes.md', ours.label)).toBe(true)
  }, 120_000)

  it('alice accepts carol with our client; carol, a Peergos-made account, follows her and reads what she shares', async () => {
    const aliceSocial = socialOf(alice)
    const [request] = await aliceSocial.followRequests()
    await aliceSocial.accept(request)
    expect(await aliceSocial.followers()).toEqual(['bob', 'carol'])
    expect(await aliceSocial.following()).toEqual(['bob', 'carol'])
    expect(await aliceSocial.followRequests()).toEqual([])
    const carol = await UserContext.signIn(net, 'carol', manifest.users.carol.password)
    const carolSocial = socialOf(carol)
    expect(await carolSocial.pendingOutgoing()).toEqual(['alice'])
    expect(await carolSocial.followRequests()).toEqual([])
    expect(await carolSocial.pendingOutgoing()).toEqual([])
    expect(await carolSocial.following()).toEqual(['alice'])
    expect(await carolSocial.followers()).toEqual(['alice'])
    await aliceSocial.shareReadAccessWith('/alice/hello.txt', ['carol'])
    expect((await aliceSocial.sharedWith('/alice/hello.txt')).read).toEqual(['carol'])
    const items = await carolSocial.refreshShared()

    expect(items.map((i) => i.path)).toContain('/alice/hello.txt')
    expect(sha256(await carol.fs.readFileBytes('/alice/hello.txt'))).toBe(manifest.expectedFiles['hello.txt'].sha256)
    await expect(carol.fs.readFileBytes('/alice/docs/notes.md')).rejects.toThrow(/not found|no such/)
    // the friends group folder alice shares with carol is known to carol as one of alice's groups
    const groups = decodeFriendsGroups(await carol.fs.readFileBytes('/carol/.groups-from-friends.cborstream'))
    expect([...groups.pathToGroup.keys()].sort()).toEqual([...(await aliceSocial.groups()).keys()].map((uid) => `/alice/shared/${uid}`).sort())
  }, 180_000)
})

function concat(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(parts.flatMap((p) => [...p]))
}
