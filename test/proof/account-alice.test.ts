// The proof of the core: the account the real Peergos 1.32 wrote (alice, bob, carol) is read with
// peergos-ts alone. Alice's login keys are derived from her password, her login data opened, and
// her whole tree walked through the CHAMP and the cryptree; every entry of the manifest matches
// (type, size, hidden flag, link flag, mime) and every file's content has the manifest's sha256
// (big.bin spans two 5 MiB chunks; many/ holds 520 files over two directory chunks).
import { createHash } from 'node:crypto'
import { beforeAll, expect, it } from 'vitest'
import { TreeReader, type TreeEntry } from '../../src/client/tree-reader.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { createPortableCrypto } from '../../src/crypto/providers/portable.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { logIn } from '../model/account.ts'
import { describeVectors, loadVector } from '../vectors.ts'
import { loadDump } from './dump-services.ts'

interface ManifestEntry {
  path: string
  type: 'dir' | 'file'
  isLink?: boolean
  hidden: boolean
  size?: number
  sha256?: string
  mime?: string
}

function sha256(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex')
}

describeVectors.each([
  ['node', createNodeCrypto],
  ['portable', createPortableCrypto],
])('alice\'s Peergos-written account, read with the %s provider', (_name, create) => {
  let c: CryptoProvider
  let reader: TreeReader
  let entries: Map<string, TreeEntry>
  const manifest = loadVector('account-alice/manifest.json')

  beforeAll(async () => {
    c = await create()
    const dump = loadDump(c)
    reader = new TreeReader({ crypto: c, ...dump })
    const alice = await logIn(c, 'alice')
    expect(alice.entryPoints.entries).toHaveLength(1)
    const home = alice.entryPoints.entries[0]
    expect(home.ownerName).toBe('alice')
    entries = new Map()
    for await (const { path, entry } of reader.walk(home.pointer, '/alice')) {
      expect(entries.has(path), `path ${path} listed twice`).toBe(false)
      entries.set(path, entry)
    }
  }, 120_000)

  it('finds exactly the paths of the manifest', () => {
    const expected = (manifest.aliceView as ManifestEntry[]).map((e) => e.path).sort()
    expect([...entries.keys()].sort()).toEqual(expected)
    expect(expected).toHaveLength(545)
  })

  it('agrees with the manifest on type, size, mime and the hidden and link flags', () => {
    for (const m of manifest.aliceView as ManifestEntry[]) {
      const e = entries.get(m.path)!
      expect(e.isDirectory, m.path).toBe(m.type === 'dir')
      expect(e.isLink, m.path).toBe(m.isLink ?? false)
      if (m.type === 'file') {
        expect(e.properties.size, m.path).toBe(m.size)
        expect(e.properties.mimeType, m.path).toBe(m.mime)
        expect(e.properties.isHidden, m.path).toBe(m.hidden)
      }
    }
  })

  it('reads every file with the manifest\'s sha256', async () => {
    let files = 0
    for (const m of manifest.aliceView as ManifestEntry[]) {
      if (m.type !== 'file') continue
      const data = await reader.readFile(entries.get(m.path)!.cap)
      expect(data.length, m.path).toBe(m.size)
      expect(sha256(data), m.path).toBe(m.sha256)
      files++
    }
    expect(files).toBeGreaterThan(520)
  }, 120_000)

  it('reads the multi-chunk file and the two-chunk directory', async () => {
    const big = await reader.readFile(entries.get('/alice/big.bin')!.cap)
    expect(big.length).toBe(manifest.expectedFiles['big.bin'].size)
    expect(sha256(big)).toBe(manifest.expectedFiles['big.bin'].sha256)
    const many = await reader.list(entries.get('/alice/many')!.cap)
    expect(many.map((e) => e.name).sort()).toEqual(Array.from({ length: 520 }, (_, i) => `f${String(i).padStart(3, '0')}`))
    const f123 = many.find((e) => e.name === 'f123')!
    expect(new TextDecoder().decode(await reader.readFile(f123.cap))).toBe('f123\n')
  })
})
