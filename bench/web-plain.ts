// The web bench's transfers and sign-ins (bench/web.ts) driven without Playwright (the bench's
// default; PEERGOS_BENCH_WEB_DRIVER=playwright for the other): the same headless Chromium and flags, the same steps and polling,
// through bench/cdp-pipe.ts, which enables no DevTools domain. Playwright enables Network in the page and
// in every worker, so Chromium copies each request and reply body for DevTools and reports every chunk
// to the driver: per 100 MiB about 0.3 s more CPU on an upload's requests and 0.5 s on a download's
// (bench/web-floor.ts, bench/web-profile.md pass 5). This driver measures what a user's browser does.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpuSecondsOf, startDaemonProcess } from '../test/server/crash/daemon-process.ts'
import { pattern } from '../test/daemon-fixture.ts'
import { ensureWebBundle } from '../src/server/web-bundle.ts'
import { PipeBrowser, type PipePage } from './cdp-pipe.ts'
import { chromiumCpu, cpuDeltas } from './chromium-cpu.ts'
import { mbps, type Figure } from './figures.ts'

const MiB = 1024 * 1024

/** CPU seconds per 100 MiB of each process kind (and the daemon) between two readings, as one line. */
function cpuLine(before: Map<string, number>, after: Map<string, number>, size: number): string {
  const byKind = new Map<string, number>()
  for (const [k, v] of cpuDeltas(before, after)) {
    const kind = k.replace(/ \d+$/, '').replace('utility:network.NetworkService', 'network')
    byKind.set(kind, (byKind.get(kind) ?? 0) + v * (100 * MiB / size))
  }
  const all = [...byKind.values()].reduce((a, b) => a + b, 0)
  return [...byKind].filter(([, v]) => v >= 0.02).map(([k, v]) => `${k} ${v.toFixed(2)}`).join(', ') + `, all ${all.toFixed(2)} s per 100 MiB`
}

/** In-page helpers: fill an input as typing does (Preact reads input events), click a button by its text. */
const FILL = (name: string, value: string): string => `(() => { const el = document.querySelector('input[name=${JSON.stringify(name)}]'); Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(el, ${JSON.stringify(value)}); el.dispatchEvent(new Event('input', { bubbles: true })); return true })()`
const CLICK = (text: string): string => `(() => { const b = [...document.querySelectorAll('button')].find((b) => b.textContent.trim() === ${JSON.stringify(text)} || b.getAttribute('aria-label') === ${JSON.stringify(text)}); b.click(); return true })()`

async function login(page: PipePage, url: string, user: string, password: string, firstFile: string): Promise<number> {
  await page.goto(url)
  await page.waitUntil(`document.querySelector('input[name="password"]') !== null`)
  await page.evaluate(FILL('username', user))
  await page.evaluate(FILL('password', password))
  const t0 = performance.now()
  await page.evaluate(CLICK('Log in'))
  await page.waitUntil(`document.querySelector('button[aria-label=${JSON.stringify(`Download ${firstFile}`)}]') !== null`, 120_000)
  return performance.now() - t0
}

/** Transfers each way before the measured ones (not counted). */
const WARM_TRANSFERS = 1

/** As bench/web.ts's run, with the plain driver; `size` bytes per transfer. */
export async function runPlain(size: number, transferRuns: number, loginRuns: number, user: string, password: string): Promise<Figure[]> {
  await ensureWebBundle()
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-web-plain-'))
  const webRoot = process.env.PEERGOS_BENCH_WEB_ROOT
  const daemon = await startDaemonProcess(join(dir, 'data'), { args: ['--gc-period', '0', '--default-quota', '1t', ...(webRoot === undefined ? [] : ['--web-root', webRoot])], logLevel: 'error' })
  const browser = PipeBrowser.launch(join(dir, 'profile'))
  try {
    const data = pattern(size, 3)
    const expected = createHash('sha256').update(data).digest('hex')
    const downloads = join(dir, 'downloads')
    await browser.send('Browser.setDownloadBehavior', { behavior: 'allowAndName', downloadPath: downloads, eventsEnabled: true })
    const page = await browser.newPage()
    await page.goto(daemon.url + '/')
    await page.evaluate(CLICK('Create an account'))
    await page.waitUntil(`document.querySelector('input[name="confirm"]') !== null`)
    await page.evaluate(FILL('username', user))
    await page.evaluate(FILL('password', password))
    await page.evaluate(FILL('confirm', password))
    await page.evaluate(CLICK('Sign up'))
    await page.waitUntil(`document.querySelector('nav[aria-label="Breadcrumbs"]') !== null`, 120_000)

    const up: number[] = []
    const down: number[] = []
    // the first WARM_TRANSFERS transfers warm up the JITs and are not counted, as the server and client
    // suites warm up first: in a fresh daemon the first 100 MiB upload cost it 1.3-1.5 s of CPU against
    // 0.6 s for the next ones (V8 still compiling its put path), which is start-up, not throughput
    for (let i = -WARM_TRANSFERS; i < transferRuns; i++) {
      const name = i < 0 ? `warm-${-i}.bin` : `big-${i}.bin`
      const named = join(dir, name)
      await writeFile(named, data)
      const cpu0 = new Map([...chromiumCpu(), ['daemon', cpuSecondsOf(daemon.pid)]])
      const t0 = performance.now()
      await page.setInputFiles('input[aria-label="Files to upload"]', [named])
      await page.waitUntil(`document.querySelector('.uploads li[data-name=${JSON.stringify(name)}] .upload-status')?.textContent === 'Done 100 %'`)
      const upMs = performance.now() - t0
      if (i >= 0) up.push(upMs)
      const cpu1 = new Map([...chromiumCpu(), ['daemon', cpuSecondsOf(daemon.pid)]])
      process.stderr.write(`web (plain driver): upload ${i < 0 ? 'warm-up' : i} ${upMs.toFixed(0)} ms; ${cpuLine(cpu0, cpu1, size)}\n`)
      await rm(named, { force: true })

      const begun = browser.waitFor('Browser.downloadWillBegin')
      const t1 = performance.now()
      await page.evaluate(CLICK(`Download ${name}`))
      const { guid } = await begun
      await browser.waitFor('Browser.downloadProgress', (p) => p.guid === guid && (p.state === 'completed' || p.state === 'canceled'))
      const downMs = performance.now() - t1
      if (i >= 0) down.push(downMs)
      process.stderr.write(`web (plain driver): download ${i < 0 ? 'warm-up' : i} ${downMs.toFixed(0)} ms; ${cpuLine(cpu1, new Map([...chromiumCpu(), ['daemon', cpuSecondsOf(daemon.pid)]]), size)}\n`)
      const path = join(downloads, guid as string)
      const got = createHash('sha256').update(await readFile(path)).digest('hex')
      if (got !== expected) throw new Error(`download ${i}: sha256 mismatch`)
      await rm(path, { force: true })
    }

    const logins: number[] = []
    for (let i = 0; i < loginRuns; i++) {
      const fresh = await browser.newPage(true)
      logins.push(await login(fresh, daemon.url + '/', user, password, 'big-0.bin'))
      await browser.send('Target.closeTarget', { targetId: fresh.targetId })
    }
    const load = loadavg()[0].toFixed(1)
    process.stderr.write(`web (plain driver): upload ms ${up.map((x) => x.toFixed(0)).join(', ')}; download ms ${down.map((x) => x.toFixed(0)).join(', ')}; login ms ${logins.map((x) => x.toFixed(0)).join(', ')}; load average ${load}\n`)
    const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
    return [
      { name: 'web.upload100MiB.MBps', value: mbps(size, median(up)), unit: `MB/s (headless Chromium with no DevTools inspection, as a user's browser runs it; median of ${transferRuns} after ${WARM_TRANSFERS} warm-up transfer each way; load ${load})` },
      { name: 'web.download100MiB.MBps', value: mbps(size, median(down)), unit: `MB/s (headless Chromium with no DevTools inspection, as a user's browser runs it; to disk through the service worker, median of ${transferRuns} after ${WARM_TRANSFERS} warm-up transfer each way; load ${load})` },
      { name: 'web.login.ms', value: median(logins), unit: `ms (headless Chromium with no DevTools inspection, as a user's browser runs it; fresh context, scrypt in the worker, median of ${loginRuns}; load ${load})` },
    ]
  } finally {
    await browser.close()
    await daemon.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
