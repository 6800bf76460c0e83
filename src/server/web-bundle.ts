// Where the web UI's bundle is, and building it when it is missing or older than its sources (a
// fresh clone, or after editing src/web or the client library): Vite's build API with
// web.vite.config.ts, one build at a time across processes (a lock directory beside dist/web).
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { PeergosError } from '../errors.ts'
import { PACKAGE_ROOT } from './package-root.ts'

const execFileAsync = promisify(execFile)

/** The web UI could not be built (Vite missing in an installed package, or a build error). */
export class WebBuildError extends PeergosError {}

export { PACKAGE_ROOT }
/** The package's own bundle, served by default. */
export const DEFAULT_WEB_ROOT = join(PACKAGE_ROOT, 'dist', 'web')
const STAMP = '.build-stamp'
const LOCK = join(PACKAGE_ROOT, 'dist', '.web-build.lock')
const CONFIG = join(PACKAGE_ROOT, 'web.vite.config.ts')
/** What the bundle is built from: the UI and every layer it bundles. */
const SOURCES = ['src/web', 'src/client', 'src/crypto', 'src/codec', 'src/model', 'src/champ', 'src/services', 'src/http', 'src/errors.ts', 'web.vite.config.ts', 'package-lock.json', 'scripts/wasm-secretbox', 'scripts/wasm-scrypt', 'scripts/build-wasm.mjs']
/** Builds the SIMD secretbox and scrypt modules into src/crypto/generated/ when missing or stale (the bundle imports them). */
const WASM_BUILD = join(PACKAGE_ROOT, 'scripts', 'build-wasm.mjs')

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined)
  if (s === undefined) return 0
  if (!s.isDirectory()) return s.mtimeMs
  let newest = s.mtimeMs
  for (const name of await readdir(path)) newest = Math.max(newest, await newestMtime(join(path, name)))
  return newest
}

/** Whether dist/web is missing or older than its sources (false outside a source checkout). */
export async function webBundleIsStale(): Promise<boolean> {
  if (!existsSync(CONFIG) || !existsSync(join(PACKAGE_ROOT, 'src', 'web'))) return false
  const built = await stat(join(DEFAULT_WEB_ROOT, STAMP)).catch(() => undefined)
  if (built === undefined) return true
  let newest = 0
  for (const s of SOURCES) newest = Math.max(newest, await newestMtime(join(PACKAGE_ROOT, s)))
  return newest > built.mtimeMs
}

async function withLock<T>(f: () => Promise<T>): Promise<T> {
  await mkdir(dirname(LOCK), { recursive: true })
  for (;;) {
    try {
      await mkdir(LOCK)
      break
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e
      const held = await stat(LOCK).catch(() => undefined)
      // a builder that died leaves its lock: builds take seconds, so one older than 5 minutes is stale
      if (held !== undefined && Date.now() - held.mtimeMs > 5 * 60_000) await rm(LOCK, { recursive: true, force: true })
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  try {
    return await f()
  } finally {
    await rm(LOCK, { recursive: true, force: true })
  }
}

/**
 * Builds the package's bundle into dist/web: into a directory beside it first, then swapped in by
 * two renames, so a daemon serving dist/web meanwhile never finds it half written.
 */
export async function buildWebBundle(): Promise<void> {
  let vite: typeof import('vite')
  try {
    vite = await import('vite')
  } catch (e) {
    throw new WebBuildError('Vite is not installed: run `npm ci` (with dev dependencies) to build the web UI', { cause: e })
  }
  const fresh = `${DEFAULT_WEB_ROOT}.building-${process.pid}`
  const old = `${DEFAULT_WEB_ROOT}.old-${process.pid}`
  try {
    if (existsSync(WASM_BUILD)) await execFileAsync(process.execPath, [WASM_BUILD], { cwd: PACKAGE_ROOT })
    await vite.build({ configFile: CONFIG, logLevel: 'warn', build: { outDir: fresh, emptyOutDir: true } })
    await writeFile(join(fresh, STAMP), `${new Date().toISOString()}\n`)
    const had = existsSync(DEFAULT_WEB_ROOT)
    if (had) await rename(DEFAULT_WEB_ROOT, old)
    await rename(fresh, DEFAULT_WEB_ROOT)
    if (had) await rm(old, { recursive: true, force: true })
  } catch (e) {
    await rm(fresh, { recursive: true, force: true })
    throw new WebBuildError(`Building the web UI failed: ${(e as Error).message}`, { cause: e })
  }
}

/** Builds dist/web when it is missing or stale; returns whether it built. */
export async function ensureWebBundle(): Promise<boolean> {
  if (!(await webBundleIsStale())) return false
  return withLock(async () => {
    if (!(await webBundleIsStale())) return false
    await buildWebBundle()
    return true
  })
}
