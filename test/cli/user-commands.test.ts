// The user commands end to end: the real bin/peergos-ts.js as child processes against a real daemon
// on 127.0.0.1, over the Peergos HTTP API only. A user signs up, puts and gets a 12 MiB file and a
// tree of 300 small files (every sha256 equal after the round trip), lists (text and --json), stats,
// makes, moves, copies and removes; two processes put into one folder at once and nothing is lost;
// the password is changed (the new one works, the old one fails with one line); on a terminal (a pty
// from `script`) the password prompt does not echo and the progress line is drawn, without one the
// prompt is refused; usage errors exit 2; `get REMOTE -` writes to stdout. Every CLI run signs in
// (scrypt), so independent runs go in parallel.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { spawn } from 'node:child_process'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { cli, expectFailure, hashTree, MiB, pattern, REPO, sha256, startTestDaemon, writeTree, type Run } from './cli-env.ts'

const PASSWORD = 'a long and unusual password'
const NEW_PASSWORD = 'another quite long password'
let password = PASSWORD
const big = pattern(12 * MiB + 77, 7)

let server: string
let close: () => Promise<void>
let local: string

/** A command as alice, with her current password from PEERGOS_PASSWORD. */
function alice(...args: string[]): Promise<Run> {
  return cli([...args, '--server', server], { PEERGOS_USERNAME: 'alice', PEERGOS_PASSWORD: password })
}

/** A loopback port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer()
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve))
  const port = (srv.address() as AddressInfo).port
  await new Promise((resolve) => srv.close(resolve))
  return port
}

function json<T>(r: Run): T {
  expect(r.code, r.err).toBe(0)
  return JSON.parse(r.out.toString()) as T
}

interface Entry {
  name: string
  path: string
  type: string
  size: number
  hidden: boolean
  modified: string
}

beforeAll(async () => {
  const d = await startTestDaemon()
  server = d.daemon.url
  close = d.close
  local = await mkdtemp(join(tmpdir(), 'pts-cli-local-'))
}, 60_000)
afterAll(async () => {
  await close?.()
  await rm(local, { recursive: true, force: true })
})

describe('usage', () => {
  it('prints help per command and exits 2 on usage errors, with one line on stderr', async () => {
    const [help, putHelp, bogus, missing, extra, noUser, stdoutJson, badServer, unknown] = await Promise.all([
      cli(['help']),
      cli(['put', '--help']),
      cli(['ls', '--bogus', '/alice']),
      cli(['mv', '/alice/a']),
      cli(['stat', '/alice/a', '/alice/b']),
      cli(['login', '--server', 'http://127.0.0.1:9']),
      cli(['get', '/alice/a', '-', '--json']),
      cli(['ls', '/alice', '--server', 'not a url']),
      cli(['frobnicate']),
    ])
    expect(help.code).toBe(0)
    for (const c of ['signup', 'login', 'ls', 'stat', 'mkdir', 'put', 'get', 'rm', 'mv', 'cp', 'passwd']) expect(help.out.toString()).toMatch(new RegExp(`\\n  ${c}\\s+\\S`))
    expect(putHelp.code).toBe(0)
    expect(putHelp.out.toString()).toContain('Usage: peergos-ts put LOCAL REMOTE')
    expect(putHelp.out.toString()).toContain('--server URL')
    expectFailure(bogus, 2, /unknown option --bogus/)
    expectFailure(missing, 2, /missing arguments: peergos-ts mv FROM TO/)
    expectFailure(extra, 2, /too many arguments/)
    expectFailure(noUser, 2, /no username: give --username or set PEERGOS_USERNAME/)
    expectFailure(stdoutJson, 2, /--json cannot be used/)
    expectFailure(badServer, 2, /--server: not a URL/)
    expect(unknown.code).toBe(2)
  }, 60_000)

  it('refuses to prompt for a password without a terminal, and cannot reach a closed port', async () => {
    const port = await closedPort()
    const [noTty, closed] = await Promise.all([
      cli(['login', '--username', 'alice', '--server', server]),
      cli(['login', '--username', 'alice', '--server', `http://127.0.0.1:${port}`], { PEERGOS_PASSWORD: PASSWORD }),
    ])
    expectFailure(noTty, 1, /cannot ask for the password: stdin is not a terminal \(set PEERGOS_PASSWORD\)/)
    expectFailure(closed, 1, new RegExp(`cannot reach the server http://127\\.0\\.0\\.1:${port} \\(ECONNREFUSED\\)`), [PASSWORD])
  }, 60_000)
})

describe('an account', () => {
  it('signs up, refuses a weak password and a taken name', async () => {
    const weak = await cli(['signup', '--username', 'bob', '--server', server], { PEERGOS_PASSWORD: 'bob12' })
    expectFailure(weak, 1, /at least 8 characters/, ['bob12'])
    const up = await cli(['signup', '--username', 'alice', '--server', server], { PEERGOS_PASSWORD: PASSWORD })
    expect(up.code, up.err).toBe(0)
    expect(up.out.toString()).toBe(`signed up alice on ${server}\n`)
    const [again, wrong] = await Promise.all([
      cli(['signup', '--username', 'alice', '--server', server], { PEERGOS_PASSWORD: PASSWORD }),
      cli(['login', '--server', server], { PEERGOS_USERNAME: 'alice', PEERGOS_PASSWORD: 'not the password' }),
    ])
    expectFailure(again, 1, /already exists/i, [PASSWORD])
    expectFailure(wrong, 1, /^peergos-ts: Incorrect username or password\n$/, ['not the password'])
  }, 90_000)
})

describe('transfers', () => {
  it('puts and gets a 12 MiB file, to a file and to stdout', async () => {
    await writeFile(join(local, 'big.bin'), big)
    const put = json<{ path: string; files: number; bytes: number; ms: number }>(await alice('put', join(local, 'big.bin'), '/alice', '--json'))
    expect(put).toMatchObject({ path: '/alice/big.bin', files: 1, bytes: big.length })
    expect(put.ms).toBeGreaterThan(0)
    const [got, piped] = await Promise.all([
      alice('get', '/alice/big.bin', join(local, 'big.copy'), '--json'),
      alice('get', '/alice/big.bin', '-'),
    ])
    expect(json(got)).toMatchObject({ path: join(local, 'big.copy'), files: 1, bytes: big.length })
    expect(got.err).toBe('') // no progress bar when stderr is not a terminal
    expect(sha256(await readFile(join(local, 'big.copy')))).toBe(sha256(big))
    expect(piped.code, piped.err).toBe(0)
    expect(piped.out.length).toBe(big.length)
    expect(sha256(piped.out)).toBe(sha256(big))
  }, 90_000)

  it('on a terminal: asks for the password without echoing it and draws the progress on stderr', async () => {
    const target = join(local, 'big.tty')
    const cmd = `'${process.execPath}' bin/peergos-ts.js get /alice/big.bin '${target}' --username alice --server ${server}`
    const child = spawn('script', ['-qec', cmd, '/dev/null'], { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] })
    let seen = ''
    let typed = false
    child.stdout.on('data', (d: Buffer) => {
      seen += d.toString()
      if (!typed && seen.includes('Password for alice@')) {
        typed = true
        child.stdin.write(`${password}\r`)
      }
    })
    child.stderr.on('data', (d: Buffer) => (seen += d.toString()))
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
    expect(code, seen).toBe(0)
    expect(seen).not.toContain(password)
    expect(seen).toMatch(/\rbig\.bin \[#{24}\] 100% {2}12\.6\/12\.6 MB {2}[\d.]+ MB\/s\u001b\[K\r\n/)
    expect(sha256(await readFile(target))).toBe(sha256(big))
  }, 60_000)

  it('puts a tree of 300 small files and gets it back identical', async () => {
    const files = new Map<string, Uint8Array>()
    for (let i = 0; i < 300; i++) {
      const dir = i < 120 ? 'docs' : i < 240 ? 'docs/deep/er' : i < 296 ? 'photos' : 'small'
      files.set(`${dir}/f${String(i).padStart(3, '0')}.dat`, pattern((i * 97) % 5000, i))
    }
    files.set('.hidden-note', new TextEncoder().encode('dot file'))
    files.set('photos/empty', new Uint8Array(0))
    files.set('photos/medium.bin', pattern(2 * MiB + 5, 99)) // streamed, not batched
    await writeTree(join(local, 'tree'), files)
    await mkdir(join(local, 'tree', 'empty-dir'))
    const put = json<{ path: string; files: number; dirs: number; bytes: number }>(await alice('put', join(local, 'tree'), '/alice', '--json'))
    const bytes = [...files.values()].reduce((n, d) => n + d.length, 0)
    expect(put).toMatchObject({ path: '/alice/tree', files: 303, dirs: 6, bytes })

    const got = json<{ path: string; files: number; bytes: number; ms: number }>(await alice('get', '/alice/tree', join(local, 'tree.copy'), '--json'))
    expect(got).toMatchObject({ path: join(local, 'tree.copy'), files: 303, bytes })
    expect(got.ms).toBeGreaterThan(0)
    const want = await hashTree(join(local, 'tree'))
    expect(want.size).toBe(303)
    expect(await hashTree(join(local, 'tree.copy'))).toEqual(want)
    expect((await readFile(join(local, 'tree.copy', 'photos', 'empty'))).length).toBe(0)
  }, 90_000)

  it('two processes putting different files into one folder at once lose nothing', async () => {
    expect((await alice('mkdir', '/alice/conc')).code).toBe(0)
    const sets = ['a', 'b'].map((who, k) => {
      const files = new Map<string, Uint8Array>()
      for (let i = 0; i < 40; i++) files.set(`${who}${i}.txt`, pattern(100 + i, 1000 * (k + 1) + i))
      files.set(`${who}-large.bin`, pattern(MiB + 3000, 77 + k)) // one streamed file each
      return { root: join(local, `conc-${who}`, 'sub'), files }
    })
    for (const s of sets) await writeTree(s.root, s.files)
    const runs = await Promise.all(sets.map((s) => alice('put', s.root, '/alice/conc')))
    for (const r of runs) expect(r.code, r.err).toBe(0)
    const listed = json<Entry[]>(await alice('ls', '/alice/conc/sub', '--json'))
    const expected = [...sets[0].files.keys(), ...sets[1].files.keys()].sort()
    expect(listed.map((e) => e.name)).toEqual(expected)
    const got = await alice('get', '/alice/conc/sub', join(local, 'conc-got'))
    expect(got.code, got.err).toBe(0)
    const copy = await hashTree(join(local, 'conc-got'))
    for (const s of sets) for (const [name, data] of s.files) expect(copy.get(name)).toBe(sha256(data))
  }, 90_000)
})

describe('listing and changing the tree', () => {
  it('lists in text, long form, with hidden entries and as JSON; stats', async () => {
    const [short, long, all, asJson, st, stJson, missing] = await Promise.all([
      alice('ls', '/alice'),
      alice('ls', '-l', '/alice/tree/photos'),
      alice('ls', '-a', '/alice/tree'),
      alice('ls', '/alice/tree/docs', '--json'),
      alice('stat', '/alice/big.bin'),
      alice('stat', '/alice/tree', '--json'),
      alice('ls', '/alice/nothing-here'),
    ])
    expect(short.out.toString()).toBe('big.bin\nconc\ntree\n')
    const lines = long.out.toString().trimEnd().split('\n')
    expect(lines).toHaveLength(58)
    expect(lines.find((l) => l.endsWith(' medium.bin'))).toMatch(new RegExp(`^- ${2 * MiB + 5} \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d medium\\.bin$`))
    expect(all.out.toString()).toBe('.hidden-note\ndocs\nempty-dir\nphotos\nsmall\n')
    const entries = json<Entry[]>(asJson)
    expect(entries).toHaveLength(121)
    expect(entries[0]).toMatchObject({ name: 'deep', path: '/alice/tree/docs/deep', type: 'directory', hidden: false })
    expect(entries[1]).toMatchObject({ name: 'f000.dat', path: '/alice/tree/docs/f000.dat', type: 'file', size: 0 })
    expect(entries[2]).toMatchObject({ name: 'f001.dat', size: 97 })
    expect(Date.parse(entries[2].modified)).toBeGreaterThan(Date.parse('2024-01-01'))
    expect(st.out.toString()).toMatch(new RegExp(`^path: +/alice/big\\.bin\\ntype: +file\\nsize: +${12 * MiB + 77}\\n`))
    expect(json<Entry>(stJson)).toMatchObject({ name: 'tree', path: '/alice/tree', type: 'directory' })
    expectFailure(missing, 1, /\/alice\/nothing-here: no such file or directory/, [PASSWORD])
  }, 90_000)

  it('makes directories, moves, copies and removes', async () => {
    expect((await alice('mkdir', '-p', '/alice/work/a/b', '/alice/work/c', '/alice/work/gone/deeper')).code).toBe(0)
    const [exists, mvInto, cpDir, cpFile, rmDir] = await Promise.all([
      alice('mkdir', '/alice/work/c'),
      alice('mv', '/alice/big.bin', '/alice/work/c'),
      alice('cp', '/alice/tree/small', '/alice/work/a/b/pics'),
      alice('cp', '/alice/tree/.hidden-note', '/alice/work/note.txt'),
      alice('rm', '/alice/work/gone'),
    ])
    expectFailure(exists, 1, /\/alice\/work\/c already exists/)
    for (const r of [mvInto, cpDir, cpFile]) expect(r.code, r.err).toBe(0)
    expectFailure(rmDir, 1, /\/alice\/work\/gone is a directory \(use rm -r/)
    const changes = await Promise.all([
      alice('mv', '/alice/work/c/big.bin', '/alice/work/c/renamed.bin'),
      alice('rm', '-r', '/alice/work/gone'),
      alice('rm', '/alice/work/a/b/pics/f299.dat'),
    ])
    for (const r of changes) expect(r.code, r.err).toBe(0)

    const got = await alice('get', '/alice/work', local)
    expect(got.code, got.err).toBe(0)
    const work = await hashTree(join(local, 'work'))
    const small = await hashTree(join(local, 'tree', 'small'))
    small.delete('f299.dat')
    const expected = new Map([
      ['c/renamed.bin', sha256(big)],
      ['note.txt', sha256(new TextEncoder().encode('dot file'))],
      ...[...small].map(([k, v]): [string, string] => [`a/b/pics/${k}`, v]),
    ])
    expect(new Map([...work].sort())).toEqual(new Map([...expected].sort()))
    expect(small.size).toBe(3)
  }, 90_000)
})

describe('passwd', () => {
  it('changes the password: the new one logs in, the old one fails with one line', async () => {
    const changed = await cli(['passwd', '--server', server], { PEERGOS_USERNAME: 'alice', PEERGOS_PASSWORD: PASSWORD, PEERGOS_NEW_PASSWORD: NEW_PASSWORD })
    expect(changed.code, changed.err).toBe(0)
    expect(changed.out.toString() + changed.err).not.toContain(NEW_PASSWORD)
    password = NEW_PASSWORD
    const [fresh, old] = await Promise.all([
      alice('login'),
      cli(['login', '--username', 'alice', '--server', server], { PEERGOS_PASSWORD: PASSWORD }),
    ])
    expect(fresh.code, fresh.err).toBe(0)
    expect(fresh.out.toString()).toBe(`logged in as alice on ${server}\n`)
    expectFailure(old, 1, /^peergos-ts: Incorrect username or password\n$/, [PASSWORD])
  }, 90_000)
})
