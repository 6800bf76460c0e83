#!/usr/bin/env node
// Builds the command line (src/cli/main.ts and everything it imports from src/) into one ES module
// bundle with lazily loaded chunks in dist/cli, so `peergos-ts` starts without compiling TypeScript.
// npm packages stay external (loaded from node_modules as usual). dist/cli/inputs.json lists the
// source files and the build's start time: bin/peergos-ts.js uses the bundle only while none of
// them is newer, and otherwise runs the sources through tsx.
import { build } from 'esbuild'
import { mkdir, rename, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const OUT = join(ROOT, 'dist', 'cli')

export async function buildCli() {
  const startedAt = Date.now()
  const tmp = `${OUT}.tmp-${process.pid}`
  await rm(tmp, { recursive: true, force: true })
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['src/cli/main.ts'],
    outdir: tmp,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  })
  const inputs = Object.keys(result.metafile.inputs).filter((f) => f.startsWith('src/'))
  await writeFile(join(tmp, 'inputs.json'), JSON.stringify({ startedAt, inputs }))
  await mkdir(dirname(OUT), { recursive: true })
  // swap in whole: a concurrent `peergos-ts` sees the old bundle or the new one, or none (then tsx)
  const old = `${OUT}.old-${process.pid}`
  await rename(OUT, old).catch(() => {})
  await rename(tmp, OUT)
  await rm(old, { recursive: true, force: true })
  return { inputs: inputs.length, ms: Date.now() - startedAt }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r = await buildCli()
  console.log(`dist/cli: ${r.inputs} sources bundled in ${r.ms} ms`)
}
