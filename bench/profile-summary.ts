// Summarises the CPU profiles of a `PEERGOS_BENCH_CPU_PROF=<dir> npm run bench client` run per
// figure: the samples of client.cpuprofile (the bench process) and of the child daemon's profile
// that fall inside the monotonic-clock windows of phases.json, with the top functions by self time,
// by total (inclusive) time and the files by self time. In an in-process run every sample is also
// split into client and server by its stack (a frame under src/server/ or node's HTTP server).
//   npx tsx bench/profile-summary.ts <dir> [top]
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { REPO } from '../test/server/crash/daemon-process.ts'

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: number[]
}

interface CpuProfile {
  readonly nodes: ProfileNode[]
  readonly startTime: number
  readonly endTime: number
  readonly samples: number[]
  readonly timeDeltas: number[]
}

interface Phase {
  readonly figure: string
  readonly startUs: number
  readonly endUs: number
}

const PSEUDO = new Set(['(idle)', '(program)', '(garbage collector)', '(root)'])

function where(f: CallFrame): string {
  if (PSEUDO.has(f.functionName)) return f.functionName
  let url = f.url.startsWith('file://') ? relative(REPO, decodeURIComponent(f.url.slice(7))) : f.url
  url = url.replace(/^node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?/, 'npm:')
  return `${url || '(native)'}:${f.functionName || '(anonymous)'}`
}

/** Server work in an in-process run: a frame of the daemon's code or of node's HTTP server. */
function isServerFrame(f: CallFrame): boolean {
  return f.url.includes('/src/server/') || f.url === 'node:_http_server' || f.url.includes('/src/http/routes/')
}

class Analysis {
  private readonly byId = new Map<number, ProfileNode>()
  private readonly parent = new Map<number, number>()
  /** Sample index → its timestamp (µs, monotonic clock). */
  private readonly times: number[] = []

  constructor(private readonly p: CpuProfile) {
    for (const n of p.nodes) {
      this.byId.set(n.id, n)
      for (const c of n.children ?? []) this.parent.set(c, n.id)
    }
    let t = p.startTime
    for (const d of p.timeDeltas) this.times.push((t += d))
  }

  /**
   * A sample's frame name. Native code inside an addon is named after the nearest exported symbol,
   * which is often wrong (sodium-native's crypto_sign shows up as "extension_pbkdf2_sha512_async"):
   * a native frame under an npm: JavaScript frame is named after that caller instead.
   */
  private name(st: readonly ProfileNode[], i: number): string {
    const f = st[i].callFrame
    if (f.url === '' && !PSEUDO.has(f.functionName) && i + 1 < st.length) {
      const caller = where(st[i + 1].callFrame)
      if (caller.startsWith('npm:')) return `${caller} (native)`
    }
    return where(f)
  }

  private stack(id: number): ProfileNode[] {
    const out: ProfileNode[] = []
    for (let cur: number | undefined = id; cur !== undefined; cur = this.parent.get(cur)) out.push(this.byId.get(cur)!)
    return out
  }

  /** Milliseconds per sample id inside the windows (a sample lasts until the next one). */
  private samplesIn(windows: readonly Phase[]): { id: number; ms: number }[] {
    const out: { id: number; ms: number }[] = []
    const s = this.p.samples
    for (let i = 0; i < s.length; i++) {
      const t = this.times[i]
      if (!windows.some((w) => t >= w.startUs && t < w.endUs)) continue
      const next = i + 1 < s.length ? this.times[i + 1] : this.p.endTime
      out.push({ id: s[i], ms: (next - t) / 1000 })
    }
    return out
  }

  report(title: string, windows: readonly Phase[], top: number, splitServer: boolean): string {
    const samples = this.samplesIn(windows)
    const wall = windows.reduce((n, w) => n + (w.endUs - w.startUs) / 1000, 0)
    const self = new Map<string, number>()
    const total = new Map<string, number>()
    const files = new Map<string, number>()
    let busy = 0
    let server = 0
    for (const { id, ms } of samples) {
      const st = this.stack(id)
      if (st[0].callFrame.functionName === '(idle)') continue
      busy += ms
      if (splitServer && st.some((n) => isServerFrame(n.callFrame))) server += ms
      const leaf = this.name(st, 0)
      const file = PSEUDO.has(leaf) ? leaf : leaf.replace(/ \(native\)$/, '').slice(0, leaf.replace(/ \(native\)$/, '').lastIndexOf(':'))
      self.set(leaf, (self.get(leaf) ?? 0) + ms)
      files.set(file, (files.get(file) ?? 0) + ms)
      for (const k of new Set(st.map((_, i) => this.name(st, i)))) if (!PSEUDO.has(k)) total.set(k, (total.get(k) ?? 0) + ms)
    }
    const pct = (ms: number): string => `${((ms / busy) * 100).toFixed(1).padStart(5)}%`
    const list = (m: Map<string, number>): string[] => [...m].sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, ms]) => `    ${pct(ms)} ${ms.toFixed(0).padStart(7)} ms  ${k}`)
    const lines = [
      `## ${title}`,
      `  ${windows.length} runs, ${wall.toFixed(0)} ms wall, ${busy.toFixed(0)} ms CPU on this thread (${((busy / wall) * 100).toFixed(0)}% busy)` +
        (splitServer ? `; server stacks ${pct(server).trim()}, client ${pct(busy - server).trim()}` : ''),
      '  self time:', ...list(self),
      '  total time (inclusive):', ...list(total),
      '  self time by file:', ...list(files),
    ]
    return lines.join('\n')
  }
}

const dir = process.argv[2]
if (dir === undefined) throw new Error('usage: tsx bench/profile-summary.ts <dir> [top]')
const top = Number(process.argv[3] ?? 12)
const { mode, phases } = JSON.parse(readFileSync(join(dir, 'phases.json'), 'utf8')) as { mode: string; phases: Phase[] }
const load = (f: string): Analysis => new Analysis(JSON.parse(readFileSync(join(dir, f), 'utf8')) as CpuProfile)
const client = load('client.cpuprofile')
// CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the daemon's main thread (1 is tsx's loader).
const daemonFile = readdirSync(dir).find((f) => /^CPU\.\d+\.\d+\.\d+\.0\.\d+\.cpuprofile$/.test(f))
const daemon = daemonFile === undefined ? undefined : load(daemonFile)
const figures = [...new Set(phases.map((p) => p.figure))]
for (const figure of figures) {
  const windows = phases.filter((p) => p.figure === figure)
  console.log(client.report(`${figure}: ${mode === 'inprocess' ? 'client and daemon in one process' : 'client process'}`, windows, top, mode === 'inprocess'))
  if (daemon !== undefined) console.log(daemon.report(`${figure}: daemon process`, windows, top, false))
  console.log()
}
