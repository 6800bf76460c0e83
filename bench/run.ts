// `npm run bench [filter]`: measures the figures of the performance table, prints them and merges
// them into bench/results.json as {"figures": {NAME: {"value": number, "unit": string}}}.
import '../src/polyfill.ts'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Figure } from './figures.ts'

const suites: Record<string, () => Promise<Figure[]>> = {
  crypto: async () => (await import('./crypto.bench.ts')).run(),
  cbor: async () => (await import('./cbor.bench.ts')).run(),
  champ: async () => (await import('./champ.bench.ts')).run(),
  server: async () => (await import('./server.bench.ts')).run(),
  p2p: async () => (await import('./p2p.bench.ts')).run(),
  federation: async () => (await import('./federation.bench.ts')).run(),
  client: async () => (await import('./client.ts')).run(),
  social: async () => (await import('./social.ts')).run(),
  web: async () => (await import('./web.ts')).run(),
}

const filter = process.argv[2]
const resultsPath = join(dirname(fileURLToPath(import.meta.url)), 'results.json')
const results: { figures: Record<string, { value: number; unit: string }> } = existsSync(resultsPath)
  ? JSON.parse(readFileSync(resultsPath, 'utf8'))
  : { figures: {} }

for (const [name, suite] of Object.entries(suites)) {
  if (filter !== undefined && !name.includes(filter)) continue
  for (const f of await suite()) {
    const value = Number(f.value.toPrecision(4))
    results.figures[f.name] = { value, unit: f.unit }
    console.log(`${f.name.padEnd(40)} ${String(value).padStart(12)} ${f.unit}`)
  }
}
const sorted = Object.fromEntries(Object.entries(results.figures).sort(([a], [b]) => a.localeCompare(b)))
writeFileSync(resultsPath, JSON.stringify({ figures: sorted }, null, 2) + '\n')
console.log(`\nwritten to ${resultsPath}`)
