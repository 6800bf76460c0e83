// Previews and media in a real Chromium against a daemon on 127.0.0.1: a PNG upload gets its
// thumbnail made in the browser and stored in its FileProperties the Peergos way (read back by the
// client library), shown in the grid, and opens at full size; a Markdown file edited, saved and
// reloaded, its preview made of elements; a hostile Markdown file rendered inert; a WAV and a WebM
// (recorded in the browser with MediaRecorder) played through the service worker, which answers
// Range requests with 206 and exactly those bytes, across a 5 MiB chunk boundary. Screenshots go to
// test-results/web/.
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chunkLocation } from '../../src/client/file-upload.ts'
import { UserContext } from '../../src/client/user-context.ts'
import { startTestDaemon, type TestDaemon } from '../daemon-fixture.ts'
import { browserAvailable, launchBrowser, screenshot, signUpInPage } from './browser.ts'
import { gradientPng, toneWav } from './media-fixtures.ts'

const USER = 'webmedia'
const PASSWORD = 'correct horse battery'
const CHUNK = 5 * 1024 * 1024

const NOTES_V1 = '# Notes\n\nFirst draft.\n'
const NOTES_V2 = '# Heading One\n\nA [link](https://example.com/docs) and **bold** text.\n\n## Second\n\n- one\n- two\n\n```\ncode <b>here</b>\n```\n'
const EVIL = [
  '# Evil <script>window.__pwned = 1</script>',
  '',
  '<img src=x onerror="window.__pwned = 2">',
  '',
  '<a href="#" onclick="window.__pwned = 3">click</a> <iframe src="javascript:window.__pwned = 4"></iframe>',
  '',
  '[js](javascript:window.__pwned=5) [data](data:text/html,<script>window.__pwned=6</script>) [vb](  JAVASCRIPT:alert(7))',
  '',
  '![pic](javascript:window.__pwned=8) <svg onload="window.__pwned = 9"></svg> <style>body{display:none}</style>',
  '',
  '[ok](https://example.org/a?b=1&c=<x>)',
].join('\n')

describe.runIf(browserAvailable())('web UI: thumbnails, previews, the text editor and streamed media in Chromium', () => {
  let d: TestDaemon
  let browser: Browser
  let ctx: BrowserContext
  let page: Page
  const problems: string[] = []
  const wav = toneWav(70) // 6.2 MB: two 5 MiB chunks
  const png = gradientPng(640, 480)

  async function newPage(context: BrowserContext): Promise<Page> {
    const p = await context.newPage()
    p.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) problems.push(`csp: ${m.text()}`)
    })
    p.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`))
    p.on('dialog', (dlg) => {
      problems.push(`dialog: ${dlg.message()}`)
      void dlg.dismiss()
    })
    await p.goto(d.daemon.url + '/')
    return p
  }

  async function login(p: Page): Promise<void> {
    await p.getByLabel('Username').fill(USER)
    await p.getByLabel('Password').fill(PASSWORD)
    await p.getByRole('button', { name: 'Log in' }).click()
    await p.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor({ timeout: 60_000 })
  }

  const row = (p: Page, name: string) => p.locator(`.listing [data-name="${name}"]`)

  async function upload(files: { name: string; mimeType: string; buffer: Buffer }[]): Promise<void> {
    await page.getByLabel('Files to upload').setInputFiles(files)
    for (const f of files) await row(page, f.name).waitFor({ timeout: 120_000 })
    for (const f of files) await expect.poll(() => page.locator(`.uploads li[data-name="${f.name}"] .upload-status`).textContent(), { timeout: 120_000 }).toBe('Done 100 %')
  }

  beforeAll(async () => {
    d = await startTestDaemon()
    browser = await launchBrowser()
    ctx = await browser.newContext()
    page = await newPage(ctx)
    await signUpInPage(page, USER, PASSWORD)
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await d?.close()
  })

  it('makes a PNG thumbnail on upload, stores it in the FileProperties, shows it in the grid and list, and previews the image', async () => {
    await upload([{ name: 'gradient.png', mimeType: 'image/png', buffer: png }])
    // stored the Peergos way: FileProperties i/im on the file, ≤ 100 KiB, 400 × 400, read by the client library
    const alice = await UserContext.signIn(d.net, USER, PASSWORD)
    try {
      const cap = await alice.fs.capabilityOf(`/${USER}/gradient.png`)
      const props = (await alice.reader.snapshot().stat(cap)).properties
      expect(props.thumbnail?.mimeType).toBe('image/webp')
      expect(props.thumbnail!.data.length).toBeGreaterThan(0)
      expect(props.thumbnail!.data.length).toBeLessThanOrEqual(100 * 1024)
      expect(Buffer.from(props.thumbnail!.data.subarray(0, 4)).toString('latin1')).toBe('RIFF')
      expect(Buffer.from(props.thumbnail!.data.subarray(8, 12)).toString('latin1')).toBe('WEBP')
      expect(props.size).toBe(png.length)
      expect(Buffer.from(await alice.fs.readFileBytes(`/${USER}/gradient.png`)).equals(png)).toBe(true)
    } finally {
      await alice.close()
    }

    const listThumb = row(page, 'gradient.png').locator('img.thumbnail')
    await expect.poll(() => listThumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400)
    await page.getByRole('button', { name: 'Grid' }).click()
    const gridThumb = page.locator('.file-grid [data-name="gradient.png"] img.thumbnail')
    await expect.poll(() => gridThumb.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(400)
    expect(await gridThumb.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(400)
    expect(await gridThumb.getAttribute('src')).toMatch(/^blob:/)
    await screenshot(page, 'media-grid-thumbnails')

    await page.getByRole('button', { name: 'Preview gradient.png' }).click()
    const viewer = page.getByRole('dialog', { name: 'gradient.png' })
    const full = viewer.locator('img.preview-image')
    await expect.poll(() => full.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 60_000 }).toBe(640)
    expect(await full.evaluate((img: HTMLImageElement) => img.naturalHeight)).toBe(480)
    expect(await full.getAttribute('alt')).toBe('gradient.png')
    await screenshot(page, 'media-image-preview')
    await viewer.getByRole('button', { name: 'Close' }).click()
    await expect.poll(() => page.getByRole('dialog').count()).toBe(0)
    await page.getByRole('button', { name: 'List' }).click()
  }, 240_000)

  it('makes the thumbnail of a photo larger than one 5 MiB chunk (uploaded resumably) on its first chunk', async () => {
    const big = gradientPng(1600, 1200, true)
    expect(big.length).toBeGreaterThan(CHUNK)
    await upload([{ name: 'noise.png', mimeType: 'image/png', buffer: big }])
    await expect.poll(() => row(page, 'noise.png').locator('img.thumbnail').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 60_000 }).toBe(400)
    const alice = await UserContext.signIn(d.net, USER, PASSWORD)
    try {
      const cap = await alice.fs.capabilityOf(`/${USER}/noise.png`)
      const props = (await alice.reader.snapshot().stat(cap)).properties
      expect(props.thumbnail?.mimeType).toMatch(/^image\/(webp|jpeg|png)$/)
      // as Peergos' updateProperties: the first chunk's node only; the second keeps the upload's properties
      const second = chunkLocation(d.net.crypto, { streamSecret: props.streamSecret!, mapKey: cap.mapKey, bat: cap.bat }, 1)
      const next = await alice.reader.snapshot().readChunk({ ...cap, mapKey: second.mapKey, bat: second.bat }, undefined, false)
      expect(next?.view.properties.size).toBe(big.length)
      expect(next?.view.properties.thumbnail).toBeUndefined()
      expect(props.thumbnail!.data.length).toBeLessThanOrEqual(100 * 1024)
      expect(props.size).toBe(big.length)
      expect(Buffer.from(await alice.fs.readFileBytes(`/${USER}/noise.png`, { offset: CHUNK - 8, length: 16 })).equals(big.subarray(CHUNK - 8, CHUNK + 8))).toBe(true)
    } finally {
      await alice.close()
    }
  }, 240_000)

  it('edits a Markdown file, saves it, and finds it saved after a reload; the preview is made of elements', async () => {
    await upload([{ name: 'notes.md', mimeType: 'text/markdown', buffer: Buffer.from(NOTES_V1) }])
    await page.getByRole('button', { name: 'Edit notes.md' }).click()
    const editor = page.getByRole('dialog', { name: 'notes.md' })
    const preview = editor.getByRole('article', { name: 'Preview of notes.md' })
    await expect.poll(() => preview.locator('h1').textContent(), { timeout: 60_000 }).toBe('Notes')
    await editor.getByRole('button', { name: 'Edit', exact: true }).click()
    const area = editor.getByLabel('Contents of notes.md')
    expect(await area.inputValue()).toBe(NOTES_V1)
    await area.fill(NOTES_V2)
    await expect.poll(() => editor.getByText('Unsaved changes').count()).toBe(1)
    await screenshot(page, 'media-text-editor')
    // Escape does not drop the edit: it asks first
    await page.keyboard.press('Escape')
    await editor.getByRole('alert').filter({ hasText: 'notes.md has unsaved changes.' }).waitFor()
    expect(await editor.getByRole('button', { name: 'Close without saving' }).isVisible()).toBe(true)
    await editor.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => editor.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Saved notes.md')
    await editor.getByRole('button', { name: 'Preview', exact: true }).click()
    expect(await preview.locator('h1').textContent()).toBe('Heading One')
    expect(await preview.locator('h2').textContent()).toBe('Second')
    const link = preview.getByRole('link', { name: 'link' })
    expect(await link.getAttribute('href')).toBe('https://example.com/docs')
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer nofollow')
    expect(await preview.locator('strong').textContent()).toBe('bold')
    expect(await preview.locator('li').allTextContents()).toEqual(['one', 'two'])
    expect(await preview.locator('pre code').textContent()).toBe('code <b>here</b>')
    expect(await preview.locator('b').count()).toBe(0)
    await screenshot(page, 'media-markdown-preview')
    await editor.getByRole('button', { name: 'Close' }).click()

    await page.reload()
    await login(page)
    await expect.poll(() => row(page, 'notes.md').locator('.size').textContent()).toBe(`${Buffer.byteLength(NOTES_V2)} B`)
    await page.getByRole('button', { name: 'Edit notes.md' }).click()
    const again = page.getByRole('dialog', { name: 'notes.md' })
    await expect.poll(() => again.getByRole('article', { name: 'Preview of notes.md' }).locator('h1').textContent(), { timeout: 60_000 }).toBe('Heading One')
    await again.getByRole('button', { name: 'Edit', exact: true }).click()
    expect(await again.getByLabel('Contents of notes.md').inputValue()).toBe(NOTES_V2)
    await again.getByRole('button', { name: 'Close' }).click()
  }, 240_000)

  it('renders hostile Markdown inert: no script runs, no event handler or unsafe link survives, raw HTML stays text', async () => {
    await upload([{ name: 'evil.md', mimeType: 'text/markdown', buffer: Buffer.from(EVIL) }])
    await page.getByRole('button', { name: 'Edit evil.md' }).click()
    const preview = page.getByRole('dialog', { name: 'evil.md' }).getByRole('article', { name: 'Preview of evil.md' })
    await preview.locator('h1').waitFor({ timeout: 60_000 })
    expect(await preview.locator('h1').textContent()).toBe('Evil <script>window.__pwned = 1</script>')
    expect(await preview.locator('script, img, iframe, svg, style, object, embed, b').count()).toBe(0)
    const attrs = await preview.evaluate((root) => [...root.querySelectorAll('*')].flatMap((el) => [...el.attributes].map((a) => `${el.tagName.toLowerCase()}[${a.name}=${a.value}]`)))
    expect(attrs.filter((a) => /\[on/i.test(a))).toEqual([])
    const hrefs = await preview.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href')))
    expect(hrefs).toEqual(['https://example.org/a?b=1&c=%3Cx%3E'])
    // the refused links are text only; clicking them does nothing
    for (const name of ['js', 'data', 'vb', 'pic']) {
      const span = preview.locator('span.unsafe-link', { hasText: new RegExp(`^${name}$`) })
      expect(await span.count()).toBe(1)
      await span.click()
    }
    expect(await preview.textContent()).toContain('<img src=x onerror="window.__pwned = 2">')
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    expect(await page.locator('body').isVisible()).toBe(true)
    await screenshot(page, 'media-markdown-hostile')
    await page.getByRole('dialog', { name: 'evil.md' }).getByRole('button', { name: 'Close' }).click()
    expect(problems).toEqual([])
  }, 120_000)

  it('plays a WAV through the service worker, which answers Range requests with 206 and exactly those bytes', async () => {
    await upload([{ name: 'tone.wav', mimeType: 'audio/wav', buffer: wav }])
    // what the audio element asked for, as answered by the service worker
    const served: { range: string | undefined; status: number; fromServiceWorker: boolean }[] = []
    page.on('response', (r) => {
      if (new URL(r.url()).pathname.includes('/media/') && r.request().resourceType() === 'media') served.push({ range: r.request().headers().range, status: r.status(), fromServiceWorker: r.fromServiceWorker() })
    })
    await page.getByRole('button', { name: 'Preview tone.wav' }).click()
    const viewer = page.getByRole('dialog', { name: 'tone.wav' })
    const audio = viewer.locator('audio')
    await audio.waitFor({ timeout: 60_000 })
    const src = (await audio.getAttribute('src'))!
    expect(new URL(src).pathname).toMatch(/\/media\/[0-9a-f-]{36}\/tone\.wav$/)
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 60_000 }).toBeGreaterThanOrEqual(1)
    expect(Math.round(await audio.evaluate((a: HTMLAudioElement) => a.duration))).toBe(70)

    // byte ranges through the service worker: across the 5 MiB chunk boundary, a suffix, open-ended, beyond the end
    const fetchRange = (range: string | null) => page.evaluate(async ({ url, range }) => {
      const r = await fetch(url, range === null ? {} : { headers: { Range: range } })
      const body = new Uint8Array(await r.arrayBuffer())
      return { status: r.status, contentRange: r.headers.get('content-range'), length: r.headers.get('content-length'), acceptRanges: r.headers.get('accept-ranges'), type: r.headers.get('content-type'), bytes: body.length <= 4096 ? [...body] : [], size: body.length, controlled: navigator.serviceWorker.controller !== null }
    }, { url: src, range })
    const across = await fetchRange(`bytes=${CHUNK - 10}-${CHUNK + 9}`)
    expect(across.controlled).toBe(true)
    expect(across.status).toBe(206)
    expect(across.contentRange).toBe(`bytes ${CHUNK - 10}-${CHUNK + 9}/${wav.length}`)
    expect(across.length).toBe('20')
    expect(across.acceptRanges).toBe('bytes')
    expect(across.type).toBe('audio/wav')
    expect(across.bytes).toEqual([...wav.subarray(CHUNK - 10, CHUNK + 10)])
    const suffix = await fetchRange('bytes=-16')
    expect(suffix.status).toBe(206)
    expect(suffix.contentRange).toBe(`bytes ${wav.length - 16}-${wav.length - 1}/${wav.length}`)
    expect(suffix.bytes).toEqual([...wav.subarray(wav.length - 16)])
    const tail = await fetchRange(`bytes=${wav.length - 100}-`)
    expect(tail.status).toBe(206)
    expect(tail.bytes).toEqual([...wav.subarray(wav.length - 100)])
    const header = await fetchRange('bytes=0-43')
    expect(header.bytes).toEqual([...wav.subarray(0, 44)])
    const beyond = await fetchRange(`bytes=${wav.length}-`)
    expect(beyond.status).toBe(416)
    expect(beyond.contentRange).toBe(`bytes */${wav.length}`)
    const whole = await fetchRange(null)
    expect(whole.status).toBe(200)
    expect(whole.length).toBe(String(wav.length))
    expect(whole.size).toBe(wav.length)

    // seeking near the end plays from there (the element asks for a range at that offset)
    await audio.evaluate((a: HTMLAudioElement) => {
      a.muted = true
      a.currentTime = 65
      return a.play()
    })
    await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.currentTime), { timeout: 60_000 }).toBeGreaterThan(65.2)
    expect(await audio.evaluate((a: HTMLAudioElement) => a.error)).toBeNull()
    // the seek was a Range request from near the 65 s offset, answered 206 by the service worker
    const seekOffset = 44 + 65 * 44_100 * 2
    const starts = served.filter((r) => r.status === 206 && r.fromServiceWorker).map((r) => Number(/^bytes=(\d+)-/.exec(r.range ?? '')?.[1] ?? -1))
    expect(starts.some((o) => o > CHUNK && o <= seekOffset)).toBe(true)
    expect(served.every((r) => r.range !== undefined && r.status === 206)).toBe(true)
    await screenshot(page, 'media-audio-player')
    await viewer.getByRole('button', { name: 'Close' }).click()
    // the session ends with the viewer
    await expect.poll(async () => (await fetchRange('bytes=0-3')).status).toBe(404)
  }, 240_000)

  it('plays a WebM video recorded in the browser, streamed through the service worker', async () => {
    const webm = await page.evaluate(async () => {
      const canvas = document.createElement('canvas')
      canvas.width = 160
      canvas.height = 120
      const g = canvas.getContext('2d')!
      const stream = canvas.captureStream(15)
      const rec = new MediaRecorder(stream, { mimeType: 'video/webm;codecs=vp8' })
      const parts: Blob[] = []
      rec.ondataavailable = (e) => parts.push(e.data)
      const stopped = new Promise((r) => { rec.onstop = r })
      rec.start(100)
      for (let f = 0; f < 30; f++) {
        g.fillStyle = `hsl(${f * 12}, 80%, 50%)`
        g.fillRect(0, 0, 160, 120)
        g.fillStyle = '#fff'
        g.fillRect(f * 5, 40, 20, 40)
        await new Promise((r) => setTimeout(r, 50))
      }
      rec.stop()
      await stopped
      return [...new Uint8Array(await new Blob(parts).arrayBuffer())]
    })
    expect(webm.length).toBeGreaterThan(100)
    await upload([{ name: 'clip.webm', mimeType: 'video/webm', buffer: Buffer.from(webm) }])
    // its thumbnail, made on the page from a frame and stored in its properties
    await expect.poll(() => row(page, 'clip.webm').locator('img.thumbnail').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 60_000 }).toBe(400)
    const thumbPixel = await row(page, 'clip.webm').locator('img.thumbnail').evaluate((img: HTMLImageElement) => {
      const c = document.createElement('canvas')
      c.width = 400
      c.height = 400
      const g = c.getContext('2d')!
      g.drawImage(img, 0, 0)
      return [...g.getImageData(390, 390, 1, 1).data]
    })
    expect(thumbPixel[3]).toBe(255)
    expect(Math.max(thumbPixel[0], thumbPixel[1], thumbPixel[2])).toBeGreaterThan(60) // a frame, not black
    await page.getByRole('button', { name: 'Preview clip.webm' }).click()
    const viewer = page.getByRole('dialog', { name: 'clip.webm' })
    const video = viewer.locator('video')
    await video.waitFor({ timeout: 60_000 })
    expect(new URL((await video.getAttribute('src'))!).pathname).toMatch(/\/media\/[0-9a-f-]{36}\/clip\.webm$/)
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.readyState), { timeout: 60_000 }).toBeGreaterThanOrEqual(1)
    expect(await video.evaluate((v: HTMLVideoElement) => [v.videoWidth, v.videoHeight])).toEqual([160, 120])
    await video.evaluate((v: HTMLVideoElement) => {
      v.muted = true
      return v.play()
    })
    await expect.poll(() => video.evaluate((v: HTMLVideoElement) => v.currentTime), { timeout: 60_000 }).toBeGreaterThan(0)
    expect(await video.evaluate((v: HTMLVideoElement) => v.error)).toBeNull()
    const range = await page.evaluate(async (url) => {
      const r = await fetch(url, { headers: { Range: 'bytes=0-3' } })
      return { status: r.status, bytes: [...new Uint8Array(await r.arrayBuffer())] }
    }, (await video.getAttribute('src'))!)
    expect(range).toEqual({ status: 206, bytes: webm.slice(0, 4) })
    await screenshot(page, 'media-video-player')
    await viewer.getByRole('button', { name: 'Close' }).click()
  }, 240_000)

  it('without a service worker, previews and plays from a Blob instead', async () => {
    const plain = await browser.newContext({ serviceWorkers: 'block' })
    try {
      const p = await newPage(plain)
      await login(p)
      await p.getByRole('button', { name: 'Preview gradient.png' }).click()
      const img = p.getByRole('dialog', { name: 'gradient.png' }).locator('img.preview-image')
      await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.complete && i.naturalWidth), { timeout: 60_000 }).toBe(640)
      expect(await img.getAttribute('src')).toMatch(/^blob:/)
      await p.getByRole('dialog', { name: 'gradient.png' }).getByRole('button', { name: 'Close' }).click()
      await p.getByRole('button', { name: 'Preview tone.wav' }).click()
      const audio = p.getByRole('dialog', { name: 'tone.wav' }).locator('audio')
      await audio.waitFor({ timeout: 60_000 })
      expect(await audio.getAttribute('src')).toMatch(/^blob:/)
      await expect.poll(() => audio.evaluate((a: HTMLAudioElement) => a.readyState), { timeout: 60_000 }).toBeGreaterThanOrEqual(1)
      expect(Math.round(await audio.evaluate((a: HTMLAudioElement) => a.duration))).toBe(70)
    } finally {
      await plain.close()
    }
  }, 180_000)

  it('saw no CSP violation, page error or dialog', () => {
    expect(problems).toEqual([])
  })
})
