// The installed package's root directory and version, found from this module's location by walking up
// to peergos-ts' package.json, so that it holds both for the sources (src/server) and for the bundled
// command line (dist/cli), which sit at different depths.
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const PACKAGE_NAME = 'peergos-ts'

function findPackageRoot(from: string): { root: string; version: string } {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const json = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string }
      if (json.name === PACKAGE_NAME) return { root: dir, version: json.version ?? '0.0.0' }
    } catch {
      // no package.json here (or not ours): keep walking up
    }
    if (dirname(dir) === dir) throw new Error(`cannot find the ${PACKAGE_NAME} package above ${from}`)
  }
}

const found = findPackageRoot(dirname(fileURLToPath(import.meta.url)))
/** The package's root directory (where package.json, dist/ and src/ are). */
export const PACKAGE_ROOT: string = found.root
/** package.json's version. */
export const PACKAGE_VERSION: string = found.version
