// Architecture rules (DESIGN.md "The house"): each folder of src/ imports only from the layers
// below it, and the isomorphic layers (crypto interface, codec, model, champ, services, client)
// never import node:*, Node-only packages or server code, so they run unchanged in a browser.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src')

/** What each layer may import from (besides itself and the root files errors.ts / polyfill.ts). */
const ALLOWED: Record<string, string[]> = {
  crypto: [],
  codec: ['crypto'],
  model: ['crypto', 'codec'],
  champ: ['crypto', 'codec', 'model'],
  services: ['crypto', 'codec', 'model', 'champ'],
  client: ['crypto', 'codec', 'model', 'champ', 'services'],
  http: ['crypto', 'codec', 'model', 'champ', 'services'],
  server: ['crypto', 'codec', 'model', 'champ', 'services', 'client', 'http'],
  cli: ['crypto', 'codec', 'model', 'champ', 'services', 'client', 'http', 'server'],
  web: ['crypto', 'codec', 'model', 'champ', 'services', 'client', 'http'],
}
const ISOMORPHIC = new Set(['crypto', 'codec', 'model', 'champ', 'services', 'client', 'http', 'web'])
/** Node-only implementations that live inside an isomorphic folder by design. */
const NODE_ONLY_FILES = new Set([join('crypto', 'providers', 'node.ts')])
const NODE_ONLY_PACKAGES = ['sodium-native', 'better-sqlite3', 'pg', 'pino', '@aws-sdk/', 'libp2p', '@libp2p/', 'tsx']

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name)
    return statSync(p).isDirectory() ? walk(p) : /\.tsx?$/.test(p) ? [p] : []
  })
}

function imports(source: string): string[] {
  const out: string[] = []
  const re = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\s*\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2] ?? m[3])
  return out
}

const builtins = new Set(builtinModules)

/** The rule violations of one source file, given its path relative to src/. */
function violations(rel: string, source: string): string[] {
  const layer = rel.includes(sep) ? rel.split(sep)[0] : undefined
  if (layer === undefined) return []
  const problems: string[] = []
  const nodeAllowed = !ISOMORPHIC.has(layer) || NODE_ONLY_FILES.has(rel)
  for (const spec of imports(source)) {
    if (spec.startsWith('.')) {
      const target = relative(SRC, resolve(SRC, dirname(rel), spec))
      if (target.startsWith('..')) problems.push(`imports outside src: ${spec}`)
      const targetLayer = target.includes(sep) ? target.split(sep)[0] : undefined
      if (targetLayer !== undefined && targetLayer !== layer && !ALLOWED[layer].includes(targetLayer)) problems.push(`layer ${layer} imports ${targetLayer}: ${spec}`)
      if (!nodeAllowed && NODE_ONLY_FILES.has(target)) problems.push(`isomorphic code imports Node-only ${target}`)
    } else if (!nodeAllowed) {
      const bare = spec.startsWith('node:') ? spec.slice(5) : spec
      if (spec.startsWith('node:') || builtins.has(bare.split('/')[0])) problems.push(`isomorphic code imports a Node builtin: ${spec}`)
      if (NODE_ONLY_PACKAGES.some((p) => spec === p || spec.startsWith(p.endsWith('/') ? p : `${p}/`))) problems.push(`isomorphic code imports a Node-only package: ${spec}`)
    }
  }
  if (!nodeAllowed && /\bBuffer\.|\bprocess\.|\brequire\(/.test(source.replace(/\/\/.*$/gm, ''))) problems.push('isomorphic code uses Buffer, process or require')
  return problems
}

describe('layering', () => {
  const files = walk(SRC)

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(5)
  })

  it('detects each kind of violation', () => {
    expect(violations(join('model', 'x.ts'), "import { readFileSync } from 'node:fs'")).toHaveLength(1)
    expect(violations(join('client', 'x.ts'), "import fs from 'fs'")).toHaveLength(1)
    expect(violations(join('champ', 'x.ts'), "import Database from 'better-sqlite3'")).toHaveLength(1)
    expect(violations(join('model', 'x.ts'), "import { x } from '../server/daemon.ts'")).toHaveLength(1)
    expect(violations(join('codec', 'x.ts'), "export { y } from '../model/y.ts'")).toHaveLength(1)
    expect(violations(join('model', 'x.ts'), "const m = await import('../crypto/providers/node.ts')")).toHaveLength(1)
    expect(violations(join('client', 'x.ts'), 'const b = Buffer.from([1])')).toHaveLength(1)
    expect(violations(join('server', 'x.ts'), "import { readFileSync } from 'node:fs'\nimport { u } from '../client/u.ts'")).toEqual([])
    expect(violations(join('crypto', 'providers', 'node.ts'), "import sodium from 'sodium-native'")).toEqual([])
  })

  for (const file of files) {
    const rel = relative(SRC, file)
    it(`${rel} respects the layers`, () => {
      expect(violations(rel, readFileSync(file, 'utf8'))).toEqual([])
    })
  }
})
