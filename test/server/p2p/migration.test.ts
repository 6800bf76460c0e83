// Moving a user from home server B to C (reference §4.4; Peergos MultiNodeNetworkTests.migrate*):
// signed in through C, the user asks C to migrate them; C copies their blocks, pointers, login data,
// mirror BAT and pending follow requests from B over p2p and has the PKI name C. The identity and
// files are unchanged, the user logs in through either server, their writes land on C, and B refuses
// writes for them that reach it over p2p.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrateToServer } from '../../../src/client/migrate.ts'
import { UserContext } from '../../../src/client/user-context.ts'
import { decodeCbor } from '../../../src/codec/cbor.ts'
import { asList } from '../../../src/codec/cbor-read.ts'
import { cidToString } from '../../../src/codec/cid.ts'
import { buildBlindFollowRequest, encodeBlindFollowRequest } from '../../../src/model/blind-follow-request.ts'
import { randomCurve25519BoxingKeyPair } from '../../../src/model/boxing-key-pair.ts'
import { signTime } from '../../../src/model/signed-time.ts'
import { chainHomeServer } from '../../../src/model/user-public-key-link.ts'
import { uniqueName } from '../services/storage-fixtures.ts'
import { disposeAll, networkOf, startMirror, startPkiNode } from './federation-fixtures.ts'
import { servicesVia, type TestDaemon } from './fixtures.ts'

const PASSWORD = 'a password that moves house'

async function blocksUnder(d: TestDaemon, username: string): Promise<number> {
  let n = 0
  for await (const _ of d.blocks.entries(username)) n++
  return n
}

describe('migrating a user from B to C', () => {
  let pki: TestDaemon
  let b: TestDaemon
  let c: TestDaemon
  let name: string
  const small = new TextEncoder().encode('notes that must survive the move')
  let large: Uint8Array

  beforeAll(async () => {
    pki = await startPkiNode()
    b = await startMirror(pki)
    c = await startMirror(pki, [b])
    name = uniqueName('mover')
    large = b.crypto.randomBytes(6 * 1024 * 1024 + 123)
    const ctx = await UserContext.signUp(networkOf(b), name, PASSWORD)
    await ctx.fs.mkdir(`/${name}/docs`)
    await ctx.fs.writeFile(`/${name}/docs/notes.txt`, small)
    await ctx.fs.writeFile(`/${name}/big.bin`, large)
    await ctx.close()
  })
  afterAll(async () => {
    await disposeAll(c, b, pki)
  })

  it('copies the user to C and has the PKI name C, keeping the identity', async () => {
    const pending = encodeBlindFollowRequest(buildBlindFollowRequest(b.crypto, randomCurve25519BoxingKeyPair(b.crypto).publicKey, {}))
    const ctx = await UserContext.signIn(networkOf(c), name, PASSWORD)
    expect(await servicesVia(b).social.sendFollowRequest(ctx.identity.publicKeyHash, pending)).toBe(true)
    const before = await servicesVia(pki).coreNode.getChain(name)
    expect(cidToString(chainHomeServer(before)!)).toBe(cidToString(b.identity.id))
    expect(await blocksUnder(c, name)).toBe(0)

    const home = await migrateToServer(ctx)
    await ctx.close()
    expect(cidToString(home)).toBe(cidToString(c.identity.id))
    for (const d of [pki, b, c]) {
      const chain = await servicesVia(d).coreNode.getChain(name)
      expect(cidToString(chainHomeServer(chain)!)).toBe(cidToString(c.identity.id))
      expect(chain[chain.length - 1].owner.equals(before[before.length - 1].owner)).toBe(true)
    }
    // C now holds the user's blocks and the same signed pointers B had.
    expect(await blocksUnder(c, name)).toBeGreaterThan(0)
    const owner = ctx.identity.publicKeyHash
    expect(Buffer.from((await c.stores.pointers.get(owner))!).equals(Buffer.from((await b.stores.pointers.get(owner))!))).toBe(true)
    expect(Buffer.from((await c.stores.pointers.get(ctx.home.writer))!).equals(Buffer.from((await b.stores.pointers.get(ctx.home.writer))!))).toBe(true)
    // The pending follow request moved too.
    const auth = signTime(c.crypto, ctx.identity.secretKey)
    const requests = asList(decodeCbor(await servicesVia(c, c.identity.id).social.getFollowRequests(ctx.identity.publicKeyHash, auth)), 'requests')
    expect(requests).toHaveLength(1)
  })

  it('logs the user in afterwards through C and through B; files read back, new writes land on C', async () => {
    const viaC = await UserContext.signIn(networkOf(c), name, PASSWORD)
    expect(new TextDecoder().decode(await viaC.fs.readFileBytes(`/${name}/docs/notes.txt`))).toBe('notes that must survive the move')
    expect(Buffer.from(await viaC.fs.readFileBytes(`/${name}/big.bin`)).equals(Buffer.from(large))).toBe(true)
    await viaC.fs.writeFile(`/${name}/docs/after.txt`, new TextEncoder().encode('written after the move'))
    await viaC.close()
    const bBlocks = await blocksUnder(b, name)

    const viaB = await UserContext.signIn(networkOf(b), name, PASSWORD)
    expect(new TextDecoder().decode(await viaB.fs.readFileBytes(`/${name}/docs/after.txt`))).toBe('written after the move')
    await viaB.fs.writeFile(`/${name}/docs/through-b.txt`, new TextEncoder().encode('sent to the new home'))
    await viaB.close()
    expect(await blocksUnder(b, name)).toBe(bBlocks)
    const onC = await UserContext.signIn(networkOf(c), name, PASSWORD)
    expect(new TextDecoder().decode(await onC.fs.readFileBytes(`/${name}/docs/through-b.txt`))).toBe('sent to the new home')
    await onC.close()
  })

  it('has B refuse writes for the user that reach it over p2p', async () => {
    const ctx = await UserContext.signIn(networkOf(c), name, PASSWORD)
    const bThroughC = servicesVia(c, b.identity.id)
    await expect(bThroughC.storage.startTransaction(ctx.identity.publicKeyHash)).rejects.toMatchObject({ name: 'WriterNotAllowedError' })
    await ctx.close()
  })
})
