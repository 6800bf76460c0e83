// bin/peergos-ts.js runs the prebuilt bundle (dist/cli) only while it is at least as new as every
// source it was built from, and the sources through tsx otherwise. Checked on a copy of the package's
// layout whose "bundle" announces itself, so the real dist/cli is never touched.
import { cp, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, REPO } from './cli-env.ts'

describe('the command-line bundle', () => {
  let root: string
  const run = (args: string[], env: Record<string, string> = {}) => cli(args, env, [process.execPath, join(root, 'bin', 'peergos-ts.js')])
  const stamp = (startedAt: number) => writeFile(join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify({ startedAt, inputs: ['src/cli/main.ts', 'src/server/package-root.ts'] }))

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'pts-bundle-'))
    await mkdir(join(root, 'bin'))
    await mkdir(join(root, 'dist', 'cli'), { recursive: true })
    await cp(join(REPO, 'bin', 'peergos-ts.js'), join(root, 'bin', 'peergos-ts.js'))
    for (const f of ['src', 'node_modules', 'package.json']) await symlink(join(REPO, f), join(root, f))
    await writeFile(join(root, 'dist', 'cli', 'main.mjs'), "export async function main(args) { process.stdout.write('bundle ' + args.join(' ') + '\\n'); return 0 }\n")
  })
  afterAll(async () => {
    await rm(root, { recursive: true, force: true })
  })

  it('runs the bundle when no source is newer than its build', async () => {
    await stamp(Date.now() + 60_000)
    const r = await run(['version'])
    expect(r.out.toString()).toBe('bundle version\n')
  })

  it('runs the sources when one of them changed after the build, or when asked to', async () => {
    await stamp(0)
    const stale = await run(['version'])
    expect(stale.code, stale.err).toBe(0)
    expect(stale.out.toString()).toMatch(/^\d+\.\d+\.\d+\n$/)
    await stamp(Date.now() + 60_000)
    expect((await run(['version'], { PEERGOS_TS_FROM_SOURCE: '1' })).out.toString()).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('runs the sources when the bundle lists a source that is gone', async () => {
    await writeFile(join(root, 'dist', 'cli', 'inputs.json'), JSON.stringify({ startedAt: Date.now() + 60_000, inputs: ['src/no-such-file.ts'] }))
    expect((await run(['version'])).out.toString()).toMatch(/^\d+\.\d+\.\d+\n$/)
  })

  it('the real bundle prints what the sources print', async () => {
    const [bundled, source] = await Promise.all([cli(['help']), cli(['help'], { PEERGOS_TS_FROM_SOURCE: '1' })])
    expect(bundled.code).toBe(0)
    expect(bundled.out.toString()).toBe(source.out.toString())
  })
})
