// Shared helpers of the benchmarks: a figure type and a timer that repeats an action until a
// minimum time has passed and reports the median of several rounds.
export interface Figure {
  name: string
  value: number
  unit: string
}

/** Runs `fn` `rounds` times and returns the median duration in milliseconds. */
export async function medianMs(rounds: number, fn: () => unknown | Promise<unknown>): Promise<number> {
  const times: number[] = []
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now()
    await fn()
    times.push(performance.now() - t0)
  }
  times.sort((a, b) => a - b)
  return times[Math.floor(times.length / 2)]
}

/** Operations per second of a synchronous `fn`, measured over batches for at least `minMs`. */
export function opsPerSec(fn: (i: number) => unknown, minMs = 1000): number {
  let n = 0
  const t0 = performance.now()
  let elapsed = 0
  while (elapsed < minMs) {
    for (let k = 0; k < 100; k++) fn(n++)
    elapsed = performance.now() - t0
  }
  return (n / elapsed) * 1000
}

export async function opsPerSecAsync(fn: (i: number) => Promise<unknown>, minMs = 1000): Promise<number> {
  let n = 0
  const t0 = performance.now()
  let elapsed = 0
  while (elapsed < minMs) {
    for (let k = 0; k < 100; k++) await fn(n++)
    elapsed = performance.now() - t0
  }
  return (n / elapsed) * 1000
}

/** Throughput in MB/s (10^6 bytes) of processing `bytes` in a median time of `ms`. */
export function mbps(bytes: number, ms: number): number {
  return bytes / 1e6 / (ms / 1000)
}
