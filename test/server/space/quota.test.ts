// Peergos' QuotaTests on real services (SQLite, FileBlockStore, signed writes): usage follows uploads and deletes
// exactly (against a full walk), over-quota puts are refused with Peergos' text, deletes pass at and over the quota,
// writers aggregate to their owner, pending bytes bound parallel puts, usage survives restarts and lost batches.
import { afterEach, describe, expect, it } from 'vitest'
import { QuotaExceededError } from '../../../src/services/errors.ts'
import { USAGE_TOLERANCE } from '../../../src/server/space/quota-rule.ts'
import { TestUser, uniqueName } from '../services/storage-fixtures.ts'
import { deleteFile, KiB, MiB, openSpaceEnv, uploadFile, usageOf, walkSize, type SpaceEnv } from './space-env.ts'

describe('space usage and quotas (QuotaTests)', () => {
  const envs: SpaceEnv[] = []
  const open = async (o: Parameters<typeof openSpaceEnv>[0] = {}): Promise<SpaceEnv> => {
    const env = await openSpaceEnv(o)
    envs.push(env)
    return env
  }
  afterEach(async () => {
    for (const e of envs.splice(0)) await e.close()
  })

  it('deletionsReduceUsage: usage grows with each upload and comes back with each delete, as a full walk counts it', async () => {
    const env = await open()
    const u = await TestUser.create(env, uniqueName('del'))
    const w = await u.addWriter()
    const baseline = await usageOf(env, u.owner)
    expect(baseline).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
    let empty: number | undefined // with an empty tree CHAMP, a few bytes more than without a tree
    for (let i = 0; i < 5; i++) {
      const f = await uploadFile(u, w, MiB)
      const after = await usageOf(env, u.owner)
      expect(after).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
      expect(after - baseline).toBeGreaterThan(MiB)
      await deleteFile(u, w, f)
      const back = await usageOf(env, u.owner)
      expect(back).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
      expect(back).toBe((empty ??= back))
      expect(back - baseline).toBeLessThan(100)
    }
  })

  it('keeps usage exact through many files in one tree (CHAMP splits and merges)', async () => {
    const env = await open()
    const u = await TestUser.create(env, uniqueName('many'))
    const w = await u.addWriter()
    const files = []
    for (let i = 0; i < 40; i++) files.push(await uploadFile(u, w, 1 + i * 997))
    expect(await usageOf(env, u.owner)).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
    for (const f of files.filter((_, i) => i % 3 !== 0)) await deleteFile(u, w, f)
    expect(await usageOf(env, u.owner)).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
  })

  it('quota: refuses a put over the quota with "Storage quota reached", before storing it', async () => {
    const env = await open({ defaultQuota: 2 * MiB })
    const u = await TestUser.create(env, uniqueName('quota'))
    const w = await u.addWriter()
    await uploadFile(u, w, MiB)
    const before = await usageOf(env, u.owner)
    const err = await uploadFile(u, w, 3 * MiB).then(() => undefined, (e: unknown) => e)
    expect(err).toBeInstanceOf(QuotaExceededError)
    expect((err as Error).message).toMatch(/^Storage quota reached! \nUsed \d+ out of 2097152 bytes\. Rejecting write of size \d+\./)
    expect(await usageOf(env, u.owner)).toBe(before)
  })

  it('applies an explicit quota instead of the default one', async () => {
    const env = await open({ defaultQuota: 64 * MiB })
    const u = await TestUser.create(env, uniqueName('explicit'))
    await env.stores.quotas.setQuota(u.username, 512 * KiB)
    const w = await u.addWriter()
    await expect(uploadFile(u, w, 600 * KiB)).rejects.toThrow(/Storage quota reached/)
    expect(await env.space.quota(u.username)).toBe(512 * KiB)
  })

  it('deletionAtQuota: a delete passes with usage exactly at the quota', async () => {
    const env = await open({ defaultQuota: 64 * MiB })
    const u = await TestUser.create(env, uniqueName('atquota'))
    const w = await u.addWriter()
    const f = await uploadFile(u, w, 300 * KiB)
    const full = await usageOf(env, u.owner)
    await env.stores.quotas.setQuota(u.username, full)
    await expect(uploadFile(u, w, 2 * MiB)).rejects.toThrow(QuotaExceededError) // beyond even the tolerance
    await deleteFile(u, w, f)
    expect(await usageOf(env, u.owner)).toBeLessThan(full - 300 * KiB)
  })

  it('deletionAfterExceedingQuota: after a refused upload the tolerance lets the user go over, and deletes still pass', async () => {
    const env = await open({ defaultQuota: 2 * MiB })
    const u = await TestUser.create(env, uniqueName('over'))
    const w = await u.addWriter()
    const used = await usageOf(env, u.owner)
    const f1 = await uploadFile(u, w, 2 * MiB - used - 16 * KiB)
    await expect(uploadFile(u, w, MiB)).rejects.toThrow(/Storage quota reached/)
    const f2 = await uploadFile(u, w, 512 * KiB) // errored: quota + 1 MiB applies
    const over = await usageOf(env, u.owner)
    expect(over).toBeGreaterThan(2 * MiB)
    expect(over).toBeLessThanOrEqual(2 * MiB + USAGE_TOLERANCE)
    await deleteFile(u, w, f2)
    await deleteFile(u, w, f1)
    expect(await usageOf(env, u.owner)).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
    expect(await usageOf(env, u.owner)).toBeLessThan(used + 64 * KiB)
    // back under the quota, the user is no longer errored: the quota is strict again
    await expect(uploadFile(u, w, 2 * MiB)).rejects.toThrow(/Storage quota reached/)
  })

  it('a delete passes when the usage is over the quota without a refusal (quota lowered)', async () => {
    const env = await open({ defaultQuota: 64 * MiB })
    const u = await TestUser.create(env, uniqueName('lowered'))
    const w = await u.addWriter()
    const f = await uploadFile(u, w, MiB)
    await env.stores.quotas.setQuota(u.username, 100 * KiB)
    await deleteFile(u, w, f)
    await expect(uploadFile(u, w, 200 * KiB)).rejects.toThrow(QuotaExceededError)
  })

  it('aggregates every writer of an owner, and drops a removed writer\'s usage', async () => {
    const env = await open()
    const u = await TestUser.create(env, uniqueName('agg'))
    const a = await u.addWriter()
    const b = await u.addWriter()
    const c = await u.addWriter(b) // owned by b, not directly by the identity
    await uploadFile(u, a, 200 * KiB)
    await uploadFile(u, b, 300 * KiB)
    await uploadFile(u, c, 400 * KiB)
    const walk = async (): Promise<number> => (await walkSize(env, u.owner)) + (await walkSize(env, a.hash)) + (await walkSize(env, b.hash)) + (await walkSize(env, c.hash))
    expect(await usageOf(env, u.owner)).toBe(await walk())
    const cSize = await walkSize(env, c.hash)
    const bSize = await walkSize(env, b.hash)
    await u.removeWriter(b) // b and, through it, c no longer count
    expect(await usageOf(env, u.owner)).toBe((await walkSize(env, u.owner)) + (await walkSize(env, a.hash)))
    expect(bSize + cSize).toBeGreaterThan(700 * KiB)
  })

  it('pending bytes: parallel puts before a commit cannot go beyond the quota and its tolerance', async () => {
    const env = await open({ defaultQuota: MiB })
    const u = await TestUser.create(env, uniqueName('pending'))
    const w = await u.addWriter()
    const used = await usageOf(env, u.owner)
    const blocks = Array.from({ length: 16 }, () => u.c.randomBytes(256 * KiB))
    const results = await u.tx((tid) => Promise.allSettled(blocks.map((b) => u.put(w.signer, [b], true, tid))))
    const accepted = results.filter((r) => r.status === 'fulfilled').length
    const refused = results.filter((r) => r.status === 'rejected')
    expect(refused.length).toBeGreaterThan(0)
    for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(QuotaExceededError)
    expect(used + accepted * 256 * KiB).toBeLessThanOrEqual(MiB + USAGE_TOLERANCE)
    const local = (await env.space.usage(u.owner)).expected
    expect(local).toBe(used + accepted * 256 * KiB)
    // the pointer update confirms them: pending drops, the committed tree counts
    await uploadFile(u, w, KiB)
    expect((await env.space.usage(u.owner)).expected).toBe(await usageOf(env, u.owner))
  })

  it('a pointer update does not wait long behind a slow accounting task, whose result follows', async () => {
    const env = await open({ hookWaitMs: 20 })
    const u = await TestUser.create(env, uniqueName('slow'))
    const w = await u.addWriter()
    const before = await usageOf(env, u.owner)
    let release!: () => void
    const blocker = new Promise<void>((r) => (release = r))
    // a long task ahead in the accounting queue (as a big account's first walk would be)
    void (env.space as unknown as { queue: { run(t: () => Promise<void>): Promise<void> } }).queue.run(() => blocker)
    const t0 = Date.now()
    await uploadFile(u, w, 64 * KiB)
    expect(Date.now() - t0).toBeLessThan(2000)
    expect((await env.space.usage(u.owner)).total).toBe(before)
    release()
    expect(await usageOf(env, u.owner)).toBe((await walkSize(env, u.owner)) + (await walkSize(env, w.hash)))
  })

  it('restart: usage is in the database, and reconcile redoes a batch lost in a crash', async () => {
    const first = await open()
    const u = await TestUser.create(first, uniqueName('restart'))
    const w = await u.addWriter()
    await uploadFile(u, w, 700 * KiB)
    const used = await usageOf(first, u.owner)
    await first.shutdown()

    const second = await openSpaceEnv({ root: first.root, users: first.users })
    expect((await second.space.usage(u.owner)).total).toBe(used)
    // a batch that never reaches the database (kill -9 right after the pointer update)
    second.space.state.flush = async () => {}
    const again = new TestUser_(second, u)
    await uploadFile(again.user, w, 500 * KiB)
    const later = await usageOf(second, u.owner)
    expect(later).toBeGreaterThan(used + 500 * KiB)
    await second.blocks.close()
    await second.stores.close()

    const third = await open({ root: first.root, users: first.users })
    expect((await third.space.usage(u.owner)).total).toBe(used)
    expect(await third.space.reconcile()).toMatchObject({ updated: 1 })
    expect(await usageOf(third, u.owner)).toBe(later)
  })
})

/** The same user (keys, versions) seen through another server process on the same data. */
class TestUser_ {
  readonly user: TestUser
  constructor(env: SpaceEnv, u: TestUser) {
    this.user = Object.assign(Object.create(Object.getPrototypeOf(u)), u, { bundle: env }) as TestUser
  }
}
