// `peergos-ts export-ui DIR`: writes the web UI's static bundle to DIR (built first when missing
// or stale), for any static host or gateway; the UI finds the API under the path it is served at.
import { cp, mkdir, readdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import { DEFAULT_WEB_ROOT, ensureWebBundle } from '../server/web-bundle.ts'
import { PeergosError } from '../errors.ts'

export const EXPORT_UI_USAGE = `Usage: peergos-ts export-ui DIR

Writes the web UI (a static bundle: index.html, sw.js, assets/) to DIR. Serve it with the headers
of docs/ARCHITECTURE.md (web layer) from the origin of a Peergos server, or under its
/p2p/<peer-id>/http/ path: the UI talks to the API at the path it was loaded from.
`

export async function runExportUi(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    process.stdout.write(EXPORT_UI_USAGE)
    return 0
  }
  if (args.length !== 1 || args[0].startsWith('-')) {
    process.stderr.write(EXPORT_UI_USAGE)
    return 2
  }
  const dir = resolve(args[0])
  try {
    await ensureWebBundle()
    const files = await readdir(DEFAULT_WEB_ROOT).catch((): string[] => [])
    if (!files.includes('index.html')) throw new PeergosError(`No web UI bundle in ${DEFAULT_WEB_ROOT}: run \`npm run build:web\``)
    await mkdir(dir, { recursive: true })
    await cp(DEFAULT_WEB_ROOT, dir, { recursive: true, filter: (src) => !src.endsWith('.build-stamp') })
  } catch (e) {
    if (!(e instanceof PeergosError)) throw e
    process.stderr.write(`peergos-ts export-ui: ${e.message}\n`)
    return 1
  }
  process.stdout.write(`web UI written to ${dir}\n`)
  return 0
}
