// Web UI figures in headless Chromium (the system browser, as test/web): a daemon in a child
// process on loopback, the UI it serves, the client library in the page's Web Worker with the
// portable crypto provider. web.upload100MiB.MBps: a 100 MiB file chosen in the file picker until
// its progress shows 100 % (the page polled every 50 ms); web.download100MiB.MBps: the Download click until the
// browser has written the file (through the download service worker); web.login.ms: the Log in
// click in a fresh context until the drive is listed (scrypt included). Medians of a few runs.
// The default driver is bench/web-plain.ts: Chromium with no DevTools domain enabled, as a user's
// browser runs the UI. PEERGOS_BENCH_WEB_DRIVER=playwright drives it with Playwright instead (as
// test/web does), whose Network inspection copies every request and reply body, and every WebSocket
// message, to the driver: about 0.3-0.5 s more CPU per 100 MiB over HTTP, and more than twice the
// transfer time over the UI's WebSocket (bench/web-profile.md, passes 5 and 6). Its figures say so.
import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { startDaemonProcess } from '../test/server/crash/daemon-process.ts'
import { browserAvailable, launchBrowser } from '../test/web/browser.ts'
import { pattern } from '../test/daemon-fixture.ts'
import { mbps, type Figure } from './figures.ts'
import { runPlain } from './web-plain.ts'

const MiB = 1024 * 1024
/** PEERGOS_BENCH_WEB_MIB: a smaller file for a quick run (the figures keep their 100 MiB names only at 100). */
const SIZE = Number(process.env.PEERGOS_BENCH_WEB_MIB ?? '100') * MiB
/** Three, so that the median is the middle run (of two it was the slower one). */
const TRANSFER_RUNS = 3
const LOGIN_RUNS = 3
const USER = 'benchweb'
const PASSWORD = 'a long and unusual bench password'

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  return s[Math.floor(s.length / 2)]
}

async function login(page: Page, url: string): Promise<number> {
  await page.goto(url)
  await page.getByLabel('Username').fill(USER)
  await page.getByLabel('Password').fill(PASSWORD)
  const t0 = performance.now()
  await page.getByRole('button', { name: 'Log in' }).click()
  // polled every 50 ms (see the uploads below), so the polling takes no frames from the sign-in
  await page.waitForFunction(() => document.querySelector('button[aria-label="Download big-0.bin"]') !== null, undefined, { polling: 50, timeout: 120_000 })
  return performance.now() - t0
}

export async function run(): Promise<Figure[]> {
  if (!browserAvailable()) return []
  // the same steps without Playwright's DevTools instrumentation (bench/web-plain.ts) unless asked for Playwright
  if (process.env.PEERGOS_BENCH_WEB_DRIVER !== 'playwright') return runPlain(SIZE, TRANSFER_RUNS, LOGIN_RUNS, USER, PASSWORD)
  const dir = await mkdtemp(join(tmpdir(), 'pts-bench-web-'))
  const webRoot = process.env.PEERGOS_BENCH_WEB_ROOT // another build of the UI (e.g. an older commit's) to compare with
  const daemon = await startDaemonProcess(join(dir, 'data'), { args: ['--gc-period', '0', '--default-quota', '1t', ...(webRoot === undefined ? [] : ['--web-root', webRoot])], logLevel: 'error' })
  let browser: Browser | undefined
  try {
    browser = await launchBrowser()
    const data = pattern(SIZE, 3)
    const expected = createHash('sha256').update(data).digest('hex')
    const ctx = await browser.newContext({ acceptDownloads: true })
    const page = await ctx.newPage()
    await page.goto(daemon.url + '/')
    await page.getByRole('button', { name: 'Create an account' }).click()
    await page.getByLabel('Username').fill(USER)
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD)
    await page.getByLabel('Repeat password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Sign up' }).click()
    await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor({ timeout: 120_000 })

    const up: number[] = []
    const down: number[] = []
    for (let i = 0; i < TRANSFER_RUNS; i++) {
      const name = `big-${i}.bin`
      // the real file from disk under a run's own name: a copy named for the run
      const named = join(dir, name)
      await rm(named, { force: true })
      await writeFile(named, data)
      const t0 = performance.now()
      await page.getByLabel('Files to upload').setInputFiles(named)
      // checked every 50 ms, not on every animation frame as a locator waits: the polling would keep
      // the page rendering frames and take a share of the 2 cores from the upload it measures
      await page.waitForFunction((n) => document.querySelector(`.uploads li[data-name="${n}"] .upload-status`)?.textContent === 'Done 100 %', name, { polling: 50, timeout: 600_000 })
      up.push(performance.now() - t0)
      process.stderr.write(`web: upload ${i} ${up[i].toFixed(0)} ms\n`)
      await rm(named, { force: true })

      const downloading = page.waitForEvent('download', { timeout: 600_000 })
      const t1 = performance.now()
      await page.getByRole('button', { name: `Download ${name}` }).click()
      const path = await (await downloading).path()
      down.push(performance.now() - t1)
      process.stderr.write(`web: download ${i} ${down[i].toFixed(0)} ms\n`)
      const got = createHash('sha256').update(await readFile(path)).digest('hex')
      if (got !== expected) throw new Error(`download ${i}: sha256 mismatch`)
    }
    await ctx.close()

    const logins: number[] = []
    for (let i = 0; i < LOGIN_RUNS; i++) {
      const fresh = await browser.newContext()
      logins.push(await login(await fresh.newPage(), daemon.url + '/'))
      await fresh.close()
    }
    const load = loadavg()[0].toFixed(1)
    process.stderr.write(`web: upload ms ${up.map((x) => x.toFixed(0)).join(', ')}; download ms ${down.map((x) => x.toFixed(0)).join(', ')}; login ms ${logins.map((x) => x.toFixed(0)).join(', ')}; load average ${load}\n`)
    return [
      { name: 'web.upload100MiB.MBps', value: mbps(SIZE, median(up)), unit: `MB/s (headless Chromium under Playwright's network inspection, median of ${TRANSFER_RUNS}; load ${load})` },
      { name: 'web.download100MiB.MBps', value: mbps(SIZE, median(down)), unit: `MB/s (headless Chromium under Playwright's network inspection, to disk through the service worker, median of ${TRANSFER_RUNS}; load ${load})` },
      { name: 'web.login.ms', value: median(logins), unit: `ms (headless Chromium under Playwright's network inspection, fresh context, scrypt in the worker, median of ${LOGIN_RUNS}; load ${load})` },
    ]
  } finally {
    await browser?.close()
    await daemon.kill('SIGTERM')
    await rm(dir, { recursive: true, force: true })
  }
}
