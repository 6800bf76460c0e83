// kill -9 mid block-write (checklist B4.1, B3 kill points): a child prints each acknowledged CID and
// is SIGKILLed at random moments and after write / fdatasync / rename; on reopen every acknowledged
// block is present and re-hashes, nothing half-written is visible, and temp files are gone.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { parseCid, verifyBlock } from '../../../src/codec/cid.ts'
import { FileBlockStore } from '../../../src/server/blocks/file-block-store.ts'
import { crypto, listFiles } from './helpers.ts'

const HERE = dirname(fileURLToPath(import.meta.url))
const REPO = resolve(HERE, '..', '..', '..')
const FIXTURE = join(HERE, 'fixtures', 'crash-writer.ts')

interface Round {
  /** SIGKILL from outside after this many acknowledgements plus a random 0-20 ms. */
  readonly afterAcks?: number
  /** Or the child kills itself right after this fs call (`<op>:<n>`). */
  readonly killAt?: string
}

/** Runs the writer until it is killed; returns the CIDs it acknowledged. */
function runWriter(root: string, round: Round): Promise<string[]> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE, root, round.killAt ?? ''], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let killing = false
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      const acks = out.split('\n').slice(1, -1).length
      if (round.afterAcks !== undefined && acks >= round.afterAcks && !killing) {
        killing = true
        setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 20))
      }
    })
    child.on('exit', (code, signal) => {
      clearTimeout(timer)
      if (signal !== 'SIGKILL') return reject(new Error(`writer exited with ${code ?? signal}: ${err}`))
      const lines = out.split('\n')
      if (lines[0] !== 'ready') return reject(new Error(`writer never got ready: ${err}`))
      resolvePromise(lines.slice(1, -1)) // the last element is '' or an unfinished line
    })
  })
}

describe('FileBlockStore survives SIGKILL mid-write', () => {
  const root = mkdtempSync(join(tmpdir(), 'peergos-crash-'))
  afterAll(() => rmSync(root, { recursive: true, force: true }))
  const blocksDir = join(root, '.ipfs', 'blocks')
  const acknowledged: string[] = []

  const rounds: Array<[string, Round, number | undefined]> = [
    ['after a temp file write', { killAt: 'write:3' }, 1],
    ['after the temp file fdatasync', { killAt: 'datasync:2' }, 1],
    ['after the rename, before the directory fsync', { killAt: 'rename:4' }, 0],
    ...Array.from({ length: 6 }, (_, i): [string, Round, undefined] => [`at a random moment (#${i + 1})`, { afterAcks: 3 + ((i * 5) % 7) }, undefined]),
  ]

  for (const [what, round, expectedTemps] of rounds) {
    it(`keeps every acknowledged block when killed ${what}`, async () => {
      acknowledged.push(...(await runWriter(root, round)))
      const temps = listFiles(blocksDir).filter((f) => f.endsWith('.tmp'))
      if (expectedTemps !== undefined) expect(temps).toHaveLength(expectedTemps)

      const c = await crypto()
      const store = await FileBlockStore.open({ root, crypto: c })
      expect(store.recovery.tempFilesRemoved).toBe(temps.length)
      expect(listFiles(blocksDir).filter((f) => f.endsWith('.tmp'))).toEqual([])
      for (const s of acknowledged) {
        const cid = parseCid(s)
        const bytes = await store.get(cid)
        expect(bytes, `acknowledged ${s}`).toBeDefined()
        verifyBlock(c, cid, bytes as Uint8Array)
      }
      // Nothing half-written is visible: every file that is there (acknowledged or not) is whole.
      for await (const e of store.entries()) verifyBlock(c, e.cid, new Uint8Array(readFileSync(store.pathOf(e.ownerDir, e.cid))))
      await store.close()
    })
  }

  it('wrote a meaningful number of blocks across the rounds', () => {
    expect(acknowledged.length).toBeGreaterThanOrEqual(30)
  })
})
