// Directory writes (client/dir-ops.ts) without re-encoding unchanged children: the child list built from
// each link's cached CBOR is byte for byte the generic encoder's (every array-head size, every optional
// field of a link), and a run of writes into one folder through a daemon reads back every child.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { encodeChildList } from '../../src/client/dir-ops.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { encodeCbor } from '../../src/codec/cbor.ts'
import type { CryptoProvider } from '../../src/crypto/provider.ts'
import { createNodeCrypto } from '../../src/crypto/providers/node.ts'
import { randomBat } from '../../src/model/bat.ts'
import { childrenLinks, childrenLinksToCbor, type NamedRelativeCapability } from '../../src/model/relative-capability.ts'
import { publicKeyHash, randomSigningKeyPair } from '../../src/model/signing-keys.ts'
import { symmetricKey } from '../../src/model/symmetric-key.ts'
import type { NetworkAccess } from '../../src/services/network-access.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'

let c: CryptoProvider

beforeAll(async () => {
  c = await createNodeCrypto()
})

function link(i: number): NamedRelativeCapability {
  const cap = {
    mapKey: c.randomBytes(32),
    rBaseKey: symmetricKey(c.randomBytes(32)),
    ...(i % 3 === 0 ? {} : { bat: randomBat(c) }),
    ...(i % 7 === 0 ? { writer: publicKeyHash(randomSigningKeyPair(c).publicKey) } : {}),
  }
  return {
    name: `child ${i} ${'é'.repeat(i % 5)}`,
    cap,
    ...(i % 2 === 0 ? { isDir: i % 4 === 0 } : {}),
    ...(i % 5 === 0 ? {} : { mimeType: i % 3 === 0 ? 'text/plain' : 'application/octet-stream' }),
    ...(i % 4 === 1 ? {} : { created: BigInt(1_700_000_000 + i) }),
  }
}

describe('encodeChildList', () => {
  it('gives the generic encoding of a child list at every array-head size', () => {
    for (const n of [0, 1, 23, 24, 255, 256, 500]) {
      const children = Array.from({ length: n }, (_, i) => link(i))
      const expected = encodeCbor(childrenLinksToCbor(childrenLinks(children)))
      expect(encodeChildList(children)).toEqual(expected)
      // again, now from the cached link encodings
      expect(encodeChildList(children)).toEqual(expected)
    }
  })
})

describe('writes into one folder in a row', () => {
  let daemon: TestDaemon
  let net: NetworkAccess

  beforeAll(async () => {
    daemon = await startTestDaemon()
    net = daemon.net
  }, 60_000)

  afterAll(async () => {
    await daemon?.close()
  })

  it('keeps every child of files and folders written one after the other (decoded chunks reused)', async () => {
    const user = await UserContext.signUp(net, 'dirops', 'a long and unusual test password')
    const fs = user.fs
    await fs.mkdir('/dirops/d')
    const names: string[] = []
    for (let i = 0; i < 30; i++) {
      const name = `f${i}`
      if (i % 3 === 0) await fs.mkdir(`/dirops/d/${name}`)
      else await fs.writeFile(`/dirops/d/${name}`, new TextEncoder().encode(name))
      names.push(name)
    }
    await fs.writeFile('/dirops/d/f1', new TextEncoder().encode('again')) // an overwrite finds the file in the cached chunk
    expect((await fs.list('/dirops/d')).map((e) => e.name).sort()).toEqual([...names].sort())
    expect(new TextDecoder().decode(await fs.readFileBytes('/dirops/d/f1'))).toBe('again')
    await user.close()
    const again = await UserContext.signIn(net, 'dirops', 'a long and unusual test password')
    expect((await again.fs.list('/dirops/d')).map((e) => e.name).sort()).toEqual([...names].sort())
    await again.close()
  }, 120_000)
})
