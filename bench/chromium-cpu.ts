// CPU seconds of the Chromium processes started under this one (bench/web-profile.ts, bench/web-floor.ts):
// each found in /proc by its parent chain and named by its --type (browser, renderer, the network
// service's utility process, ...), read from /proc/<pid>/stat.
import { readdirSync, readFileSync } from 'node:fs'
import { cpuSecondsOf } from '../test/server/crash/daemon-process.ts'

/** Chromium processes under this one, each named by its --type (and a utility's sub-type). */
export function chromiumProcesses(): Map<number, string> {
  const parent = new Map<number, number>()
  const names = new Map<number, string>()
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))
      const cmd = readFileSync(`/proc/${d}/cmdline`, 'utf8').split(/[\0 ]/)
      if (!cmd[0].includes('chrom')) continue
      const type = cmd.find((a) => a.startsWith('--type='))?.slice(7) ?? 'browser'
      const sub = cmd.find((a) => a.startsWith('--utility-sub-type='))?.slice(19)
      names.set(Number(d), sub === undefined ? type : `${type}:${sub.replace(/\.mojom\./, '.')}`)
    } catch { /* gone */ }
  }
  const mine = new Map<number, string>()
  for (const [pid, name] of names) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        mine.set(pid, name)
        break
      }
    }
  }
  return mine
}

/** CPU seconds so far of each Chromium process under this one, keyed "<type> <pid>". */
export function chromiumCpu(): Map<string, number> {
  const out = new Map<string, number>()
  for (const [pid, name] of chromiumProcesses()) {
    try {
      out.set(`${name} ${pid}`, cpuSecondsOf(pid))
    } catch { /* gone */ }
  }
  return out
}

/** What each process used between two readings (processes that started in between count from 0). */
export function cpuDeltas(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [k, v] of after) out.set(k, v - (before.get(k) ?? 0))
  return out
}
