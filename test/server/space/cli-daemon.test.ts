// The operator commands as a process (`node bin/peergos-ts.js token create|list`, `quota set|show`) on a
// data directory, then a daemon on that directory: a signup with the CLI's token (--require-signup-token),
// the CLI's quota served over HTTP, the user's usage over HTTP equal to a walk of their blocks.
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { signUp } from '../../../src/client/signup.ts'
import { httpNetworkServices } from '../../../src/http/clients/network.ts'
import { FetchPoster } from '../../../src/http/poster.ts'
import { scryptGenerator } from '../../../src/model/secret-generation-algorithm.ts'
import { signTime } from '../../../src/model/signed-time.ts'
import { parseDaemonArgs } from '../../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../../src/server/daemon.ts'
import { createLogger } from '../../../src/server/log.ts'
import { MiB, walkSize } from './space-env.ts'

const REPO = fileURLToPath(new URL('../../../', import.meta.url))

function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/peergos-ts.js', ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => (out += d.toString()))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, out, err }))
  })
}

describe('peergos-ts token and quota commands, and a daemon using them', () => {
  const dirs: string[] = []
  let daemon: RunningDaemon | undefined
  afterAll(async () => {
    await daemon?.close()
    for (const d of dirs) await rm(d, { recursive: true, force: true })
  })

  it('documents the commands in --help', async () => {
    const help = await cli('--help')
    expect(help.out).toMatch(/token\s+create or list signup tokens/)
    expect(help.out).toMatch(/quota\s+set or show/)
    expect((await cli('quota', '--help')).out).toContain('set USER SIZE')
    expect((await cli('token', '--help')).out).toContain('create')
    const bad = await cli('quota', 'set', 'alice')
    expect(bad.code).toBe(2)
    expect(bad.err).toContain('quota set needs USER and SIZE')
  }, 60_000)

  it('creates a token and a quota that a daemon on the same directory uses', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pts-cli-'))
    dirs.push(dir)
    const created = await cli('token', 'create', '--dir', dir)
    expect(created.code).toBe(0)
    const token = created.out.trim()
    expect(token).toMatch(/^[0-9a-f]{64}$/)
    expect((await cli('token', 'list', '--dir', dir)).out.trim()).toBe(token)
    expect((await cli('quota', 'set', 'alice', '3m', '--dir', dir)).out).toBe('alice 3145728 (3 MiB)\n')
    expect((await cli('quota', 'show', 'alice', '--dir', dir)).out).toBe('alice quota 3145728 (3 MiB) used 0 (0 B)\n')

    daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--port', '0', '--gc-period', '0', '--p2p-listen', '/ip4/127.0.0.1/tcp/0', '--require-signup-token', '--default-quota', '2m']), createLogger('silent'))
    const c = daemon.crypto
    const net = { crypto: c, ...httpNetworkServices(new FetchPoster(daemon.url)) }
    const algorithm = scryptGenerator(15, 8, 1, 64, 'salt')
    await expect(signUp(net, 'bob', 'password', { algorithm })).rejects.toThrow()
    const alice = await signUp(net, 'alice', 'password', { algorithm, token })
    expect((await cli('token', 'list', '--dir', dir)).out).toBe('') // used up

    const auth = (): Uint8Array => signTime(c, alice.identity.secretKey)
    expect(await net.spaceUsage.getQuota(alice.identity.publicKeyHash, auth())).toBe(3 * MiB)
    const usage = await net.spaceUsage.getUsage(alice.identity.publicKeyHash, auth(), false)
    const walked = (await walkSize(daemon, alice.identity.publicKeyHash)) + (await walkSize(daemon, alice.rootWriter.publicKeyHash))
    expect(usage).toBe(walked)
    expect(usage).toBeGreaterThan(500)

    expect((await cli('quota', 'set', 'alice', '4m', '--dir', dir)).code).toBe(0)
    expect(await net.spaceUsage.getQuota(alice.identity.publicKeyHash, auth())).toBe(4 * MiB)
    await daemon.close()
    daemon = undefined
    expect((await cli('quota', 'show', 'alice', '--dir', dir)).out).toBe(`alice quota 4194304 (4 MiB) used ${usage} (${usage} B)\n`)
  }, 120_000)
})
