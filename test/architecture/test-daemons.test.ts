// Tests use only 127.0.0.1: a daemon a test starts must not take libp2p's public default
// (/ip4/0.0.0.0/tcp/4001), which would also make parallel test files collide on the port.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { expect, it } from 'vitest'

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? testFiles(p) : p.endsWith('.ts') ? [p] : []
  })
}

it('every daemon a test starts listens for libp2p on loopback (or not at all)', () => {
  const offenders: string[] = []
  for (const file of testFiles(new URL('..', import.meta.url).pathname)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (/parseDaemonArgs\(\[\s*'--dir'/.test(line) && !/p2p-listen|no-p2p|\.\.\.p2p/.test(line)) offenders.push(`${file}: ${line.trim()}`)
    }
  }
  expect(offenders).toEqual([])
})
