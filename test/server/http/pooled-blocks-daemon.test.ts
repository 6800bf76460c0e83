// Pooled buffers on a real daemon (block-write bodies and blocks read for block/get reuse memory): many
// 1 MiB fragments with BAT prefix written and read concurrently over HTTP, in shuffled order and with the
// same block read by several requests at once, always come back byte for byte; writes refused (bad
// signature, oversize) leave later ones intact. A buffer released while still in use would show here.
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NodePoster as NodeHttpPoster } from '../../../src/server/http/node-poster.ts'
import type { CID } from '../../../src/codec/cid.ts'
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { randomBat } from '../../../src/model/bat.ts'
import { calculateBatId, type BatWithId } from '../../../src/model/bat-id.ts'
import { createRawBlockPrefix } from '../../../src/model/bat-prefix.ts'
import { concatBytes } from '../../../src/model/bytes.ts'
import { MAX_FRAGMENT_SIZE } from '../../../src/model/fragmented-cipher-text.ts'
import { parseDaemonArgs } from '../../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../../src/server/daemon.ts'
import { createLogger } from '../../../src/server/log.ts'
import { RemoteUser } from '../crash/remote-user.ts'
import { signBlock } from '../services/storage-fixtures.ts'

let dir: string
let daemon: RunningDaemon
let poster: NodeHttpPoster

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pts-pooled-'))
  daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--no-p2p', '--default-quota', '1g']), createLogger('silent'))
  poster = new NodeHttpPoster(daemon.url)
}, 60_000)
afterAll(async () => {
  poster?.close()
  await daemon?.close()
  await rm(dir, { recursive: true, force: true })
})

/** Runs `fn` over `items` with `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++])
  }))
}

it('writes and reads 1 MiB fragments concurrently, every one byte for byte', async () => {
  const c = daemon.crypto
  const net = { crypto: c, ...httpNetworkServices(poster) }
  const user = await RemoteUser.signUp(net, 'pooled')
  const mirror = calculateBatId(c, randomBat(c))
  const tid = await net.storage.startTransaction(user.owner)
  const fragments: Array<{ data: Uint8Array; bat: BatWithId; cid?: CID }> = Array.from({ length: 24 }, () => {
    const bat = randomBat(c)
    return { data: concatBytes(createRawBlockPrefix(bat, mirror), c.randomBytes(MAX_FRAGMENT_SIZE)), bat: { bat, id: calculateBatId(c, bat) } }
  })
  const put = (f: (typeof fragments)[number]) => net.storage.put(user.owner, user.owner, [signBlock(c, user.identity.signer, f.data)], [f.data], tid, true)
  await pool(fragments, 8, async (f) => {
    ;[f.cid] = await put(f)
  })
  // Refused writes in between: a forged signature, a block over the cap.
  const forged = { ...fragments[0], data: c.randomBytes(1000) }
  await expect(net.storage.put(user.owner, user.owner, [signBlock(c, user.identity.signer, fragments[1].data)], [forged.data], tid, true)).rejects.toThrow('Invalid signature for block!')
  const tooBig = c.randomBytes(MAX_FRAGMENT_SIZE + 200_000)
  await expect(net.storage.put(user.owner, user.owner, [signBlock(c, user.identity.signer, tooBig)], [tooBig], tid, true)).rejects.toThrow(/Block too big|must be smaller than 1MiB/)

  // Each block read three times, shuffled, eight requests in flight.
  const reads = [...fragments, ...fragments, ...fragments].map((f) => ({ f, r: c.randomBytes(4)[0] })).sort((a, b) => a.r - b.r).map((x) => x.f)
  await pool(reads, 8, async (f) => {
    const got = await net.storage.get(user.owner, f.cid!, f.bat)
    expect(got !== undefined && Buffer.from(got).equals(Buffer.from(f.data))).toBe(true)
  })
  // And written again (already stored): still the same bytes.
  await pool(fragments.slice(0, 8), 8, async (f) => {
    expect((await put(f))[0].equals(f.cid!)).toBe(true)
  })
  for (const f of fragments.slice(0, 8)) expect(Buffer.from((await net.storage.get(user.owner, f.cid!, f.bat))!).equals(Buffer.from(f.data))).toBe(true)
  await net.storage.closeTransaction(user.owner, tid)
}, 120_000)
