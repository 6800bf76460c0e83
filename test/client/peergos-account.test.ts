// The client on an account the real Peergos wrote (vectors account-alice): alice signs in through a
// daemon that imported the dump, every file reads back with the manifest's sha256 (streamed, and from
// an offset inside big.bin's second chunk), our plaintext hash tree of big.bin equals the root
// Peergos stored in its FileProperties, and our writes land in Peergos-made directories (including
// /alice/many, whose 520 entries Peergos spread over two chunks) without disturbing what was there.
import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildHashTree } from '../../src/client/hash-tree.ts'
import { CHUNK_SIZE } from '../../src/client/tree-reader.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { FetchPoster } from '../../src/http/poster.ts'
import { httpNetworkServices } from '../../src/http/clients/network.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'
import { describeVectors, loadVector, VECTORS_DIR } from '../vectors.ts'

interface ManifestEntry { path: string; type: 'dir' | 'file'; size?: number; sha256?: string }

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

describeVectors('the client on the Peergos-written alice account', () => {
  const manifest = loadVector('account-alice/manifest.json')
  let dir: string
  let daemon: RunningDaemon
  let net: NetworkAccess
  let alice: UserContext

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pts-alice-'))
    daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', '--import-account', join(VECTORS_DIR, 'account-alice')]), createLogger('silent'))
    net = { crypto: daemon.crypto, ...httpNetworkServices(new FetchPoster(daemon.url)) }
    alice = await UserContext.signIn(net, 'alice', manifest.users.alice.password)
  }, 120_000)
  afterAll(async () => {
    await daemon?.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('reads every Peergos-made file byte for byte', async () => {
    const files = (manifest.aliceView as ManifestEntry[]).filter((e) => e.type === 'file')
    expect(files.length).toBeGreaterThan(500)
    for (const f of files) {
      const data = await alice.fs.readFileBytes(f.path)
      expect([f.path, data.length, sha256(data)]).toEqual([f.path, f.size, f.sha256])
    }
  }, 120_000)

  it('seeks into the second chunk of big.bin and matches its Peergos hash tree', async () => {
    const whole = await alice.fs.readFileBytes('/alice/big.bin')
    const part = await alice.fs.readFileBytes('/alice/big.bin', { offset: CHUNK_SIZE - 10, length: 1000 })
    expect(sha256(part)).toBe(sha256(whole.subarray(CHUNK_SIZE - 10, CHUNK_SIZE + 990)))
    const home = alice.entryPoints.entries[0].pointer
    const cap = await alice.reader.findChild(home, 'big.bin')
    const props = (await alice.reader.stat(cap!)).properties
    expect(props.treeHash).toBeDefined()
    const chunkHashes: Uint8Array[] = []
    for (let off = 0; off < whole.length; off += CHUNK_SIZE) chunkHashes.push(createHash('sha256').update(whole.subarray(off, off + CHUNK_SIZE)).digest())
    const tree = buildHashTree(net.crypto, chunkHashes)
    expect(Buffer.from(tree.rootHash).toString('hex')).toBe(Buffer.from(props.treeHash!.rootHash).toString('hex'))
    expect(Buffer.from(tree.level1[0]).toString('hex')).toBe(Buffer.from(props.treeHash!.level1!).toString('hex'))
  }, 60_000)

  it('writes into Peergos-made directories, including a two-chunk one', async () => {
    const before = await alice.fs.list('/alice/many')
    expect(before.length).toBe(520)
    await alice.fs.writeFile('/alice/many/added-by-peergos-ts.txt', new TextEncoder().encode('hi'))
    await alice.fs.mkdir('/alice/docs/new-folder')
    await alice.fs.writeFile('/alice/docs/new-folder/x.bin', new Uint8Array(6 * 1024 * 1024).fill(7))
    const after = await alice.fs.list('/alice/many')
    expect(after.length).toBe(521)
    expect(new TextDecoder().decode(await alice.fs.readFileBytes('/alice/many/added-by-peergos-ts.txt'))).toBe('hi')
    expect((await alice.fs.stat('/alice/docs/new-folder/x.bin')).size).toBe(6 * 1024 * 1024)
    const unchanged = (manifest.aliceView as ManifestEntry[]).find((e) => e.path === '/alice/docs/notes.md' || e.path.startsWith('/alice/docs/') && e.type === 'file')!
    expect(sha256(await alice.fs.readFileBytes(unchanged.path))).toBe(unchanged.sha256)
    await alice.fs.remove('/alice/many/added-by-peergos-ts.txt')
    expect((await alice.fs.list('/alice/many')).length).toBe(520)
  }, 120_000)
})
