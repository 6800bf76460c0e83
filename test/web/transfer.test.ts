// Large transfers through the web client's chunk helpers (worker/chunk-crypto-pool.ts), in Chromium
// against a daemon: a file uploaded in the browser (sealed in the helpers, hashed with WebCrypto,
// its fragment writes sent by the helpers) reads back byte for byte through the Node client's
// in-thread path, and a file the Node client wrote downloads in the browser (its fragments fetched
// and opened in the helpers) with the same sha256. Every chunk goes through our SIMD wasm secretbox
// (crypto/wasm-secretbox.ts), not libsodium's fallback. The helpers are
// reached as nested workers of the client worker through the DevTools protocol (they start at a
// page's first chunk), and count the chunks they sealed and opened and the requests they sent.
// Both transports: against the daemon itself, every request of the helpers and the client worker goes
// over the server's WebSocket extension (web/shared/socket-fetch.ts); through a plain HTTP proxy that
// refuses the upgrade (as a server without the extension), the same transfers detect that once and go
// by fetch.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { UserContext } from '../../src/client/user-context.ts'
import type { SocketFetchCounts } from '../../src/web/shared/socket-fetch.ts'
import { pattern, sha256Hex, startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, signUpInPage } from './browser.ts'
import { watchWorkers, type WorkerTarget } from './worker-targets.ts'

const USER = 'webcarol'
const PASSWORD = 'carol sings in the choir 7'
const MiB = 1024 * 1024
/** Three chunks, the last one partial and not a multiple of the padding block. */
const SIZE = 12 * MiB + 4321

/** What a chunk helper records: a chunk sealed, opened from blocks given, fetched and opened, a request sent, its start, or a secretbox call (by which box). */
type HelperWork = 'seal' | 'open' | 'fetch-open' | 'post' | 'ready' | 'secretbox:wasm-simd' | 'secretbox:libsodium-heap'

/** How many `peergos:<kind>` entries a worker recorded (a chunk helper: ready once, then one per chunk). */
async function measures(w: WorkerTarget, kind: HelperWork): Promise<number> {
  const r = await w.send('Runtime.evaluate', { expression: `performance.getEntriesByName('peergos:${kind}').length`, returnByValue: true }) as { result?: { value?: number } }
  return r.result?.value ?? 0
}

/** Chunks the page's current chunk helpers sealed or opened (or how many are ready). */
async function helperChunks(workers: WorkerTarget[], kind: HelperWork): Promise<number> {
  const helpers = workers.filter((w) => w.url.includes('/chunk-helper-'))
  return (await Promise.all(helpers.map((h) => measures(h, kind)))).reduce((a, b) => a + b, 0)
}

/**
 * The helpers start at a page's first chunk and take chunks once loaded (the client worker does
 * them until then): after a first transfer, wait for one to be ready, so the next goes through them.
 */
async function helpersReady(workers: WorkerTarget[]): Promise<void> {
  await expect.poll(() => helperChunks(workers, 'ready'), { timeout: 60_000 }).toBeGreaterThanOrEqual(1)
}

/** What the workers matching `which` sent over the socket and by fetch, and their transport states. */
async function transport(workers: WorkerTarget[], which: (url: string) => boolean): Promise<{ socket: number; fetched: number; states: string[] }> {
  const out = { socket: 0, fetched: 0, states: [] as string[] }
  for (const w of workers.filter((x) => which(x.url))) {
    const r = await w.send('Runtime.evaluate', { expression: 'globalThis.peergosSocketCounts', returnByValue: true }) as { result?: { value?: SocketFetchCounts } }
    const c = r.result?.value
    if (c === undefined) continue
    out.socket += c.socket
    out.fetched += c.fetched
    out.states.push(c.state)
  }
  return out
}
const isHelper = (url: string): boolean => url.includes('/chunk-helper-')
const isClientWorker = (url: string): boolean => url.includes('/client-worker-')

/** A plain HTTP proxy to `target` (Host rewritten) without WebSocket upgrades: a server without the extension. */
async function plainProxy(target: string): Promise<{ server: Server; url: string }> {
  const t = new URL(target)
  const server = createServer((req, res) => {
    const headers = { ...req.headers, host: t.host }
    delete headers.upgrade
    delete headers.connection
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers)
      r.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

describe.runIf(browserAvailable()).each([
  { name: 'over the server\'s WebSocket', viaSocket: true, user: USER },
  { name: 'by fetch where the server has no WebSocket (a proxy refusing the upgrade)', viaSocket: false, user: 'webcarolf' },
])('web UI: large transfers through the chunk helpers, $name', ({ viaSocket, user: USER }) => {
  let d: TestDaemon
  let proxy: { server: Server; url: string } | undefined
  let origin: string
  let browser: Browser
  let ctx: BrowserContext
  let page: Page
  let files: string
  let workers: WorkerTarget[]

  beforeAll(async () => {
    files = await mkdtemp(join(tmpdir(), 'pts-web-transfer-'))
    d = await startTestDaemon()
    if (!viaSocket) proxy = await plainProxy(d.daemon.url)
    origin = proxy?.url ?? d.daemon.url
    browser = await launchBrowser()
    ctx = await browser.newContext({ acceptDownloads: true })
    page = await ctx.newPage()
    workers = await watchWorkers(await ctx.newCDPSession(page))
    await page.goto(origin + '/')
    await signUpInPage(page, USER, PASSWORD)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    proxy?.server.closeAllConnections()
    proxy?.server.close()
    await d?.close()
    await rm(files, { recursive: true, force: true })
  })

  const upload = async (name: string, data: Uint8Array): Promise<void> => {
    const file = join(files, name)
    await writeFile(file, data)
    await page.getByLabel('Files to upload').setInputFiles(file)
    await page.locator(`.uploads li[data-name="${name}"] .upload-status`).filter({ hasText: 'Done 100 %' }).waitFor({ timeout: 120_000 })
  }
  const download = async (name: string): Promise<Uint8Array> => {
    const downloading = page.waitForEvent('download', { timeout: 120_000 })
    await page.getByRole('button', { name: `Download ${name}` }).click()
    return readFile(await (await downloading).path())
  }

  it('uploads in the browser what the Node client reads back byte for byte', async () => {
    await upload('first.txt', new TextEncoder().encode('the first chunk starts the helpers'))
    await helpersReady(workers)
    const sealed = await helperChunks(workers, 'seal')
    const posted = await helperChunks(workers, 'post')
    const simd = await helperChunks(workers, 'secretbox:wasm-simd')
    const data = pattern(SIZE, 21)
    await upload('from-browser.bin', data)
    expect(await helperChunks(workers, 'seal')).toBe(sealed + 3)
    // each chunk sealed by the SIMD wasm secretbox, none by libsodium's
    expect(await helperChunks(workers, 'secretbox:wasm-simd')).toBe(simd + 3)
    expect(await helperChunks(workers, 'secretbox:libsodium-heap')).toBe(0)
    // every fragment write (5 + 5 + 3 fragments) sent by a helper, none by the client worker
    expect(await helperChunks(workers, 'post')).toBe(posted + 13)
    // ... over the helpers' sockets where the server offers one, else by fetch
    const helpers = await transport(workers, isHelper)
    expect(helpers.states.length).toBeGreaterThanOrEqual(1)
    expect(new Set(helpers.states)).toEqual(new Set([viaSocket ? 'socket' : 'absent']))
    expect(viaSocket ? helpers.socket : helpers.fetched).toBeGreaterThanOrEqual(13)
    expect(viaSocket ? helpers.fetched : helpers.socket).toBe(0)
    const client = await transport(workers, isClientWorker)
    expect(client.states).toEqual([viaSocket ? 'socket' : 'absent'])
    expect(viaSocket ? client.fetched : client.socket).toBe(0)

    const node = await UserContext.signIn(d.net, USER, PASSWORD)
    try {
      expect(sha256Hex(await node.fs.readFileBytes(`/${USER}/from-browser.bin`))).toBe(sha256Hex(data))
      // the node client's in-thread sealing, for the download below
      await node.fs.writeFile(`/${USER}/from-node.bin`, pattern(SIZE, 22))
    } finally {
      await node.close()
    }
  }, 180_000)

  it('downloads in the browser what the Node client wrote, with the same sha256', async () => {
    await page.reload()
    await page.getByLabel('Username').fill(USER)
    await page.getByLabel('Password').fill(PASSWORD)
    await page.getByRole('button', { name: 'Log in' }).click()
    expect(sha256Hex(await download('from-browser.bin'))).toBe(sha256Hex(pattern(SIZE, 21))) // starts this page's helpers
    await helpersReady(workers)
    const opened = await helperChunks(workers, 'open')
    const fetched = await helperChunks(workers, 'fetch-open')
    const simd = await helperChunks(workers, 'secretbox:wasm-simd')
    const before = await transport(workers, isHelper)
    expect(sha256Hex(await download('from-node.bin'))).toBe(sha256Hex(pattern(SIZE, 22)))
    expect(await helperChunks(workers, 'secretbox:wasm-simd')).toBe(simd + 3)
    expect(await helperChunks(workers, 'secretbox:libsodium-heap')).toBe(0)
    // each chunk's fragments fetched by the helper that opened it (none handed over by the client worker)
    expect(await helperChunks(workers, 'fetch-open')).toBe(fetched + 3)
    expect(await helperChunks(workers, 'open')).toBe(opened)
    // its 13 fragment reads over the helpers' sockets, or all by fetch
    const helpers = await transport(workers, isHelper)
    expect(new Set(helpers.states)).toEqual(new Set([viaSocket ? 'socket' : 'absent']))
    expect(viaSocket ? helpers.socket - before.socket : helpers.fetched - before.fetched).toBe(13)
    expect(viaSocket ? helpers.fetched : helpers.socket).toBe(0)
  }, 180_000)
})
