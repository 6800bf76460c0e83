// Power loss under FileBlockStore (checklist B4.4, B3 invariants 1-3): writers put blocks until the
// simulated power cut at a random file-system call; the disk keeps only what was fsynced; after
// recovery every acknowledged block reads back byte-exact and no file on disk is torn.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { blockCid, verifyBlock, type CID } from '../../../src/codec/cid.ts'
import { createNodeCrypto } from '../../../src/crypto/providers/node.ts'
import { keyToCid } from '../../../src/server/blocks/block-key.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { MAX_BLOCK_SIZE } from '../../../src/services/content-addressed-storage.ts'
import { listFiles } from '../blocks/helpers.ts'
import { LossyFs } from './lossy-fs.ts'

const SEED = Number(process.env.PEERGOS_CRASH_SEED ?? Math.floor(Math.random() * 2 ** 31))
const TRIALS = 16

function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

describe('FileBlockStore keeps every acknowledged block through a power loss', () => {
  const dirs: string[] = []
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it(`recovers at ${TRIALS} random power cuts (seed ${SEED})`, async () => {
    console.log(`[power-loss seed=${SEED}] replay with PEERGOS_CRASH_SEED=${SEED} npx vitest run test/server/crash/power-loss.test.ts`)
    const rand = prng(SEED)
    const c = await createNodeCrypto()
    const block = (raw: boolean): { cid: CID; bytes: Uint8Array } => {
      // At most MAX_BLOCK_SIZE (1 MiB + 100): 1000 + a random part of 1 MiB could pass it and be refused.
      const size = rand() < 0.2 ? Math.floor(rand() * 100) : Math.min(MAX_BLOCK_SIZE, 1000 + Math.floor(rand() * (rand() < 0.2 ? 1024 * 1024 : 64 * 1024)))
      const bytes = c.randomBytes(size)
      return { cid: blockCid(c, bytes, raw), bytes }
    }
    let lostFiles = 0
    let interrupted = 0
    let ackedInAll = 0
    for (let trial = 0; trial < TRIALS; trial++) {
      const root = await mkdtemp(join(tmpdir(), 'pts-power-'))
      dirs.push(root)
      // A store that was shut down cleanly, holding a few blocks.
      const acked: Array<{ cid: CID; bytes: Uint8Array }> = []
      const clean = await FileBlockStore.open({ root, crypto: c })
      for (let i = 0; i < 3; i++) {
        const b = block(true)
        await clean.put('alice', b.cid, b.bytes)
        acked.push(b)
      }
      await clean.close()

      const fs = new LossyFs(root)
      const store = await FileBlockStore.open({ root, crypto: c, fs, syncOnOpen: false })
      fs.cutAfter = fs.calls + 1 + Math.floor(rand() * 150)
      // Three writers: single puts, batches, re-puts of acknowledged blocks, for two owners.
      const writer = async (owner: string): Promise<void> => {
        while (!fs.powerLost) {
          const r = rand()
          const batch = r < 0.6 ? [block(rand() < 0.7)] : r < 0.85 ? [block(true), block(true), block(false)] : [acked[Math.floor(rand() * acked.length)]]
          try {
            if (batch.length === 1) await store.put(owner, batch[0].cid, batch[0].bytes)
            else await store.putMany(owner, batch)
          } catch (e) {
            if (!fs.powerLost) throw e
            interrupted++
            return
          }
          acked.push(...batch)
        }
      }
      await Promise.all([writer('alice'), writer('bob'), writer('alice')])
      const report = fs.powerLoss()
      lostFiles += report.lostFiles

      const recovered = await FileBlockStore.open({ root, crypto: c })
      const blocksDir = join(root, '.ipfs', 'blocks')
      expect(listFiles(blocksDir).filter((f) => f.endsWith('.tmp')), `trial ${trial}: temp files after recovery`).toEqual([])
      for (const f of listFiles(blocksDir)) {
        const cid = keyToCid(f.slice(f.lastIndexOf('/') + 1).replace(/\.data$/, ''))
        expect(cid, `trial ${trial}: unexpected ${f}`).toBeDefined()
        verifyBlock(c, cid!, new Uint8Array(await readFile(join(blocksDir, f)))) // never a torn block
      }
      for (const b of acked) {
        const bytes = await recovered.get(b.cid)
        expect(bytes, `trial ${trial}: acknowledged ${b.cid} lost`).toBeDefined()
        expect(Buffer.from(bytes!).equals(Buffer.from(b.bytes)), `trial ${trial}: acknowledged ${b.cid} changed`).toBe(true)
      }
      ackedInAll += acked.length
      await recovered.close()
      await rm(root, { recursive: true, force: true })
    }
    console.log(`[power-loss seed=${SEED}] ${TRIALS} power cuts: ${ackedInAll} acknowledged block writes all kept, ${interrupted} interrupted, ` +
      `${lostFiles} files found empty after the cut (a name that reached the disk before its data) and dropped`)
  }, 60_000)
})
