// The daemon's V8 heap tuning: set unless the process was started with its own growing factor.
import { spawnSync } from 'node:child_process'
import { describe, expect, it } from 'vitest'
import { HEAP_GROWING_PERCENT, tuneHeapGrowth } from '../../src/server/v8-heap.ts'

describe('tuneHeapGrowth', () => {
  it('leaves an explicit --heap-growing-percent on the command line or in NODE_OPTIONS alone', () => {
    expect(tuneHeapGrowth(['--heap-growing-percent=50'], undefined)).toBeUndefined()
    expect(tuneHeapGrowth(['--heap_growing_percent', '50'], undefined)).toBeUndefined()
    expect(tuneHeapGrowth([], '--max-old-space-size=512 --heap-growing-percent=20')).toBeUndefined()
  })

  it('sets a flag this V8 knows in a process started without one', () => {
    // In a fresh node process, since the flag is the process's V8's: V8 names unknown flags on stderr.
    const run = (flag: string): { out: string; err: string } => {
      const script = [
        "const { tuneHeapGrowth } = await import(process.argv[1])",
        "const { setFlagsFromString } = await import('node:v8')",
        `console.log(${flag === '' ? 'tuneHeapGrowth([], undefined)' : `(setFlagsFromString('${flag}'), 0)`})`,
      ].join('\n')
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, new URL('../../src/server/v8-heap.ts', import.meta.url).pathname], { encoding: 'utf8' })
      return { out: r.stdout.trim(), err: r.stderr.trim() }
    }
    expect(run('')).toEqual({ out: String(HEAP_GROWING_PERCENT), err: '' })
    expect(run('--heap-growing-percentage=300').err).toMatch(/unrecognized flag/) // the check above can fail
  })
})
