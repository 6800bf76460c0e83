// Usage of the accounts the real Peergos wrote (peergos-vectors/account-alice): each imported user's usage equals a
// full walk of their writers and, with the PKI's, adds up to Peergos' reachable bytes (one shared block aside);
// the link scanner agrees with the CBOR decoder on every block.
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { binaryKey } from '../../../src/champ/block-store.ts'
import { CODEC_DAG_CBOR, isIdentity, parseCid } from '../../../src/codec/cid.ts'
import { importAccountDump } from '../../../src/server/import-account.ts'
import { cborLinks } from '../../../src/server/services/cbor-links.ts'
import { scanLinkKeys } from '../../../src/server/space/link-scan.ts'
import { describeVectors, loadVector, vectorPath } from '../../vectors.ts'
import { openSpaceEnv, walkSize } from './space-env.ts'

describeVectors('space usage of the Peergos-written accounts', () => {
  it('finds the same links as the CBOR decoder in every dag-cbor block of the dump', () => {
    let checked = 0
    for (const file of readdirSync(vectorPath('account-alice', 'blocks'))) {
      const cid = parseCid(file.replace(/\.bin$/, ''))
      if (cid.code !== CODEC_DAG_CBOR) continue
      const bytes = new Uint8Array(readFileSync(vectorPath('account-alice', 'blocks', file)))
      expect(scanLinkKeys(bytes)).toEqual(cborLinks(bytes).filter((l) => !isIdentity(l)).map((l) => binaryKey(l.bytes)))
      checked++
    }
    expect(checked).toBeGreaterThan(100)
  })

  it('accounts each imported user as a full walk of their writers counts', async () => {
    const env = await openSpaceEnv()
    try {
      await importAccountDump(env.crypto, vectorPath('account-alice'), { blocks: env.blocks, stores: env.stores, registerChain: async () => {} })
      const users = loadVector('account-alice/manifest.json').users as Record<string, { identity: string }>
      let total = 0
      const counted = new Set<string>()
      for (const [name, u] of Object.entries(users)) await env.registerUser(name, parseCid(u.identity))
      for (const u of Object.values(users)) {
        const identity = parseCid(u.identity)
        const usage = (await env.space.usage(identity)).total
        let walked = 0
        for (const w of [identity, ...(await env.services.context.ownership.ownedKeysRecursive(identity))]) {
          walked += await walkSize(env, w)
          counted.add(w.toString())
        }
        expect(usage).toBe(walked)
        total += usage
      }
      expect(total).toBeGreaterThan(1_000_000) // alice's files
      // with the other writers (the PKI's), every block Peergos keeps, each counted once per writer: the only
      // block two writers share is the 4-byte empty CHAMP (five writers), so 4 x 4 bytes more than the set
      let others = 0
      for (const p of loadVector('account-alice/pointers.json').pointers as { writer: string }[]) {
        if (!counted.has(parseCid(p.writer).toString())) others += await walkSize(env, parseCid(p.writer))
      }
      expect(total + others).toBe(loadVector('account-alice/blocks.json').reachableBytes + 4 * 4)
    } finally {
      await env.close()
    }
  })
})

describe('scanLinkKeys on odd CBOR', () => {
  it('throws on truncated or indefinite items instead of guessing', () => {
    expect(() => scanLinkKeys(Uint8Array.of(0x82, 0x01))).toThrow()
    expect(() => scanLinkKeys(Uint8Array.of(0x9f, 0x01, 0xff))).toThrow()
    expect(() => scanLinkKeys(Uint8Array.of(0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff))).toThrow()
    expect(scanLinkKeys(Uint8Array.of(0x83, 0x01, 0xa1, 0x61, 0x61, 0xf6, 0xfb, 0, 0, 0, 0, 0, 0, 0, 0))).toEqual([])
  })
})
