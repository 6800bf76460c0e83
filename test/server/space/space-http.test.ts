// The SpaceUsage service over HTTP (/peergos/v0/storage/usage and quota, Peergos SpaceHandler) in front of
// the accounting, with writes over HTTP too: usage with and without pending bytes, the quota, the owner's
// signed time (300 s, right key), and a refused put arriving as QuotaExceededError with Peergos' text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { httpNetworkServices, type HttpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster } from '../../../src/http/poster.ts'
import { createApiHandler } from '../../../src/http/router.ts'
import { signTime } from '../../../src/model/signed-time.ts'
import { startHttpServer, type RunningHttpServer } from '../../../src/server/http/node-server.ts'
import { LocalSpaceUsage } from '../../../src/server/space/local-space-usage.ts'
import { QuotaExceededError } from '../../../src/services/errors.ts'
import { newSigner, TestUser, uniqueName, type WriterState } from '../services/storage-fixtures.ts'
import { KiB, MiB, openSpaceEnv, uploadFile, walkSize, type SpaceEnv } from './space-env.ts'

describe('space usage and quota over HTTP', () => {
  let env: SpaceEnv
  let server: RunningHttpServer
  let net: HttpNetworkServices
  let u: TestUser
  let w: WriterState

  beforeAll(async () => {
    env = await openSpaceEnv({ defaultQuota: 2 * MiB })
    const spaceUsage = new LocalSpaceUsage({ crypto: env.crypto, accounting: env.space, resolveKey: (h) => env.services.context.keys.get(h) })
    server = await startHttpServer(createApiHandler({ storage: env.storage, pointers: env.pointers, spaceUsage }))
    net = httpNetworkServices(new FetchPoster(server.url))
    // the user writes over HTTP as well
    u = await TestUser.create({ crypto: env.crypto, storage: net.storage, pointers: net.pointers, registerUser: env.registerUser }, uniqueName('http'))
    w = await u.addWriter()
    await uploadFile(u, w, 300 * KiB)
  })
  afterAll(async () => {
    await server?.close(100)
    await env?.close()
  })

  const auth = (millis?: number): Uint8Array => signTime(env.crypto, u.identity.signer.secretKey, millis)

  it('reports the usage the server counted, with the owner\'s signed time', async () => {
    await env.space.idle()
    const walked = (await walkSize(env, u.owner)) + (await walkSize(env, w.hash))
    expect(await net.spaceUsage.getUsage(u.owner, auth(), false)).toBe(walked)
    expect(await net.spaceUsage.getUsage(u.owner, auth(), true)).toBe(walked)
  })

  it('counts uncommitted writes only in the local (expected) usage', async () => {
    const before = await net.spaceUsage.getUsage(u.owner, auth(), false)
    await u.put(w.signer, [u.c.randomBytes(100 * KiB)], true)
    expect(await net.spaceUsage.getUsage(u.owner, auth(), false)).toBe(before)
    expect(await net.spaceUsage.getUsage(u.owner, auth(), true)).toBe(before + 100 * KiB)
    await uploadFile(u, w, KiB) // the commit confirms the writer's pending bytes
    expect(await net.spaceUsage.getUsage(u.owner, auth(), true)).toBe(await net.spaceUsage.getUsage(u.owner, auth(), false))
  })

  it('reports the default quota, then an explicit one as soon as it is set', async () => {
    expect(await net.spaceUsage.getQuota(u.owner, auth())).toBe(2 * MiB)
    await env.stores.quotas.setQuota(u.username, 5 * MiB)
    expect(await net.spaceUsage.getQuota(u.owner, auth())).toBe(5 * MiB)
    await env.stores.quotas.setQuota(u.username, 2 * MiB)
    expect(await net.spaceUsage.getQuota(u.owner, auth())).toBe(2 * MiB)
  })

  it('refuses a stale signed time, one from the future, and one signed by another key', async () => {
    await expect(net.spaceUsage.getUsage(u.owner, auth(Date.now() - 301_000), false)).rejects.toThrow(/Stale auth time/)
    await expect(net.spaceUsage.getQuota(u.owner, auth(Date.now() + 301_000))).rejects.toThrow(/Stale auth time/)
    const mallory = newSigner(env.crypto)
    await expect(net.spaceUsage.getUsage(u.owner, signTime(env.crypto, mallory.secretKey), false)).rejects.toThrow()
    expect(await net.spaceUsage.getUsage(u.owner, auth(Date.now() - 290_000), false)).toBeGreaterThan(0)
  })

  it('refuses a put over the quota with Peergos\' "Storage quota reached"', async () => {
    const err = await uploadFile(u, w, 3 * MiB).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect((err as Error).message).toContain('Storage quota reached')
  })
})
