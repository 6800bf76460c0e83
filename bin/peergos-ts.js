#!/usr/bin/env node
// Entry point of the `peergos-ts` command. Runs the prebuilt bundle in dist/cli (scripts/build-cli.mjs,
// made by `npm ci` / `npm run build:cli`) when it is at least as new as every source it was built
// from; otherwise loads the TypeScript sources through tsx's loader, so an edited checkout never runs
// stale code.
import { readFileSync, statSync } from 'node:fs'

const root = new URL('../', import.meta.url)

function freshBundle() {
  try {
    const { startedAt, inputs } = JSON.parse(readFileSync(new URL('dist/cli/inputs.json', root), 'utf8'))
    for (const f of inputs) if (statSync(new URL(f, root)).mtimeMs > startedAt) return undefined
    return new URL('dist/cli/main.mjs', root)
  } catch {
    return undefined // no bundle, or a source gone: run the sources
  }
}

const bundle = process.env.PEERGOS_TS_FROM_SOURCE === '1' ? undefined : freshBundle()
let main
if (bundle !== undefined) {
  ;({ main } = await import(bundle.href))
} else {
  const { register } = await import('tsx/esm/api')
  register()
  ;({ main } = await import('../src/cli/main.ts'))
}
process.exitCode = await main(process.argv.slice(2))
