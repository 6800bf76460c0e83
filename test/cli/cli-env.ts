// Fixtures of the command-line tests: a real daemon on 127.0.0.1 (port 0), the real
// bin/peergos-ts.js run as a child process (environment without the caller's PEERGOS_* variables,
// stdin not a terminal unless asked), deterministic file contents and local tree hashing.
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect } from 'vitest'
import { DAEMON_OPTIONS, parseDaemonArgs } from '../../src/server/config.ts'
import { startDaemon, type RunningDaemon } from '../../src/server/daemon.ts'
import { createLogger } from '../../src/server/log.ts'

export const REPO = fileURLToPath(new URL('../../', import.meta.url))
export const MiB = 1024 * 1024

export interface Run {
  readonly code: number
  readonly out: Buffer
  readonly err: string
}

/** A daemon in a temporary directory; p2p (when this build has it) on a loopback port of its own. */
export async function startTestDaemon(): Promise<{ daemon: RunningDaemon; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'pts-cli-'))
  const p2p = DAEMON_OPTIONS.some((o) => o.name === 'p2p-listen') ? ['--p2p-listen', '/ip4/127.0.0.1/tcp/0'] : []
  const daemon = await startDaemon(parseDaemonArgs(['--dir', dir, '--host', '127.0.0.1', '--port', '0', '--gc-period', '0', ...p2p]), createLogger('silent'))
  return {
    daemon,
    dir,
    close: async () => {
      await daemon.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Runs `node bin/peergos-ts.js ...args` with `env` on top of the caller's environment minus PEERGOS_*. */
export function cli(args: readonly string[], env: Readonly<Record<string, string>> = {}, command: readonly string[] = [process.execPath, 'bin/peergos-ts.js']): Promise<Run> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PEERGOS_')))
  return new Promise((resolve, reject) => {
    const child = spawn(command[0], [...command.slice(1), ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...env } })
    const out: Buffer[] = []
    let err = ''
    child.stdout.on('data', (d: Buffer) => out.push(d))
    child.stderr.on('data', (d: Buffer) => (err += d.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? -1, out: Buffer.concat(out), err }))
  })
}

/** A failure as the CLI must report it: the exit status and one line `peergos-ts: ...` on stderr, no stack, no secret. */
export function expectFailure(r: Run, code: number, message: RegExp, secrets: readonly string[] = []): void {
  expect(r.code, r.err).toBe(code)
  expect(r.err).toMatch(/^peergos-ts: [^\n]+\n$/)
  expect(r.err).toMatch(message)
  expect(r.err).not.toMatch(/\n\s+at /)
  for (const s of secrets) expect(r.err + r.out.toString()).not.toContain(s)
}

import { pattern, sha256Hex as sha256 } from '../daemon-fixture.ts'

export { pattern, sha256 }

/** Writes files given by relative path under `root`. */
export async function writeTree(root: string, files: ReadonlyMap<string, Uint8Array>): Promise<void> {
  for (const [rel, data] of files) {
    await mkdir(dirname(join(root, rel)), { recursive: true })
    await writeFile(join(root, rel), data)
  }
}

/** sha256 of every file below `root`, by relative path. */
export async function hashTree(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>()
  const walk = async (dir: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const p = join(dir, e.name)
      if (e.isDirectory()) await walk(p)
      else out.set(relative(root, p), sha256(await readFile(p)))
    }
  }
  await walk(root)
  return out
}
