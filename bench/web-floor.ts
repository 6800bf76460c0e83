// The Chromium side's floor for the web UI's transfers (bench/web-profile.md, pass 5): what the browser
// itself spends, per 100 MiB and per process, on each piece of byte moving an upload or a download
// needs, with none of the UI's work. A trivial node:http server on 127.0.0.1 serves a page whose
// dedicated worker runs each step: 100 POSTs of 1 MiB Blob bodies (as the chunk helpers send fragment
// writes), 10 of 1 MiB byte (Uint8Array) bodies (the alternative, scaled to 100 MiB), 100 replies of 1
// MiB read whole (fragment reads), 100 MiB streamed by a service worker as a download from 5 MiB
// chunks a worker transfers over a MessagePort (the download path), WebCrypto SHA-256 of 200 x 1 MiB
// (an upload hashes the plaintext and every fragment), and a 100 MiB File read in 5 MiB slices (the
// upload's file reads; Playwright driver only: it needs the file picker); the reads and Blob POSTs also
// from a nested worker (where the chunk helpers send them). Each step marks its start
// and end to the server, which reads /proc CPU of every Chromium process around it.
// Two drivers: `playwright` (as bench/web.ts and test/web: DevTools attached to the page and its
// workers, with Network enabled) and `plain` (the same Chromium and flags started directly at the
// page: no DevTools, what a user's browser does).
// Pass 6 adds the WebSocket alternative: ws-up sends 100 binary messages of 1 MiB over one socket (4
// in flight, each answered by a 2-byte message, as a fragment write would be), ws-down asks 100 times
// with a short message for 1 MiB (as a fragment read would), both also from a nested worker; the Node
// end is bench/web-floor-ws-sink.ts.
//   npx tsx bench/web-floor.ts [playwright|plain|both] [rounds] [step,step,...]
import { spawn } from 'node:child_process'
import { createServer } from 'node:http'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import { CHROMIUM_FLAGS, chromiumPath } from '../test/web/browser.ts'
import { chromiumCpu, cpuDeltas } from './chromium-cpu.ts'
import { acceptFloorSocket } from './web-floor-ws-sink.ts'

const MiB = 1024 * 1024
const which = process.argv[2] ?? 'both'
const ROUNDS = Number(process.argv[3] ?? '2')
const ONLY = process.argv[4]?.split(',')

/** Each step: its name and the MiB it moves, so its CPU is scaled to 100 MiB. */
const STEPS: readonly (readonly [string, number])[] = [['post-blob', 100], ['post-bytes', 10], ['get', 100], ['get-nested', 100], ['post-blob-nested', 100], ['sw-download', 100], ['digest', 200], ['file-read', 100],
  ['ws-up', 100], ['ws-down', 100], ['ws-up-nested', 100], ['ws-down-nested', 100]].filter(([s]) => ONLY === undefined || ONLY.includes(s as string)) as [string, number][]

const WORKER = `
const MiB = ${MiB}
async function lanes(n, par, one) { let next = 0; await Promise.all(Array.from({ length: par }, async () => { while (next++ < n) await one() })) }
onmessage = async (e) => {
  const { step, port, file } = e.data
  // the same step in a worker started by this one (as the client worker starts the chunk helpers)
  if (step.endsWith('-nested')) { const w = new Worker('w.js'); w.onmessage = () => postMessage('done'); w.postMessage({ step: step.slice(0, -7) }); return }
  const body = new Uint8Array(MiB + 176)
  if (step === 'post-blob') await lanes(100, 4, async () => { await (await fetch('sink', { method: 'POST', body: new Blob([body]) })).arrayBuffer() })
  else if (step === 'post-bytes') await lanes(10, 4, async () => { await (await fetch('sink', { method: 'POST', body })).arrayBuffer() })
  else if (step === 'get') await lanes(100, 4, async () => { new Uint8Array(await (await fetch('src', { method: 'POST', body: new Uint8Array(0) })).arrayBuffer()) })
  else if (step === 'ws-up' || step === 'ws-down') {
    const s = new WebSocket(new URL('ws', location.href).href.replace(/^http/, 'ws'))
    s.binaryType = 'arraybuffer'
    await new Promise((resolve, reject) => { s.onopen = resolve; s.onerror = reject })
    const waiting = []
    s.onmessage = (m) => waiting.shift()(m.data)
    const ask = (b) => new Promise((resolve) => { waiting.push(resolve); s.send(b) })
    if (step === 'ws-up') await lanes(100, 4, () => ask(body))
    else { const q = new Uint8Array(8); await lanes(100, 4, async () => { new Uint8Array(await ask(q)) }) }
    s.close()
  }
  else if (step === 'digest') { const d = new Uint8Array(MiB); await lanes(200, 4, () => crypto.subtle.digest('SHA-256', d)) }
  else if (step === 'file-read') for (let at = 0; at < file.size; at += 5 * MiB) new Uint8Array(await file.slice(at, at + 5 * MiB).arrayBuffer())
  else if (step === 'sw-download') {
    const chunk = new Uint8Array(5 * MiB)
    let sent = 0
    await new Promise((resolve) => { port.onmessage = () => {
      if (sent >= 100 * MiB) { port.postMessage({ kind: 'end' }); return resolve() }
      const bytes = chunk.slice(); sent += bytes.length
      port.postMessage({ kind: 'chunk', bytes }, [bytes.buffer])
    } })
  }
  postMessage('done')
}`

const SW = `
self.addEventListener('install', (e) => e.waitUntil(self.skipWaiting()))
self.addEventListener('activate', (e) => e.waitUntil(self.clients.claim()))
let port
self.addEventListener('message', (e) => { port = e.data.port; e.data.ack.postMessage('ok') })
self.addEventListener('fetch', (e) => {
  if (!new URL(e.request.url).pathname.endsWith('/dl/floor.bin')) return
  const p = port
  let waiting
  p.onmessage = (m) => { const w = waiting; waiting = undefined; w(m.data) }
  const stream = new ReadableStream({ async pull(c) {
    const next = new Promise((r) => { waiting = r })
    p.postMessage('pull')
    const m = await next
    if (m.kind === 'end') { c.close(); fetch('mark?written=sw-download') } else c.enqueue(m.bytes)
  } }, { highWaterMark: 3 })
  e.respondWith(new Response(stream, { headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(${100 * MiB}), 'Content-Disposition': 'attachment; filename="floor.bin"' } }))
})`

const PAGE = `
const steps = new URLSearchParams(location.search).getAll('step')
const rounds = Number(new URLSearchParams(location.search).get('rounds'))
function inWorker(m, transfer = []) { return new Promise((resolve) => { const w = new Worker('w.js'); w.onmessage = () => { w.terminate(); resolve() }; w.postMessage(m, transfer) }) }
async function swDownload() {
  const feed = new MessageChannel(), ack = new MessageChannel()
  const acked = new Promise((r) => { ack.port1.onmessage = r })
  navigator.serviceWorker.controller.postMessage({ port: feed.port2, ack: ack.port2 }, [feed.port2, ack.port2])
  await acked
  const fed = inWorker({ step: 'sw-download', port: feed.port1 }, [feed.port1])
  const frame = document.createElement('iframe'); frame.hidden = true; frame.src = 'dl/floor.bin'; document.body.append(frame)
  await fed
  await fetch('mark?await=sw-download')
  frame.remove()
}
window.go = async () => {
  await navigator.serviceWorker.register('sw.js')
  await navigator.serviceWorker.ready
  if (navigator.serviceWorker.controller === null) await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }))
  const input = document.querySelector('input')
  for (let round = 0; round < rounds; round++) for (const step of steps) {
    if (step === 'file-read' && input.files.length === 0) continue
    await fetch('mark?start=' + step)
    if (step === 'sw-download') await swDownload()
    else await inWorker({ step, file: input.files[0] })
    await fetch('mark?end=' + step)
  }
  await fetch('mark?quit=1')
}
// the Playwright driver chooses the file first, then calls go()
if (!new URLSearchParams(location.search).has('driven')) go()`

interface Row { driver: string; step: string; ms: number; byProcess: Map<string, number> }

/** One driver's run: the page runs every step once; resolves with a row per step. */
async function runDriver(driver: 'playwright' | 'plain', file: string): Promise<Row[]> {
  const rows: Row[] = []
  let before = new Map<string, number>()
  let t0 = 0
  let written: (() => void) | undefined
  let writtenSeen = false
  let quit: () => void = () => {}
  const done = new Promise<void>((r) => { quit = r })
  const src = Buffer.alloc(MiB, 7)
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x')
    const name = u.pathname.split('/').pop()
    if (name === 'sink' || name === 'src') {
      req.resume()
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': name === 'src' ? MiB : 2 })
        res.end(name === 'src' ? src : 'ok')
      })
      return
    }
    if (name === 'mark') {
      const p = u.searchParams
      if (p.has('start')) {
        writtenSeen = false
        before = chromiumCpu()
        t0 = performance.now()
      } else if (p.has('written')) {
        writtenSeen = true
        written?.()
      } else if (p.has('await')) {
        // the feeder is done: answer once the service worker's stream has closed (its last chunk taken)
        if (writtenSeen) res.writeHead(204).end()
        else written = () => { written = undefined; res.writeHead(204).end() }
        return
      } else if (p.has('end')) rows.push({ driver, step: p.get('end')!, ms: performance.now() - t0, byProcess: cpuDeltas(before, chromiumCpu()) })
      else quit()
      res.writeHead(204).end()
      return
    }
    const body = name === 'w.js' ? WORKER : name === 'sw.js' ? SW : name === 'p.js' ? PAGE : '<!doctype html><input type="file"><script src="p.js"></script>'
    res.writeHead(200, { 'content-type': name?.endsWith('.js') ? 'text/javascript' : 'text/html', 'cache-control': 'no-store' }).end(body)
  })
  server.on('upgrade', acceptFloorSocket)
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as { port: number }
  const steps = STEPS.map(([s]) => `step=${s}`).join('&')
  const url = `http://127.0.0.1:${port}/floor/?${steps}&rounds=1`
  const profile = await mkdtemp(join(tmpdir(), 'pts-web-floor-'))
  try {
    if (driver === 'playwright') {
      const browser = await chromium.launch({ executablePath: chromiumPath()!, headless: true, args: CHROMIUM_FLAGS })
      try {
        const page = await (await browser.newContext({ acceptDownloads: true })).newPage()
        // the file is chosen before the page runs its steps (no request interception: it would route every body through the driver)
        await page.goto(url + '&driven')
        await page.locator('input').setInputFiles(file)
        await page.evaluate('void go()')
        await done
      } finally {
        await browser.close()
      }
    } else {
      const chrome = spawn(chromiumPath()!, ['--headless', ...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, url], { stdio: 'ignore' })
      try {
        await done
      } finally {
        chrome.kill('SIGTERM')
        await new Promise((r) => chrome.once('exit', r))
      }
    }
  } finally {
    server.close()
    await rm(profile, { recursive: true, force: true })
  }
  return rows
}

function summary(rows: Row[]): string {
  const out: string[] = []
  for (const [step, mib] of STEPS) {
    for (const driver of ['playwright', 'plain']) {
      const mine = rows.filter((r) => r.step === step && r.driver === driver)
      if (mine.length === 0) continue
      const scale = 100 / mib
      const kinds = new Map<string, number[]>()
      for (const r of mine) {
        const byKind = new Map<string, number>()
        for (const [k, v] of r.byProcess) byKind.set(k.replace(/ \d+$/, '').replace(/^utility:network\.NetworkService$/, 'network'), (byKind.get(k.replace(/ \d+$/, '').replace(/^utility:network\.NetworkService$/, 'network')) ?? 0) + v * scale)
        byKind.set('all', [...byKind.values()].reduce((a, b) => a + b, 0))
        for (const [k, v] of byKind) kinds.set(k, [...(kinds.get(k) ?? []), v])
      }
      const parts = [...kinds].filter(([k, v]) => k === 'all' || Math.max(...v) >= 0.02).map(([k, v]) => `${k} ${v.map((x) => x.toFixed(2)).join('/')}`)
      out.push(`${step.padEnd(12)} ${driver.padEnd(10)} ${mine.map((r) => (r.ms * scale).toFixed(0)).join('/').padStart(11)} ms  ${parts.join('  ')}`)
    }
  }
  return out.join('\n')
}

const file = join(await mkdtemp(join(tmpdir(), 'pts-web-floor-file-')), 'floor.bin')
await writeFile(file, Buffer.alloc(100 * MiB, 3))
try {
  const rows: Row[] = []
  // a browser per round: Chromium holds a page's second download without a user gesture for a permission prompt
  for (let round = 0; round < ROUNDS; round++) {
    for (const d of ['playwright', 'plain'] as const) if (which === 'both' || which === d) rows.push(...await runDriver(d, file))
  }
  console.log(`per 100 MiB, CPU seconds per process kind (each round), load ${loadavg()[0].toFixed(1)}\n${summary(rows)}`)
} finally {
  await rm(join(file, '..'), { recursive: true, force: true })
}
