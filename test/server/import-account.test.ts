// Importing the account dump written by the real Peergos into our stores: every block lands under
// its owner's directory in Peergos' layout, pointers, login rows, the pending follow request, BATs,
// link counts and PKI chains are stored byte for byte; a second import changes nothing.
import { mkdtemp } from 'node:fs/promises'
import { existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { cidToString, parseCid } from '../../src/codec/cid.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import type { UserPublicKeyLink } from '../../src/model/user-public-key-link.ts'
import { FileBlockStore, cidToKey, shardOf } from '../../src/server/blocks/index.ts'
import { openStores, type Stores } from '../../src/server/db/index.ts'
import { importAccountDump, ImportError } from '../../src/server/import-account.ts'
import { describeVectors, hex, loadVector, toHex, VECTORS_DIR } from '../vectors.ts'

describeVectors('import of a Peergos account dump', () => {
  let c: CryptoProvider
  let root: string
  let blocks: FileBlockStore
  let stores: Stores
  const chains = new Map<string, UserPublicKeyLink[]>()
  const dumpDir = join(VECTORS_DIR, 'account-alice')
  const target = () => ({ blocks, stores, registerChain: async (u: string, ch: UserPublicKeyLink[]) => { chains.set(u, ch) } })

  beforeAll(async () => {
    c = await createNodeCrypto()
    root = await mkdtemp(join(tmpdir(), 'pts-import-'))
    blocks = await FileBlockStore.open({ root, crypto: c })
    stores = await openStores({ kind: 'sqlite', dir: root })
  })
  afterAll(async () => {
    await blocks.close()
    await stores.close()
  })

  it('loads everything and a second run is a no-op', async () => {
    const first = await importAccountDump(c, dumpDir, target())
    expect(first).toMatchObject({ blocks: 709, bytes: 9_320_968, pointers: 10, logins: 3, followRequests: 1, bats: 4, linkCounts: 1, chains: 4 })
    const second = await importAccountDump(c, dumpDir, target())
    expect(second).toMatchObject({ blocks: 709, pointers: 0, logins: 0, followRequests: 0, bats: 0, chains: 4 })
  })

  it('stores blocks in Peergos\' on-disk layout and pointers, logins, requests byte for byte', async () => {
    for (const b of loadVector('account-alice/blocks.json').blocks.slice(0, 50)) {
      const cid = parseCid(b.cid)
      const key = cidToKey(cid)
      expect(b.diskName).toBe(`${b.ownerDir}/${shardOf(key)}/${key}.data`)
      expect(existsSync(join(root, '.ipfs', 'blocks', b.diskName))).toBe(true)
      expect((await blocks.get(cid))?.length).toBe(b.size)
    }
    for (const p of loadVector('account-alice/pointers.json').pointers) {
      expect(toHex((await stores.pointers.get(parseCid(p.writer)))!)).toBe(p.signedPointerHex)
    }
    const alice = loadVector('account-alice/login-rows.json').rows[0]
    expect(toHex((await stores.logins.get(alice.username))!.entry)).toBe(alice.entryHex)
    const fr = loadVector('account-alice/follow-requests.json').rows[0]
    expect((await stores.followRequests.list(parseCid(fr.targetIdentity))).map(toHex)).toEqual([fr.followRequestHex])
    expect(cidToString(chains.get('alice')![0].owner)).toBe(loadVector('account-alice/manifest.json').users.alice.identity)
  })

  it('refuses to overwrite different data', async () => {
    const p = loadVector('account-alice/pointers.json').pointers[0]
    const other = loadVector('account-alice/pointers.json').pointers[1]
    const writer = parseCid(p.writer)
    await stores.pointers.compareAndSet(writer, hex(p.signedPointerHex), hex(other.signedPointerHex))
    await expect(importAccountDump(c, dumpDir, target())).rejects.toThrow(ImportError)
    await stores.pointers.compareAndSet(writer, hex(other.signedPointerHex), hex(p.signedPointerHex))
  })
})
