// The proof of the home server: a daemon on a temporary directory imports the account the real
// Peergos wrote; then, over HTTP only, alice signs in with her password (PKI getChain, getPointer,
// getLogin with signed time), and her whole tree is read through champ/get lookups and BAT-guarded
// block gets, every file with the manifest's sha256. Bad credentials and BAT-less reads are refused.
import { createHash } from 'node:crypto'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { signIn, type SignedIn } from '../../src/client/sign-in.ts'
import { parseCid } from '../../src/codec/cid.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices, type HttpNetworkServices } from '../../src/http/clients/network.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'
import { describeVectors, loadVector, VECTORS_DIR } from '../vectors.ts'

interface ManifestEntry { path: string; type: 'dir' | 'file'; size?: number; sha256?: string }

describeVectors('daemon with the imported Peergos account, over HTTP', () => {
  let daemon: RunningDaemon
  let net: HttpNetworkServices & { crypto: RunningDaemon['crypto'] }
  let alice: SignedIn
  const manifest = loadVector('account-alice/manifest.json')

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pts-daemon-'))
    const config = parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', '--import-account', join(VECTORS_DIR, 'account-alice')])
    daemon = await startDaemon(config, createLogger('silent'))
    net = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
    alice = await signIn(net, 'alice', manifest.users.alice.password)
  }, 120_000)
  afterAll(async () => {
    await daemon?.close()
  })

  it('imported the whole dump and serves the PKI', async () => {
    expect(daemon.imported).toMatchObject({ blocks: 709, pointers: 10, logins: 3, chains: 4 })
    expect((await net.coreNode.getPublicKeyHash('bob'))?.toString()).toBe(parseCid(manifest.users.bob.identity).toString())
    expect(await net.coreNode.getUsername(parseCid(manifest.users.carol.identity))).toBe('carol')
  })

  it('signs alice in with her password alone', () => {
    expect(alice.identity.toString()).toBe(parseCid(manifest.users.alice.identity).toString())
    expect(alice.entryPoints.entries[0].ownerName).toBe('alice')
  })

  it('refuses a wrong password', async () => {
    await expect(signIn(net, 'alice', 'not her password')).rejects.toThrow(/Incorrect username or password/)
  })

  it('reads every file of the manifest with equal sha256', async () => {
    const paths = new Map<string, Awaited<ReturnType<typeof alice.reader.stat>>>()
    for await (const { path, entry } of alice.reader.walk(alice.entryPoints.entries[0].pointer, '/alice')) paths.set(path, entry)
    const expected = manifest.aliceView as ManifestEntry[]
    expect([...paths.keys()].sort()).toEqual(expected.map((e) => e.path).sort())
    for (const m of expected) {
      if (m.type !== 'file') continue
      const data = await alice.reader.readFile(paths.get(m.path)!.cap)
      expect(createHash('sha256').update(data).digest('hex'), m.path).toBe(m.sha256)
    }
  }, 180_000)

  it('refuses to serve a BAT-guarded block without its BAT', async () => {
    const raw = loadVector('account-alice/blocks.json').blocks.find((b: { codec: string; ownerDir: string }) => b.codec === 'raw' && b.ownerDir === 'alice')
    const cid = parseCid(raw.cid)
    const owner = parseCid(manifest.users.alice.identity)
    await expect(net.storage.get(owner, cid)).rejects.toThrow()
  })
})
