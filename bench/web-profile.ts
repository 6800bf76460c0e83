// Where the browser's time goes in the web bench's transfers (bench/web-profile.md): one 100 MiB
// upload and its download in headless Chromium against a daemon in a child process, with the CPU
// seconds of every Chromium process (by --type: browser, renderer, network service, ...) and of the
// daemon read from /proc around each transfer, and, with PEERGOS_PROFILE_JS=1, a V8 CPU profile of
// every worker (client worker, chunk helpers, service worker) through the DevTools protocol, its
// top functions by self time printed per worker.
//   npx tsx bench/web-profile.ts [MiB]    (PEERGOS_BENCH_WEB_ROOT: another build of the UI)
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { CDPSession } from 'playwright-core'
import { cpuSecondsOf, startDaemonProcess } from '../test/server/crash/daemon-process.ts'
import { chromiumCpu } from './chromium-cpu.ts'
import { launchBrowser, signUpInPage } from '../test/web/browser.ts'
import { pattern } from '../test/daemon-fixture.ts'
import { WorkerTarget as Target, watchWorkers } from '../test/web/worker-targets.ts'

const MiB = 1024 * 1024
const SIZE = Number(process.argv[2] ?? '100') * MiB
const PROFILE_JS = process.env.PEERGOS_PROFILE_JS === '1'
/** PEERGOS_TRACE=1: a Chromium trace of the second upload and download, each thread's CPU and its largest events (thread time, nested events counted in each). */
const TRACE = process.env.PEERGOS_TRACE === '1'

interface TraceEvent { name: string; ph: string; dur?: number; tdur?: number; pid: number; tid: number; args?: { name?: string } }

function traceSummary(json: string, n = 8): string {
  const events = (JSON.parse(json) as { traceEvents: TraceEvent[] }).traceEvents
  const threads = new Map<string, string>()
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') threads.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?')
  const byThread = new Map<string, Map<string, number>>()
  for (const e of events) {
    if (e.ph !== 'X' || e.tdur === undefined) continue
    const t = `${threads.get(`${e.pid}:${e.tid}`) ?? '?'} ${e.pid}:${e.tid}`
    const m = byThread.get(t) ?? new Map<string, number>()
    byThread.set(t, m)
    m.set(e.name, (m.get(e.name) ?? 0) + e.tdur)
  }
  const out: string[] = []
  for (const [t, m] of byThread) {
    const top = [...m].sort((a, b) => b[1] - a[1]).slice(0, n)
    if (top.length === 0 || top[0][1] < 50_000) continue
    out.push(`  ${t}: ${top.map(([k, v]) => `${k} ${(v / 1e6).toFixed(2)}`).join(', ')}`)
  }
  return out.join('\n')
}

function cpuByProcess(daemonPid: number): Map<string, number> {
  return new Map<string, number>([['daemon', cpuSecondsOf(daemonPid)], ...chromiumCpu()])
}

function cpuDelta(before: Map<string, number>, after: Map<string, number>): string {
  const lines: string[] = []
  let total = 0
  for (const [k, v] of after) {
    const d = v - (before.get(k) ?? 0)
    total += d
    if (d >= 0.05) lines.push(`  ${k.padEnd(40)} ${d.toFixed(2)} s`)
  }
  return `${lines.join('\n')}\n  ${'all'.padEnd(40)} ${total.toFixed(2)} s`
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number; columnNumber?: number }; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples: number[]; timeDeltas: number[] }

function topSelf(p: CpuProfile, n = 14): string {
  const byId = new Map(p.nodes.map((x) => [x.id, x]))
  const self = new Map<string, number>()
  let total = 0
  p.samples.forEach((id, i) => {
    const dt = p.timeDeltas[i] ?? 0
    const f = byId.get(id)!.callFrame
    const file = f.url.split('/').pop() ?? ''
    // 1-based line and column, as an editor shows them (CDP's are 0-based): a minified bundle has few lines
    const key = `${f.functionName || '(anon)'} ${file}:${f.lineNumber + 1}:${(f.columnNumber ?? -1) + 1}`
    self.set(key, (self.get(key) ?? 0) + dt)
    total += dt
  })
  const idle = self.get('(idle) :0:0') ?? 0
  return [`    busy ${((total - idle) / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s`,
    ...[...self].filter(([k]) => !k.startsWith('(idle)')).sort((a, b) => b[1] - a[1]).slice(0, n).map(([k, v]) => `    ${(v / 1e6).toFixed(3).padStart(7)} s  ${k}`)].join('\n')
}

async function watch(cdp: CDPSession, all: Target[]): Promise<void> {
  await watchWorkers(cdp, all, (type, url) => `${type} ${url}`)
}

/** The service worker: a browser-level target, attached by id (a non-flat session). */
async function attachServiceWorkers(cdp: CDPSession, all: Target[]): Promise<void> {
  const roots = new Map<string, Target>()
  cdp.on('Target.receivedMessageFromTarget', (e) => roots.get(e.sessionId)?.receive(e.message))
  for (let tries = 0; tries < 50; tries++) {
    const { targetInfos } = await cdp.send('Target.getTargets')
    const sws = targetInfos.filter((t) => t.type === 'service_worker')
    if (sws.length > 0) {
      for (const t of sws) {
        const { sessionId } = await cdp.send('Target.attachToTarget', { targetId: t.targetId, flatten: false })
        roots.set(sessionId, new Target((message) => void cdp.send('Target.sendMessageToTarget', { sessionId, message }).catch(() => {}), `service_worker ${t.url}`, all))
      }
      return
    }
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function profiled<T>(targets: Target[], pageCdp: CDPSession, f: () => Promise<T>): Promise<[T, string]> {
  if (!PROFILE_JS) return [await f(), '']
  const ts = [...targets]
  await Promise.all(ts.map(async (t) => { await t.send('Profiler.enable'); await t.send('Profiler.setSamplingInterval', { interval: 500 }); await t.send('Profiler.start') }))
  await pageCdp.send('Profiler.enable')
  await pageCdp.send('Profiler.start')
  const r = await f()
  const out: string[] = []
  for (const t of ts) {
    const p = await t.send('Profiler.stop') as { profile?: CpuProfile }
    if (p.profile !== undefined) out.push(`  ${t.url.split('/').pop()}\n${topSelf(p.profile)}`)
  }
  const pp = await pageCdp.send('Profiler.stop') as { profile: CpuProfile }
  out.push(`  page\n${topSelf(pp.profile, 6)}`)
  return [r, out.join('\n')]
}

const dir = await mkdtemp(join(tmpdir(), 'pts-web-profile-'))
const webRoot = process.env.PEERGOS_BENCH_WEB_ROOT
const daemon = await startDaemonProcess(join(dir, 'data'), { args: ['--gc-period', '0', '--default-quota', '1t', ...(webRoot === undefined ? [] : ['--web-root', webRoot])], logLevel: 'error' })
const browser = await launchBrowser()
try {
  const ctx = await browser.newContext({ acceptDownloads: true })
  const page = await ctx.newPage()
  const targets: Target[] = []
  const pageCdp = await ctx.newCDPSession(page)
  await watch(pageCdp, targets)
  await page.goto(daemon.url + '/')
  await attachServiceWorkers(await browser.newBrowserCDPSession(), targets)
  await signUpInPage(page, 'webprof', 'a long and unusual profile password')
  const data = pattern(SIZE, 5)
  for (let i = 0; i < 2; i++) {
    const name = `p-${i}.bin`
    const file = join(dir, name)
    await writeFile(file, data)
    const b0 = cpuByProcess(daemon.pid)
    if (TRACE && i === 1) await browser.startTracing(undefined, { categories: ['toplevel', 'disabled-by-default-devtools.timeline', 'blink', 'v8'] })
    const t0 = performance.now()
    const [, upProfile] = await profiled(targets, pageCdp, async () => {
      await page.getByLabel('Files to upload').setInputFiles(file)
      await page.waitForFunction((n) => document.querySelector(`.uploads li[data-name="${n}"] .upload-status`)?.textContent === 'Done 100 %', name, { polling: 50, timeout: 600_000 })
    })
    const up = performance.now() - t0
    if (TRACE && i === 1) console.log(traceSummary((await browser.stopTracing()).toString()))
    const b1 = cpuByProcess(daemon.pid)
    console.log(`upload ${i}: ${up.toFixed(0)} ms, ${(SIZE / 1e6 / (up / 1000)).toFixed(1)} MB/s, load ${loadavg()[0].toFixed(1)}\n${cpuDelta(b0, b1)}${upProfile === '' ? '' : '\n' + upProfile}`)
    const downloading = page.waitForEvent('download', { timeout: 600_000 })
    if (TRACE && i === 1) await browser.startTracing(undefined, { categories: ['toplevel', 'disabled-by-default-devtools.timeline', 'blink', 'v8'] })
    const t1 = performance.now()
    const [path, downProfile] = await profiled(targets, pageCdp, async () => {
      await page.getByRole('button', { name: `Download ${name}` }).click()
      return (await downloading).path()
    })
    const down = performance.now() - t1
    if (TRACE && i === 1) console.log(traceSummary((await browser.stopTracing()).toString()))
    const b2 = cpuByProcess(daemon.pid)
    console.log(`download ${i}: ${down.toFixed(0)} ms, ${(SIZE / 1e6 / (down / 1000)).toFixed(1)} MB/s, load ${loadavg()[0].toFixed(1)}\n${cpuDelta(b1, b2)}${downProfile === '' ? '' : '\n' + downProfile}`)
    if ((await readFile(path)).length !== SIZE) throw new Error('short download')
    await rm(file)
  }
} finally {
  await browser.close()
  await daemon.kill('SIGTERM')
  await rm(dir, { recursive: true, force: true })
}
