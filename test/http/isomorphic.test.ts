// src/http must run in a browser (DESIGN.md "The house"): no node:* or Node-only imports, no Buffer or
// process; and its gzip helpers (CompressionStream) round-trip with a bound against gzip bombs.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { Readable } from 'node:stream'
import type { IncomingMessage } from 'node:http'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { HttpTransportError } from '../../src/http/errors.ts'
import { gunzip, gzip } from '../../src/http/gzip.ts'
import { readBody } from '../../src/server/http/body.ts'

const HTTP = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src', 'http')

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : n.endsWith('.ts') ? [join(dir, n)] : []))
}

describe('src/http is isomorphic', () => {
  const builtins = new Set(builtinModules)
  for (const file of walk(HTTP)) {
    it(file.slice(HTTP.length + 1), () => {
      const source = readFileSync(file, 'utf8')
      const code = source.replace(/\/\/.*$/gm, '')
      for (const m of code.matchAll(/from\s*['"]([^'"]+)['"]/g)) {
        const spec = m[1]
        expect(spec.startsWith('node:') || builtins.has(spec.split('/')[0]), spec).toBe(false)
        if (!spec.startsWith('.')) expect(spec.startsWith('multiformats/'), spec).toBe(true)
      }
      expect(/\bBuffer\.|\bprocess\.|\brequire\(/.test(code)).toBe(false)
      expect(source.split('\n').length).toBeLessThanOrEqual(300)
      expect(source.startsWith('// ')).toBe(true)
    })
  }
})

describe('gzip helpers', () => {
  it('round-trip and refuse to inflate past the bound', async () => {
    const data = new TextEncoder().encode(JSON.stringify(Array.from({ length: 1000 }, (_, i) => `user${i}`)))
    const z = await gzip(data)
    expect(z[0]).toBe(0x1f)
    expect(await gunzip(z, data.length)).toEqual(data)
    await expect(gunzip(z, data.length - 1)).rejects.toThrow(HttpTransportError)
    await expect(gunzip(new Uint8Array([1, 2, 3]), 100)).rejects.toThrow(HttpTransportError)
  })
})

describe('readBody', () => {
  it('stops pulling a stream as soon as it passes the limit', async () => {
    let pulled = 0
    const stream = new Readable({
      highWaterMark: 1024,
      read() {
        pulled++
        this.push(pulled > 1000 ? null : Buffer.alloc(1024))
      },
    })
    const req = Object.assign(stream, { headers: {} }) as unknown as IncomingMessage
    expect(await readBody(req, 4096)).toEqual({ ok: false, reason: 'too-large' })
    await new Promise((r) => setTimeout(r, 50))
    expect(pulled).toBeLessThan(10)
  })

  it('refuses a declared length over the limit without reading, and returns a plain Uint8Array', async () => {
    const declared = Object.assign(Readable.from([Buffer.alloc(10)]), { headers: { 'content-length': '5000' } }) as unknown as IncomingMessage
    expect(await readBody(declared, 4096)).toEqual({ ok: false, reason: 'too-large' })
    const small = Object.assign(Readable.from([Buffer.from([1, 2]), Buffer.from([3])]), { headers: {} }) as unknown as IncomingMessage
    const r = await readBody(small, 4096)
    expect(r.ok && Object.getPrototypeOf(r.body)).toBe(Uint8Array.prototype)
    expect(r.ok && [...r.body]).toEqual([1, 2, 3])
  })
})
