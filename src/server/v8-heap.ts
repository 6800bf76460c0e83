// V8 heap tuning for a long-running daemon: a fixed old-generation growing factor.
//
// A daemon's heap is small (~25 MB live) while every transfer churns through external memory
// (socket reads, Noise frames, HTTP bodies: several ArrayBuffers per MB moved). V8 sizes the
// old generation's next marking limit by a factor it picks between 1.1 and 4 from how fast its
// GC runs against the program; on a busy 2-core host it measures itself slow, picks a small
// factor, and then starts incremental marking again almost as soon as a mark-compact ends. A
// proxied 100 MiB stream then costs one 10–100 ms mark-compact per ~15 MB, and the buffers
// allocated while marking survive it, which keeps the cycle going. Pinning the factor to V8's own
// upper bound (4, i.e. --heap-growing-percent=300) lets the scavenges free those buffers instead:
// 0 mark-compacts instead of 15–40 per 300 MB through the proxy, and ~half the CPU per MB in the
// proxying and serving daemons (bench/p2p.bench.ts). The flag is read whenever V8 recomputes its
// limits, so setting it at start-up takes effect; an explicit setting on the command line or in
// NODE_OPTIONS wins.
import { setFlagsFromString } from 'node:v8'

/** The growing percentage set unless the process was started with one. */
export const HEAP_GROWING_PERCENT = 300

/** Sets V8's heap growing factor for this process, unless its command line or NODE_OPTIONS sets one. Returns what it set, or undefined. */
export function tuneHeapGrowth(execArgv: readonly string[] = process.execArgv, nodeOptions: string | undefined = process.env.NODE_OPTIONS): number | undefined {
  const given = [...execArgv, ...(nodeOptions ?? '').split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))
  if (given) return undefined
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`)
  return HEAP_GROWING_PERCENT
}
